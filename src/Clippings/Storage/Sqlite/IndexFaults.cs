using System.Runtime.CompilerServices;
using Clippings.Archive;
using Clippings.Embeddings;
using Microsoft.Data.Sqlite;

namespace Clippings.Storage.Sqlite;

/// <summary>
/// The SQLite index with its storage faults turned into one clear <see cref="IndexUnavailableException"/> each: a damaged
/// file (with how to rebuild it), a full disk, a read-only file written to. The last damage seen is kept, so
/// <c>/health</c> can report the index unhealthy instead of the server answering 500s.
/// </summary>
public sealed class FaultReportingIndex : IArchiveIndex
{
    private readonly SqliteArchiveIndex _inner;

    public FaultReportingIndex(SqliteArchiveIndex inner)
    {
        _inner = inner;
    }

    public SqliteArchiveIndex Inner => _inner;

    public string Description => _inner.Description;

    /// <summary>Why the index cannot be trusted (a damaged file), once any operation found out; null while none did.</summary>
    public string? Damage { get; private set; }

    /// <summary>The clear message for a SQLite storage fault, or null when <paramref name="ex"/> is not one.</summary>
    public static string? Describe(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        11 or 26 => $"The index file {path} is damaged ({ex.Message.Replace("SQLite Error " + ex.SqliteErrorCode + ": ", "", StringComparison.Ordinal).TrimEnd('.')}). " +
                    $"Rebuild it: move the file aside and run `clippings ingest SOURCES --index {path}` (your sources are not changed).",
        13 => $"The disk holding {path} is full. Every article already written is complete; free some space and run the same command again to finish.",
        8 => $"The index file {path} is read-only: this command needs to write to it. Make it writable, or use another file (--index).",
        _ => null,
    };

    public Task OpenAsync(EmbeddingSpace space, CancellationToken cancellationToken) => Guard(() => _inner.OpenAsync(space, cancellationToken));

    public Task<EmbeddingSpace?> GetEmbeddingSpaceAsync(CancellationToken cancellationToken) => Guard(() => _inner.GetEmbeddingSpaceAsync(cancellationToken));

    public Task<IReadOnlyDictionary<string, string>> GetContentHashesAsync(CancellationToken cancellationToken) => Guard(() => _inner.GetContentHashesAsync(cancellationToken));

    public Task UpsertArticleAsync(IndexedArticle article, CancellationToken cancellationToken) => Guard(() => _inner.UpsertArticleAsync(article, cancellationToken));

    public Task UpsertArticlesAsync(IReadOnlyList<IndexedArticle> articles, CancellationToken cancellationToken) => Guard(() => _inner.UpsertArticlesAsync(articles, cancellationToken));

    public Task DeleteArticleAsync(string articleId, CancellationToken cancellationToken) => Guard(() => _inner.DeleteArticleAsync(articleId, cancellationToken));

    public Task UpsertAuthorAsync(AuthorProfile author, CancellationToken cancellationToken) => Guard(() => _inner.UpsertAuthorAsync(author, cancellationToken));

    public Task<Article?> GetArticleAsync(string articleId, CancellationToken cancellationToken) => Guard(() => _inner.GetArticleAsync(articleId, cancellationToken));

    public Task<IReadOnlyList<ArticleSummary>> ListArticlesAsync(SearchFilter filter, CancellationToken cancellationToken) => Guard(() => _inner.ListArticlesAsync(filter, cancellationToken));

    public Task<IReadOnlyList<AuthorSummary>> ListAuthorsAsync(CancellationToken cancellationToken) => Guard(() => _inner.ListAuthorsAsync(cancellationToken));

    public Task<IReadOnlyList<PassageHit>> SearchAsync(PassageQuery query, CancellationToken cancellationToken) => Guard(() => _inner.SearchAsync(query, cancellationToken));

    public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) => Guard(() => _inner.GetStatsAsync(cancellationToken));

    public async IAsyncEnumerable<IndexedArticle> ExportAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var enumerator = _inner.ExportAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await Guard(async () => await enumerator.MoveNextAsync().ConfigureAwait(false)).ConfigureAwait(false))
        {
            yield return enumerator.Current;
        }
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private async Task Guard(Func<Task> operation) => await Guard(async () => { await operation().ConfigureAwait(false); return true; }).ConfigureAwait(false);

    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (SqliteException ex) when (Describe(ex, _inner.Path) is { } message)
        {
            if (ex.SqliteErrorCode is 11 or 26)
            {
                Damage = message;
            }

            throw new IndexUnavailableException(message, ex);
        }
        catch (IndexUnavailableException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: 11 or 26 })
        {
            Damage = ex.Message;
            throw;
        }
    }
}
