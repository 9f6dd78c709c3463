using System.Globalization;
using System.Text.Json;
using Clippings.Answering;
using Clippings.Archive;
using Clippings.Conversations;
using Clippings.Insights;
using Clippings.Server.Bot;
using Clippings.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Bot.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Api;

/// <summary>The editors' JSON API: ask, coverage search, articles, authors; and the health endpoint.</summary>
internal static class ApiEndpoints
{
    public const string RateLimitPolicy = "api";

    /// <summary>The channel editors' insights log <c>/api/ask</c> questions under (not the API key's name: no user ids).</summary>
    public const string QuestionLogChannel = "api";

    private static readonly JsonSerializerOptions CompactJson = new(AnswerDocument.JsonOptions) { WriteIndented = false };

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api")
            .WithMetadata(EditorApiEndpoint.Instance)
            .RequireRateLimiting(RateLimitPolicy)
            .WithTags("Editors' API")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapPost("/ask", AskAsync)
            .WithName("Ask")
            .WithSummary("Ask a question; the answer cites the archive (the JSON of `clippings ask --json`). `?stream=true` answers as server-sent events.")
            .Accepts<AskBody>("application/json")
            .Produces<AnswerDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/search", SearchAsync)
            .WithName("Search")
            .WithSummary("What have we said about X: matching articles, each with its best quote, newest first (order=date) or by relevance.")
            .Produces<SearchDocument>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/articles/{id}", GetArticleAsync)
            .WithName("GetArticle")
            .WithSummary("One article with its full stored text (citation offsets point into it).")
            .Produces<ArticleTextDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/authors", ListAuthorsAsync)
            .WithName("ListAuthors")
            .WithSummary("Every author with their article count and first and last dates.")
            .Produces<IReadOnlyList<AuthorDocument>>();
        api.MapGet("/authors/{name}", GetAuthorAsync)
            .WithName("GetAuthor")
            .WithSummary("One author (name matched without regard to case) with their articles, newest first.")
            .Produces<AuthorDetailDocument>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet("/health", HealthAsync)
            .WithName("Health")
            .WithTags("Service")
            .WithSummary("Whether the service and its index answer; the index's size.")
            .Produces<HealthDocument>()
            .Produces<HealthDocument>(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> AskAsync(
        HttpContext context, [FromBody] AskBody? body, [FromQuery] bool? stream,
        ArchiveAssistant assistant, ApiConversationStore conversations, QuestionLog questions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body?.Question))
        {
            return Problem(StatusCodes.Status400BadRequest, "A question is required", "Send JSON like {\"question\": \"Who wrote about the eel grass survey?\"}.");
        }

        if (!TryFilter(body.Filters, out var filter, out var filterError))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid filters", filterError);
        }

        var client = ApiAccessMiddleware.ClientName(context);
        var conversation = body.ConversationId is null ? Conversation.Empty : await conversations.GetAsync(client, body.ConversationId, cancellationToken);
        if (!string.IsNullOrWhiteSpace(body.Article))
        {
            var article = await assistant.FindArticleByUrlAsync(body.Article, cancellationToken)
                ?? (await assistant.Index.GetArticleAsync(body.Article, cancellationToken))?.ToSummary();
            if (article is null)
            {
                return Problem(StatusCodes.Status400BadRequest, "Unknown article", $"No article with id or URL '{body.Article}' in the archive.");
            }

            conversation = conversation with { ScopedArticleId = article.Id };
        }

        var request = new AskRequest(body.Question, conversation, filter);
        if (stream == true)
        {
            await StreamAsync(context, assistant, request, body, client, conversations, questions, cancellationToken);
            return Results.Empty;
        }

        var answer = await assistant.AskAsync(request, cancellationToken);
        await questions.RecordAnswerAsync(QuestionLogChannel, body.Question, answer);
        if (body.ConversationId is not null)
        {
            await conversations.SaveAsync(client, body.ConversationId, conversation.With(new ConversationTurn(body.Question, answer)), cancellationToken);
        }

        return Results.Json(AnswerDocument.From(answer), AnswerDocument.JsonOptions);
    }

    /// <summary>Server-sent events: <c>event: delta</c> with <c>{"text"}</c> as the answer is written, then <c>event: answer</c> with the full answer JSON.</summary>
    private static async Task StreamAsync(HttpContext context, ArchiveAssistant assistant, AskRequest request, AskBody body, string client, ApiConversationStore conversations, QuestionLog questions, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.StartAsync(cancellationToken);
        Answer? final = null;
        await foreach (var update in assistant.AskStreamingAsync(request, cancellationToken))
        {
            if (update.Final is not null)
            {
                final = update.Final;
                await WriteEventAsync(context.Response, "answer", JsonSerializer.Serialize(AnswerDocument.From(final), CompactJson), cancellationToken);
                await questions.RecordAnswerAsync(QuestionLogChannel, body.Question!, final);
            }
            else if (!string.IsNullOrEmpty(update.TextDelta))
            {
                await WriteEventAsync(context.Response, "delta", JsonSerializer.Serialize(new { text = SafeMarkdown.Escape(update.TextDelta) }, CompactJson), cancellationToken);
            }
        }

        if (final is not null && body.ConversationId is not null)
        {
            await conversations.SaveAsync(client, body.ConversationId, request.Conversation!.With(new ConversationTurn(body.Question!, final)), cancellationToken);
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string name, string json, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {name}\ndata: {json}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static async Task<IResult> SearchAsync(
        string? q, string? author, string? from, string? to, string? section, string? order, int? limit,
        ArchiveAssistant assistant, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            return Problem(StatusCodes.Status400BadRequest, "A query is required", "Use /api/search?q=WORDS, optionally with author, from, to (yyyy, yyyy-mm or yyyy-mm-dd), section, order=date|relevance, limit.");
        }

        if (!TryFilter(new AskFilters(Split(author), from, to, Split(section)), out var filter, out var error))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid filters", error);
        }

        CoverageOrder coverageOrder;
        switch (order?.Trim().ToLowerInvariant())
        {
            case null or "" or "date":
                coverageOrder = CoverageOrder.Date;
                break;
            case "relevance":
                coverageOrder = CoverageOrder.Relevance;
                break;
            default:
                return Problem(StatusCodes.Status400BadRequest, "Invalid order", $"order is 'date' (newest first, the default) or 'relevance', not '{order}'.");
        }

        var max = options.Value.MaxSearchResults;
        var items = await assistant.SearchArticlesAsync(q.Trim(), filter, coverageOrder, Math.Clamp(limit ?? 20, 1, max), cancellationToken);
        var results = items.Select((i, n) => new SearchHitDocument(ArticleDocument.From(i.Article), Math.Round(i.Score, 4), i.BestQuote with { N = n + 1 })).ToList();
        return Results.Json(new SearchDocument(q.Trim(), coverageOrder.ToString().ToLowerInvariant(), results.Count, results), AnswerDocument.JsonOptions);
    }

    private static async Task<IResult> GetArticleAsync(string id, ArchiveAssistant assistant, CancellationToken cancellationToken)
    {
        var article = await assistant.Index.GetArticleAsync(id, cancellationToken);
        return article is null
            ? Problem(StatusCodes.Status404NotFound, "No such article", $"The archive holds no article with id '{id}'. /api/search finds articles by subject.")
            : Results.Json(ArticleTextDocument.From(article), AnswerDocument.JsonOptions);
    }

    private static async Task<IResult> ListAuthorsAsync(ArchiveAssistant assistant, CancellationToken cancellationToken)
    {
        var authors = await assistant.Index.ListAuthorsAsync(cancellationToken);
        return Results.Json(authors.Select(AuthorDocument.From).ToList(), AnswerDocument.JsonOptions);
    }

    private static async Task<IResult> GetAuthorAsync(string name, ArchiveAssistant assistant, CancellationToken cancellationToken)
    {
        var authors = await assistant.Index.ListAuthorsAsync(cancellationToken);
        var author = authors.FirstOrDefault(a => string.Equals(a.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (author is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such author", $"The archive has no author named '{name}'. /api/authors lists them.");
        }

        var articles = await assistant.Index.ListArticlesAsync(new SearchFilter { Authors = [author.Name] }, cancellationToken);
        var document = new AuthorDetailDocument(author.Name, author.Bio, author.ArticleCount, ArticleDocument.Date(author.FirstPublished), ArticleDocument.Date(author.LastPublished), articles.Select(ArticleDocument.From).ToList());
        return Results.Json(document, AnswerDocument.JsonOptions);
    }

    private static string StateDescription(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<State.StateOptions>>().Value.Provider.Trim().ToLowerInvariant();

    private static async Task<IResult> HealthAsync(HttpContext http, IArchiveIndex index, ILoggerFactory loggers, Hosting.SyncStatus syncStatus, Microsoft.Extensions.Options.IOptions<Ingestion.Web.SyncOptions> syncOptions, CancellationToken cancellationToken)
    {
        var sync = syncOptions.Value.Sources.Count > 0 ? syncStatus.Snapshot() : null;
        // The index's kind and file name only: the absolute path tells an outsider about the machine.
        var description = PublicDescription(index.Description);
        try
        {
            var stats = await index.GetStatsAsync(cancellationToken);
            if (index is Storage.Sqlite.FaultReportingIndex { Damage: { } damage })
            {
                // Counting rows can succeed on a file whose passages are damaged: answers would all fail, so say so here.
                return Results.Json(new HealthDocument("unhealthy", description, stats.Articles, stats.Passages, stats.Authors, Hide(damage, index.Description)) { Sync = sync }, AnswerDocument.JsonOptions, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var state = StateDescription(http);
            if (http.RequestServices.GetService<State.RedisState>() is { Failure: { } failure })
            {
                // Stateless answers still work, so a load balancer keeps the instance (200); conversations answer 503 until Redis returns.
                return Results.Json(new HealthDocument("degraded", description, stats.Articles, stats.Passages, stats.Authors,
                    $"The shared state store (Redis) does not answer ({failure}): conversations answer 503 until it returns; /api/ask without a conversation still answers.", state) { Sync = sync }, AnswerDocument.JsonOptions);
            }

            return Results.Json(new HealthDocument("ok", description, stats.Articles, stats.Passages, stats.Authors, State: state) { Sync = sync }, AnswerDocument.JsonOptions);
        }
        catch (ClippingsException ex)
        {
            loggers.CreateLogger("Clippings.Server.Health").LogWarning("Health check: the index does not answer: {Reason}", ex.Message);
            return Results.Json(new HealthDocument("unavailable", description, 0, 0, 0, Hide(ex.Message, index.Description)) { Sync = sync }, AnswerDocument.JsonOptions, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static string Hide(string reason, string description) =>
        description.StartsWith("sqlite:", StringComparison.Ordinal) ? reason.Replace(description["sqlite:".Length..], Path.GetFileName(description["sqlite:".Length..]), StringComparison.Ordinal) : reason;

    /// <summary><c>sqlite:/abs/path/clippings.db</c> → <c>sqlite:clippings.db</c>; other descriptions (Qdrant URLs) unchanged.</summary>
    internal static string PublicDescription(string description) =>
        description.StartsWith("sqlite:", StringComparison.Ordinal) ? "sqlite:" + Path.GetFileName(description["sqlite:".Length..]) : description;

    internal static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    private static IReadOnlyList<string>? Split(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryFilter(AskFilters? filters, out SearchFilter filter, out string error)
    {
        filter = SearchFilter.None;
        error = "";
        if (filters is null)
        {
            return true;
        }

        if (!TryDate(filters.From, start: true, out var from) || !TryDate(filters.To, start: false, out var to))
        {
            error = "Dates are yyyy, yyyy-mm or yyyy-mm-dd (from is the first day, to the last day of that period).";
            return false;
        }

        if (from is not null && to is not null && from > to)
        {
            error = $"from ({filters.From}) is after to ({filters.To}).";
            return false;
        }

        filter = new SearchFilter
        {
            Authors = NonEmpty(filters.Authors),
            Sections = NonEmpty(filters.Sections),
            ArticleIds = NonEmpty(filters.ArticleIds),
            From = from,
            To = to,
        };
        return true;
    }

    private static IReadOnlyList<string>? NonEmpty(IReadOnlyList<string>? values) =>
        values?.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList() is { Count: > 0 } list ? list : null;

    /// <summary>yyyy, yyyy-mm or yyyy-mm-dd; a year or month means its first day (start) or last day (end).</summary>
    internal static bool TryDate(string? value, bool start, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        var text = value.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            date = day;
        }
        else if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && text.Length == 7)
        {
            // Not AddMonths(1): December 9999 has no next month (that was a 500).
            date = start ? month : new DateOnly(month.Year, month.Month, DateTime.DaysInMonth(month.Year, month.Month));
        }
        else if (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1 and <= 9999)
        {
            date = start ? new DateOnly(year, 1, 1) : new DateOnly(year, 12, 31);
        }

        return date is not null;
    }
}
