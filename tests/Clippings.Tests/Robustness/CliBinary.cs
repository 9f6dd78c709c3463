using System.Diagnostics;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Robustness;

/// <summary>The built `clippings` command (clippings.dll) that tests run as a child process.</summary>
internal static class CliBinary
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var beside = System.IO.Path.Combine(AppContext.BaseDirectory, "clippings.dll");
        if (File.Exists(beside) && File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, "clippings.runtimeconfig.json")))
        {
            return beside;
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug";
        var built = System.IO.Path.Combine(SharedCorpus.RepoRoot, "src", "Clippings.Cli", "bin", configuration, "net10.0", "clippings.dll");
        return File.Exists(built) ? built : throw new InvalidOperationException($"clippings.dll not found beside the tests or at {built}; build src/Clippings.Cli first.");
    }

    /// <summary>Runs <c>clippings ARGS</c> in <paramref name="workingDirectory"/> (default: the current one) and waits, at most 3 minutes.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
