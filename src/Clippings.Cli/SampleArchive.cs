using Clippings.Cli.Commands;
using Clippings.Ingestion;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli;

/// <summary>The bundled samples/archive, ingested on first run so the quickstart works on a fresh machine.</summary>
internal static class SampleArchive
{
    public static async Task IngestIfEmptyAsync(IServiceProvider services, TextWriter log, CancellationToken cancellationToken)
    {
        var index = services.GetRequiredService<IArchiveIndex>();
        var stats = await index.GetStatsAsync(cancellationToken);
        if (stats.Articles > 0)
        {
            return;
        }

        var samples = CliHost.FindSampleArchive()
            ?? throw new ClippingsException($"The index ({index.Description}) is empty and samples/archive was not found. Ingest an archive first: clippings ingest PATH");
        await log.WriteLineAsync($"The index ({index.Description}) is empty: ingesting the sample archive in {samples} first.");
        await IngestCommand.RunAsync(services, [samples], new IngestOptions(), cancellationToken);
        services.GetRequiredService<Clippings.Retrieval.ArchiveCatalogProvider>().Invalidate();
    }
}
