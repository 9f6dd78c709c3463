using System.CommandLine;

namespace Clippings.Cli;

internal static class CliRunner
{
    /// <summary>Runs the parsed command; a <see cref="ClippingsException"/> becomes one clear line and exit code 2.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            // System.CommandLine's own handler would print a ClippingsException with its stack trace and exit 1.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (ClippingsException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (SettingErrors.Describe(ex) is { } message)
        {
            // A malformed settings file, a value of the wrong type, a setting out of range: one line naming it.
            await Console.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            return 2;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (Storage.Sqlite.FaultReportingIndex.Describe(ex, "the index") is { } message)
        {
            // A fault outside the index's own calls (e.g. a bench's direct index): still one line.
            await Console.Error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled.").ConfigureAwait(false);
            return 130;
        }
    }
}
