using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Ingestion;

/// <summary>
/// One ingest per SQLite index (and shard) at a time: a second one on the same file would embed everything again and
/// count it twice. Shards of one split write disjoint articles, so each shard has its own lock.
/// An OS lock on a file beside the index, released when the process ends however it ends.
/// </summary>
public static class IngestLock
{
    public static IDisposable? Acquire(IServiceProvider services, IngestShard? shard = null) =>
        Acquire(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IndexOptions>>().Value, shard);

    /// <summary>The lock, or null for Qdrant (its writes are per point); throws a clear message when another ingest holds it.</summary>
    public static IDisposable? Acquire(IndexOptions options, IngestShard? shard = null)
    {
        if (string.Equals(options.Provider.Trim(), "qdrant", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var path = Path.GetFullPath(options.Path) + ".ingest-lock" + (shard is null ? "" : $".{shard.Number}-of-{shard.Count}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new ClippingsException($"Another ingest{(shard is null ? "" : $" of shard {shard}")} is writing {Path.GetFullPath(options.Path)}. Wait for it to finish, then run this one: it will skip what the other stored.");
        }
    }
}
