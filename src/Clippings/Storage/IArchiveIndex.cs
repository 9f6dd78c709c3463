using Clippings.Archive;

namespace Clippings.Storage;

/// <summary>
/// The archive index: articles, author bios, passages with their vectors, and hybrid search over them.
/// Two implementations (embedded SQLite, Qdrant) pass the same contract test suite.
/// Writes are per article and atomic: a reader never sees an article with no passages or two versions.
/// </summary>
public interface IArchiveIndex : IAsyncDisposable
{
    /// <summary>Short name for logs: "sqlite:path" or "qdrant:url/collection".</summary>
    string Description { get; }

    /// <summary>
    /// Creates the index if it does not exist, else checks that it was built with the same embedding space
    /// (embedder id and dimension). Throws <see cref="IndexMismatchException"/> with what to do when not.
    /// </summary>
    Task OpenAsync(EmbeddingSpace space, CancellationToken cancellationToken);

    /// <summary>The embedding space the index was built with, or null for a new/empty index.</summary>
    Task<EmbeddingSpace?> GetEmbeddingSpaceAsync(CancellationToken cancellationToken);

    /// <summary>Article id → content hash of every stored article (for incremental re-ingest).</summary>
    Task<IReadOnlyDictionary<string, string>> GetContentHashesAsync(CancellationToken cancellationToken);

    /// <summary>Stores an article with all its passages, replacing any previous version atomically.</summary>
    Task UpsertArticleAsync(IndexedArticle article, CancellationToken cancellationToken);

    /// <summary>
    /// Stores several articles, each replaced atomically (a store may write them all in one transaction:
    /// an interrupted call leaves every article either in its old or its new version, never half-written).
    /// </summary>
    async Task UpsertArticlesAsync(IReadOnlyList<IndexedArticle> articles, CancellationToken cancellationToken)
    {
        foreach (var article in articles)
        {
            await UpsertArticleAsync(article, cancellationToken).ConfigureAwait(false);
        }
    }

    Task DeleteArticleAsync(string articleId, CancellationToken cancellationToken);

    /// <summary>
    /// Told which articles were seen unchanged (id → the content hash they are stored with), a store whose replaces are
    /// several requests deletes whatever an interrupted write of those articles left behind. Stores that replace in one
    /// transaction have nothing to do.
    /// </summary>
    Task SweepAsync(IReadOnlyDictionary<string, string> currentVersions, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stores or replaces an author's bio; counts and dates come from their articles.</summary>
    Task UpsertAuthorAsync(AuthorProfile author, CancellationToken cancellationToken);

    Task<Article?> GetArticleAsync(string articleId, CancellationToken cancellationToken);

    /// <summary>Article metadata matching a filter, newest first (null dates last).</summary>
    Task<IReadOnlyList<ArticleSummary>> ListArticlesAsync(SearchFilter filter, CancellationToken cancellationToken);

    /// <summary>Authors with at least one article or a stored bio, with article counts and date ranges.</summary>
    Task<IReadOnlyList<AuthorSummary>> ListAuthorsAsync(CancellationToken cancellationToken);

    /// <summary>Passages ranked by the query's mode (dense, lexical, or both fused with RRF), after filtering.</summary>
    Task<IReadOnlyList<PassageHit>> SearchAsync(PassageQuery query, CancellationToken cancellationToken);

    Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>Every article with its passages and stored vectors, for migration between index kinds.</summary>
    IAsyncEnumerable<IndexedArticle> ExportAsync(CancellationToken cancellationToken);
}

/// <summary>Which embedder built the vectors: an index refuses vectors from another space.</summary>
public sealed record EmbeddingSpace(string EmbedderId, int Dimensions);

/// <summary>An article ready to store: its passages carry their embedding vectors.</summary>
public sealed record IndexedArticle(Article Article, IReadOnlyList<IndexedPassage> Passages);

public sealed record IndexedPassage(int Ordinal, int Start, int End, string Text, ReadOnlyMemory<float> Vector);

public enum SearchMode { Hybrid, Dense, Lexical }

/// <summary>
/// Filters shared by every index. Authors match any of the names (exact, case-insensitive);
/// Sections matches an article's section OR publication; dates are inclusive.
/// </summary>
public sealed record SearchFilter
{
    public static readonly SearchFilter None = new();

    public IReadOnlyList<string>? Authors { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public IReadOnlyList<string>? Sections { get; init; }
    public IReadOnlyList<string>? ArticleIds { get; init; }

    /// <summary>Leave out every piece these authors wrote or co-wrote ("pieces that mention X, apart from X's own").</summary>
    public IReadOnlyList<string>? ExcludeAuthors { get; init; }

    public bool IsEmpty => (Authors is null || Authors.Count == 0) && From is null && To is null
        && (Sections is null || Sections.Count == 0) && (ArticleIds is null || ArticleIds.Count == 0)
        && (ExcludeAuthors is null || ExcludeAuthors.Count == 0);
}

/// <summary>
/// One search. <see cref="Vector"/> must be the query embedding (with the query prefix) for dense/hybrid;
/// <see cref="Text"/> is used for lexical search.
/// </summary>
/// <param name="WithLegRanks">Hybrid hits must carry each leg's rank (the retriever re-weighs the lexical leg); a store whose
/// server fuses without reporting them fuses on the client instead.</param>
public sealed record PassageQuery(string Text, ReadOnlyMemory<float> Vector, SearchFilter Filter, SearchMode Mode, int Limit, bool WithLegRanks = false);

/// <summary>
/// A passage found by search. Score is comparable within one result list only (cosine for dense, RRF for hybrid,
/// BM25 for lexical); <see cref="DenseScore"/> is the cosine similarity when a vector was scored (used for calibrated refusals).
/// </summary>
public sealed record PassageHit(
    ArticleSummary Article,
    int Ordinal,
    int Start,
    int End,
    string Text,
    double Score,
    double? DenseScore,
    int? DenseRank,
    int? LexicalRank);

public sealed record IndexStats(int Articles, int Passages, int Authors);

/// <summary>The index was built with another embedder, or its schema is not what this version expects.</summary>
public sealed class IndexMismatchException : ClippingsException
{
    public IndexMismatchException(string message) : base(message) { }
}

/// <summary>The index store cannot be reached or refused us (Qdrant down, wrong API key, locked file).</summary>
public sealed class IndexUnavailableException : ClippingsException
{
    public IndexUnavailableException(string message) : base(message) { }
    public IndexUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
