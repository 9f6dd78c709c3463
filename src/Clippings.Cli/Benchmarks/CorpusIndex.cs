using Clippings.Ingestion;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Benchmarks;

/// <summary>The shared corpus ingested once into the bench folder (reused by later runs), or an index given with --corpus-index.</summary>
internal static class CorpusIndex
{
    public static async Task<string> EnsureAsync(BenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (settings.CorpusIndexPath is { } given)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new ClippingsException($"--corpus-index: no index at {given}.");
        }

        var path = Path.Combine(settings.WorkFolder, "corpus.db");
        var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(path));
        await using var services = CliHost.BuildServices(configuration, verbose: false);
        if ((await services.GetRequiredService<IArchiveIndex>().GetStatsAsync(cancellationToken)).Passages == 0)
        {
            await log.WriteLineAsync($"ingesting {settings.CorpusPath} into {path}");
        }

        // Incremental: a complete index is checked by hash and left as it is.
        await services.GetRequiredService<ArchiveIngestor>().IngestAsync(settings.CorpusFiles(), new IngestOptions(), null, cancellationToken);
        return path;
    }
}
