using System.CommandLine;

namespace Clippings.Cli;

internal static class CliRunner
{
    /// <summary>Runs the parsed command; a <see cref="ClippingsException"/> becomes one clear line and exit code 2.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            // Our handler below, not System.CommandLine's (which prints a stack trace and exits 1), reports errors.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (ClippingsException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled.").ConfigureAwait(false);
            return 130;
        }
    }
}
