using Clippings.Ingestion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Server.Tests.TestSupport;

/// <summary>
/// The project's own samples/archive (20 articles), ingested once per test run into a temporary SQLite index
/// with the local model (about ten seconds). Tests only read it; bot state lives elsewhere.
/// </summary>
public static class SampleArchiveIndex
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SamplesPath => Path.Combine(RepoRoot, "samples", "archive");

    public static Task<string> PathAsync() => Built.Value;

    /// <summary>Configuration of the core over the sample index, plus <paramref name="settings"/>.</summary>
    public static IConfigurationRoot Configuration(string indexPath, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Clippings:Index:Provider"] = "sqlite",
            ["Clippings:Index:Path"] = indexPath,
            ["Clippings:Embeddings:Provider"] = "local",
            ["Clippings:Embeddings:Threads"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    public static string TempPath(string name, string extension = ".db") =>
        Path.Combine(Path.GetTempPath(), "clippings-server-tests", $"{name}-{Guid.NewGuid():N}{extension}");

    private static async Task<string> BuildAsync()
    {
        var path = TempPath("samples");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var services = new ServiceCollection();
        services.AddClippings(Configuration(path));
        await using var provider = services.BuildServiceProvider();
        var summary = await provider.GetRequiredService<ArchiveIngestor>().IngestAsync([SamplesPath], new IngestOptions(), null, CancellationToken.None);
        if (summary.Failed > 0 || summary.New != 20)
        {
            throw new InvalidOperationException("samples/archive did not ingest cleanly: " + summary.ToLine());
        }

        return path;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Clippings.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Could not find the repository root (Clippings.slnx) above " + AppContext.BaseDirectory);
    }
}
