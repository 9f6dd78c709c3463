using System.Diagnostics;
using Clippings.Embeddings;
using Clippings.Retrieval;
using Clippings.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clippings.Server.Hosting;

/// <summary>
/// Loads what the first answer would otherwise wait for — the catalog, the encoder's ONNX session and the index's in-memory
/// search snapshot (about 4 s at 100k passages) — in the background right after the server starts.
/// A failure here is only logged, never fatal to the host: the same problem reaches the first request as its clear error.
/// </summary>
internal sealed class ArchiveWarmUpService(IArchiveIndex index, ArchiveEmbedder embedder, ArchiveCatalogProvider catalog, QueryAnalyzer analyzer, ILogger<ArchiveWarmUpService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var archive = await catalog.GetAsync(stoppingToken).ConfigureAwait(false);

            // Also embeds the exemplars of question kinds once, so the first reader does not wait for them.
            await analyzer.AnalyzeAsync("warm-up", archive, null, null, stoppingToken).ConfigureAwait(false);
            var vector = await embedder.EmbedQueryAsync("warm-up", stoppingToken).ConfigureAwait(false);
            await index.SearchAsync(new PassageQuery("warm-up", vector, SearchFilter.None, SearchMode.Hybrid, 1), stoppingToken).ConfigureAwait(false);
            logger.LogInformation("Warmed up {Index}: catalog, encoder and search snapshot loaded in {ElapsedMs} ms", index.Description, stopwatch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before it finished: nothing to report.
        }
        catch (Exception ex)
        {
            // A background service's exception would stop the host; answering requests may still work (or say why not).
            logger.LogWarning("Warm-up did not complete: {Reason}", ex is ClippingsException ? ex.Message : ex.ToString());
        }
    }
}
