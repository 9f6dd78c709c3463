using Clippings.Embeddings;
using Clippings.Storage;

namespace Clippings.Cli;

internal static class IndexGuard
{
    /// <summary>Asking an empty index gives one clear instruction instead of refusals.</summary>
    public static async Task EnsureNotEmptyAsync(IArchiveIndex index, CancellationToken cancellationToken)
    {
        var stats = await index.GetStatsAsync(cancellationToken);
        if (stats.Articles == 0)
        {
            throw new ClippingsException($"The index ({index.Description}) is empty. Ingest an archive first: clippings ingest PATH (or run `clippings chat`, which ingests samples/archive).");
        }
    }
}
