using System.Diagnostics;
using Clippings.Storage.Qdrant;
using Clippings.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clippings.Storage;

/// <summary>How far a migration has got, reported after every article.</summary>
public sealed record MigrationProgress(int Total, int Done, int Copied, int Unchanged);

public sealed record MigrationSummary(int Copied, int Unchanged, int AuthorBios, TimeSpan Elapsed)
{
    public string ToLine() => $"{Copied} copied, {Unchanged} already there, {AuthorBios} author bios in {Elapsed.TotalSeconds:F1} s";
}

/// <summary>
/// Copies one index into another (SQLite → Qdrant when a site outgrows one machine, or back), vectors included, so
/// nothing is re-embedded. Resumable and idempotent: an article the destination already holds with the same content
/// hash is skipped, and each article is written as one atomic replace, so a run that stops halfway (a destination that
/// fails, Ctrl+C) leaves whole articles behind and the next run carries on from there.
/// </summary>
public sealed class ArchiveMigrator(ILogger<ArchiveMigrator>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Articles written per destination call.</summary>
    internal const int MigrationBatch = 64;

    public async Task<MigrationSummary> MigrateAsync(IArchiveIndex source, IArchiveIndex destination, IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var space = await source.GetEmbeddingSpaceAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ClippingsException($"The source index {source.Description} is empty: there is nothing to migrate. Check --from.");
        await destination.OpenAsync(space, cancellationToken).ConfigureAwait(false);

        var sourceHashes = await source.GetContentHashesAsync(cancellationToken).ConfigureAwait(false);
        var destinationHashes = await destination.GetContentHashesAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Migrating {Articles} articles from {Source} to {Destination} ({Present} already there)",
            sourceHashes.Count, source.Description, destination.Description, destinationHashes.Count);

        int done = 0, copied = 0, unchanged = 0;
        progress?.Report(new MigrationProgress(sourceHashes.Count, 0, 0, 0));
        // Written in groups (each article still replaced atomically): a Qdrant destination then costs a few requests per
        // group instead of several per article.
        var pending = new List<IndexedArticle>(MigrationBatch);
        async Task FlushAsync()
        {
            if (pending.Count > 0)
            {
                await destination.UpsertArticlesAsync(pending, cancellationToken).ConfigureAwait(false);
                copied += pending.Count;
                done += pending.Count;
                pending.Clear();
                progress?.Report(new MigrationProgress(sourceHashes.Count, done, copied, unchanged));
            }
        }

        await foreach (var article in source.ExportAsync(cancellationToken).ConfigureAwait(false))
        {
            if (destinationHashes.TryGetValue(article.Article.Id, out var hash) && hash == article.Article.ContentHash)
            {
                unchanged++;
                done++;
                progress?.Report(new MigrationProgress(sourceHashes.Count, done, copied, unchanged));
                continue;
            }

            pending.Add(article);
            if (pending.Count == MigrationBatch)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        await FlushAsync().ConfigureAwait(false);

        var bios = 0;
        foreach (var author in await source.ListAuthorsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (author.Bio is not null)
            {
                await destination.UpsertAuthorAsync(new Archive.AuthorProfile(author.Name, author.Bio), cancellationToken).ConfigureAwait(false);
                bios++;
            }
        }

        var summary = new MigrationSummary(copied, unchanged, bios, stopwatch.Elapsed);
        _logger.LogInformation("Migrated {Source} to {Destination}: {Copied} copied, {Unchanged} unchanged, {Bios} bios in {ElapsedMs} ms",
            source.Description, destination.Description, copied, unchanged, bios, stopwatch.ElapsedMilliseconds);
        return summary;
    }

    /// <summary>
    /// Opens an index named on the command line: <c>sqlite:FILE</c> or <c>qdrant:URL[/collection]</c> (the gRPC endpoint;
    /// without a collection, <c>Clippings:Index:Collection</c>). API key and collection settings come from <paramref name="settings"/>.
    /// </summary>
    public static IArchiveIndex OpenLocation(string location, IndexOptions settings, bool mustExist, ILoggerFactory? loggerFactory)
    {
        var colon = location.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? "" : location[..colon].ToLowerInvariant();
        var target = colon < 0 ? "" : location[(colon + 1)..];
        switch (kind)
        {
            case "sqlite" when target.Length > 0:
                if (mustExist && !File.Exists(target))
                {
                    throw new ClippingsException($"There is no index file at {Path.GetFullPath(target)}. Check the path after 'sqlite:'.");
                }

                return new SqliteArchiveIndex(target, loggerFactory?.CreateLogger<SqliteArchiveIndex>());
            case "qdrant" when Uri.TryCreate(target, UriKind.Absolute, out var uri):
                var path = uri.AbsolutePath.Trim('/');
                var collection = path.Length > 0 ? Uri.UnescapeDataString(path) : settings.Collection;
                return QdrantIndexFactory.Create(uri.GetLeftPart(UriPartial.Authority), collection, settings, loggerFactory);
            default:
                throw new ClippingsException($"'{location}' is not an index location. Use sqlite:FILE (e.g. sqlite:data/clippings.db) or qdrant:URL[/collection] (e.g. qdrant:http://localhost:6334/clippings).");
        }
    }
}
