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
}
