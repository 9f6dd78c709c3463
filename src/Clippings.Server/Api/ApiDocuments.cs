using System.Globalization;
using Clippings.Answering;
using Clippings.Archive;

namespace Clippings.Server.Api;

/// <summary>Body of <c>POST /api/ask</c>.</summary>
/// <param name="Question">The question (required).</param>
/// <param name="Filters">Optional filters applied on top of what the question implies.</param>
/// <param name="ConversationId">Optional: turns with the same id (per API client) are kept for follow-ups.</param>
/// <param name="Article">Optional: scope the question to one article (its id or URL).</param>
public sealed record AskBody(string? Question, AskFilters? Filters = null, string? ConversationId = null, string? Article = null);

public sealed record AskFilters(IReadOnlyList<string>? Authors = null, string? From = null, string? To = null, IReadOnlyList<string>? Sections = null, IReadOnlyList<string>? ArticleIds = null);

/// <summary>An article's metadata as the API returns it.</summary>
public sealed record ArticleDocument(string Id, string Title, IReadOnlyList<string> Authors, string? Publication, string? Section, string? Published, string DatePrecision, string? Url)
{
    public static ArticleDocument From(ArticleSummary a) => new(a.Id, a.Title, a.Authors, a.Publication, a.Section, Date(a.Published), a.DatePrecision.ToString().ToLowerInvariant(), a.Url);

    public static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary><c>GET /api/articles/{id}</c>: metadata and the full stored text (citation offsets point into it).</summary>
public sealed record ArticleTextDocument(string Id, string Title, IReadOnlyList<string> Authors, string? Publication, string? Section, string? Published, string DatePrecision, string? Url, string Text)
{
    public static ArticleTextDocument From(Article a) => new(a.Id, a.Title, a.Authors, a.Publication, a.Section, ArticleDocument.Date(a.Published), a.DatePrecision.ToString().ToLowerInvariant(), a.Url, a.Text);
}

/// <summary>One hit of <c>GET /api/search</c>: the article and its best quote.</summary>
public sealed record SearchHitDocument(ArticleDocument Article, double Score, Citation Quote);

public sealed record SearchDocument(string Query, string Order, int Count, IReadOnlyList<SearchHitDocument> Results);

public sealed record AuthorDocument(string Name, string? Bio, int ArticleCount, string? FirstPublished, string? LastPublished)
{
    public static AuthorDocument From(AuthorSummary a) => new(a.Name, a.Bio, a.ArticleCount, ArticleDocument.Date(a.FirstPublished), ArticleDocument.Date(a.LastPublished));
}

public sealed record AuthorDetailDocument(string Name, string? Bio, int ArticleCount, string? FirstPublished, string? LastPublished, IReadOnlyList<ArticleDocument> Articles);

/// <summary>
/// <c>/health</c>: <c>reason</c> says what is wrong when the status is not ok; <c>state</c> is where conversation state lives
/// (memory, sqlite, redis), and <c>degraded</c> means answers work while conversations wait for shared state; <c>sync</c>, when
/// website sources are configured, what their sync is doing and how each one's last run ended (a failed sync leaves the status
/// ok: the index still answers).
/// </summary>
public sealed record HealthDocument(string Status, string Index, int Articles, int Passages, int Authors, string? Reason = null, string? State = null)
{
    public Hosting.SyncHealth? Sync { get; init; }
}
