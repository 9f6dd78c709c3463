using System.Diagnostics;
using System.Text.RegularExpressions;
using Clippings.Archive;
using Clippings.Embeddings;
using Clippings.Storage;
using Clippings.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Retrieval;

/// <summary>Bound from <c>Clippings:Retrieval</c>.</summary>
public sealed class RetrievalOptions
{
    public const string SectionName = "Clippings:Retrieval";

    /// <summary>Passages fetched per search before grouping to articles.</summary>
    public int CandidatePassages { get; set; } = 40;

    /// <summary>
    /// Below this best cosine similarity the archive is taken to have nothing on the question (refusal).
    /// Calibrated for snowflake-arctic-embed-xs with `clippings calibrate` on every archive's question sets; other embedders need their own.
    /// </summary>
    public double RelevanceThreshold { get; set; } = 0.50;

    /// <summary>
    /// At or above this best cosine the match is trusted even when the question uses a word the archive never prints;
    /// below it, such a word marks the question as off-topic. Calibrated like <see cref="RelevanceThreshold"/>.
    /// </summary>
    public double ConfidentThreshold { get; set; } = 0.62;

    /// <summary>
    /// Weight of the lexical leg in hybrid fusion (reciprocal ranks; the dense leg weighs 1). Measured on the shared corpus,
    /// the Go blog and the sample archive: paraphrased questions suffer when BM25 counts as much as the embedding.
    /// </summary>
    public double LexicalWeight { get; set; } = 1.0;

    /// <summary>
    /// Where the patterns find no kind, the question's nearest written exemplars may ("anything on trams?" lists coverage):
    /// measured with <c>clippings bench intents</c> and on every question set (README, Evaluation).
    /// </summary>
    public bool KindsByExemplars { get; set; } = true;

    /// <summary>A question about two subjects ("the night buses and the cycle lanes") is also searched one subject at a time.</summary>
    public bool SearchQuestionParts { get; set; } = true;

    /// <summary>Articles returned for a passages question.</summary>
    public int MaxArticles { get; set; } = 10;

    /// <summary>Pieces listed for coverage and listing questions.</summary>
    public int MaxListed { get; set; } = 25;

    /// <summary>
    /// Retrievals (query embedding + search, CPU-bound with the local encoder) running at once; more wait their turn without
    /// holding a thread. 0 = one per core. Keeps a loaded server answering health checks and short requests promptly.
    /// </summary>
    public int MaxConcurrentRetrievals { get; set; }
}

/// <summary>
/// Runs a <see cref="QueryPlan"/> against the index: hybrid search with the plan's filters (relaxed when a
/// question-derived filter finds nothing), grouping to articles with boosts for named articles, metadata
/// listings, and the calibrated decision whether the archive has anything relevant.
/// </summary>
public sealed partial class ArchiveRetriever : IDisposable
{
    /// <summary>Words too general to signal that a question is outside the archive.</summary>
    private static readonly HashSet<string> GenericWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "write", "wrote", "written", "writes", "writing", "say", "says", "said", "think", "thinks", "argue", "argues", "argued",
        "paper", "papers", "essay", "essays", "article", "articles", "piece", "pieces", "column", "columns", "archive",
        "author", "authors", "mean", "means", "meant", "explain", "describe", "tell", "make", "makes", "made", "give", "gives",
        "according", "mention", "mentions", "discuss", "discusses", "view", "views", "opinion", "idea", "ideas", "number",
    };

    private readonly IArchiveIndex _index;
    private readonly ArchiveEmbedder _embedder;
    private readonly ArchiveCatalogProvider _catalog;
    private readonly RetrievalOptions _options;
    private readonly SemaphoreSlim _concurrency;
    private readonly ILogger<ArchiveRetriever> _logger;

    public ArchiveRetriever(IArchiveIndex index, ArchiveEmbedder embedder, ArchiveCatalogProvider catalog, IOptions<RetrievalOptions> options, ILogger<ArchiveRetriever> logger)
    {
        _index = index;
        _embedder = embedder;
        _catalog = catalog;
        _options = options.Value;
        _logger = logger;
        var slots = _options.MaxConcurrentRetrievals > 0 ? _options.MaxConcurrentRetrievals : Environment.ProcessorCount;
        _concurrency = new SemaphoreSlim(slots, slots);
    }

    public void Dispose() => _concurrency.Dispose();

    public RetrievalOptions Options => _options;

    public async Task<RetrievalResult> RetrieveAsync(QueryPlan plan, SearchMode mode, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RetrieveOneAsync(plan, mode, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private async Task<RetrievalResult> RetrieveOneAsync(QueryPlan plan, SearchMode mode, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var catalog = await _catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var authors = plan.Authors.Select(a => catalog.FindAuthor(a) ?? new AuthorSummary(a, null, 0, null, null)).ToList();
        var searchText = plan.Intent == QuestionIntent.AuthorProfile ? ExpandWithBio(plan.SearchText, authors) : plan.SearchText;
        var vector = mode == SearchMode.Lexical ? ReadOnlyMemory<float>.Empty : await _embedder.EmbedQueryAsync(searchText, cancellationToken).ConfigureAwait(false);
        if (plan.MissingArticle is not null || plan.PremiseProblem is not null)
        {
            // The premise fails (no such article, a date outside the archive): say so, pointing at the nearest pieces.
            var nearest = mode == SearchMode.Lexical && plan.MissingArticle is not null ? [] : await SearchAsync(searchText, vector, SearchFilter.None, mode, cancellationToken).ConfigureAwait(false);
            return new RetrievalResult { IsRelevant = false, Authors = authors, Articles = plan.PremiseProblem is null ? [] : GroupToArticles(nearest, plan, catalog) };
        }

        var notes = new List<string>();
        if (plan.Events is { } events)
        {
            plan = await WithEventDatesAsync(plan, events, catalog, notes, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<ArticleSummary> listing = [];
        if (plan.Intent is QuestionIntent.ArticleList or QuestionIntent.AuthorProfile)
        {
            listing = Ordered(await ListAsync(plan, cancellationToken).ConfigureAwait(false), plan.Order);
        }
        else if (plan.Intent == QuestionIntent.AuthorList)
        {
            listing = await ListAuthorsLatestAsync(plan, catalog, cancellationToken).ConfigureAwait(false);
        }

        var filter = plan.ScopedArticleId is not null ? plan.Filter with { ArticleIds = [plan.ScopedArticleId] } : plan.Filter;
        if (plan.ExcludedAuthors.Count > 0)
        {
            // "Apart from X's own": the index leaves X's pieces out, so they take no candidate slots.
            filter = filter with { ExcludeAuthors = plan.ExcludedAuthors };
        }
        IReadOnlyList<PassageHit> hits;
        if (plan.MentionedName is { } mentioned)
        {
            hits = await MentionsAsync(mentioned, plan, filter, cancellationToken).ConfigureAwait(false);
            if (hits.Count == 0)
            {
                notes.Add($"No piece{(plan.ExcludedAuthors.Count > 0 ? " by anyone else" : "")} mentions {mentioned}; these are the closest matches.");
                hits = await SearchAsync(searchText, vector, filter, mode, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            hits = await SearchAsync(searchText, vector, filter, mode, cancellationToken).ConfigureAwait(false);
            var corrections = await SpellingCorrectionsAsync(plan, hits, catalog, cancellationToken).ConfigureAwait(false);
            if (corrections.Count > 0)
            {
                // Search again with the archive's spelling: a typo costs the embedding as much as the lexical leg.
                searchText = ContentWordSpelling.Apply(searchText, corrections);
                plan = plan with
                {
                    SearchText = ContentWordSpelling.Apply(plan.SearchText, corrections),
                    AboutPhrase = plan.AboutPhrase is null ? null : ContentWordSpelling.Apply(plan.AboutPhrase, corrections),
                    OrderSubject = plan.OrderSubject is null ? null : ContentWordSpelling.Apply(plan.OrderSubject, corrections),
                    Parts = plan.Parts.Select(p => ContentWordSpelling.Apply(p, corrections)).ToList(),
                };
                vector = mode == SearchMode.Lexical ? ReadOnlyMemory<float>.Empty : await _embedder.EmbedQueryAsync(searchText, cancellationToken).ConfigureAwait(false);
                hits = await SearchAsync(searchText, vector, filter, mode, cancellationToken).ConfigureAwait(false);
                notes.AddRange(corrections.Select(c => $"Reading “{c.Typed}” as “{c.Corrected}”."));
            }
        }

        if (_options.SearchQuestionParts && plan.Parts.Count > 1 && plan.MentionedName is null && hits.Count > 0)
        {
            hits = await WithPartsAsync(hits, plan, filter, mode, cancellationToken).ConfigureAwait(false);
        }

        // A filter the question implied (a year, an author) that finds nothing is relaxed rather than obeyed blindly, and the answer says so.
        if (hits.Count == 0 && plan.HasDateScope && filter.From is not null | filter.To is not null)
        {
            notes.Add($"Nothing matched {DateScope.Describe(filter.From, filter.To)}; these are the closest pieces from other dates.");
            filter = filter with { From = null, To = null };
            hits = await SearchAsync(searchText, vector, filter, mode, cancellationToken).ConfigureAwait(false);
        }

        if (plan.ScopedArticleId is not null && BestDense(hits) < _options.RelevanceThreshold)
        {
            // The scoped article has nothing on it: look across the archive, still favouring the scoped piece.
            var wide = await SearchAsync(searchText, vector, plan.Filter, mode, cancellationToken).ConfigureAwait(false);
            hits = hits.Concat(wide).DistinctBy(h => (h.Article.Id, h.Ordinal)).ToList();
        }

        if (plan.RequireAllAuthors && plan.Authors.Count > 1)
        {
            hits = hits.Where(h => plan.Authors.All(a => h.Article.Authors.Contains(a, StringComparer.OrdinalIgnoreCase))).ToList();
        }

        var articles = OrderCloseMatches(GroupToArticles(hits, plan, catalog), plan.Order);
        articles = await WithSeriesEndFirstAsync(articles, plan, filter, searchText, vector, mode, catalog, cancellationToken).ConfigureAwait(false);
        var topDense = BestDense(hits);
        var (relevant, absent, byThresholds) = await IsRelevantAsync(plan, hits, topDense, listing, catalog, cancellationToken).ConfigureAwait(false);

        _logger.LogInformation(
            "Retrieved {Passages} passages in {Articles} articles for {Intent} question (mode {Mode}, top cosine {TopDense:F3}, relevant {Relevant}, filter {@Filter}) in {ElapsedMs} ms",
            hits.Count, articles.Count, plan.Intent, mode, topDense, relevant, DescribeFilter(filter), stopwatch.ElapsedMilliseconds);

        return new RetrievalResult
        {
            Passages = hits,
            Articles = articles,
            IsRelevant = relevant,
            TopDenseScore = topDense,
            Authors = authors,
            Listing = listing,
            Notes = notes,
            AbsentName = absent,
            ByThresholds = byThresholds,
        };
    }

    /// <summary>
    /// A question about two subjects ("the eel grass survey and the oyster beds"): each part is searched on its own and its
    /// best pieces join the whole question's, each passage keeping its better score, so neither subject crowds out the other.
    /// </summary>
    private async Task<IReadOnlyList<PassageHit>> WithPartsAsync(IReadOnlyList<PassageHit> hits, QueryPlan plan, SearchFilter filter, SearchMode mode, CancellationToken cancellationToken)
    {
        // Each part already has a piece among the whole question's best: nothing to add, and two searches saved.
        var best = hits.Select(h => h.Article.Id).Distinct(StringComparer.OrdinalIgnoreCase).Take(3).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bestTerms = hits.Where(h => best.Contains(h.Article.Id)).SelectMany(h => LexicalAnalyzer.Analyze(h.Article.Title + " " + h.Text)).ToHashSet(StringComparer.Ordinal);
        var partTerms = plan.Parts.Select(p => LexicalAnalyzer.Analyze(p).ToHashSet(StringComparer.Ordinal)).ToList();
        var distinctive = partTerms.Select((terms, i) => terms.Where(t => !partTerms.Where((_, j) => j != i).Any(o => o.Contains(t))).ToList()).ToList();
        if (distinctive.All(terms => terms.Count > 0 && terms.Any(bestTerms.Contains)))
        {
            return hits;
        }

        var merged = new Dictionary<(string, int), PassageHit>();
        foreach (var hit in hits)
        {
            merged.TryAdd((hit.Article.Id, hit.Ordinal), hit);
        }

        foreach (var part in plan.Parts)
        {
            var vector = mode == SearchMode.Lexical ? ReadOnlyMemory<float>.Empty : await _embedder.EmbedQueryAsync(part, cancellationToken).ConfigureAwait(false);
            var partHits = await SearchAsync(part, vector, filter, mode, cancellationToken).ConfigureAwait(false);
            var partBest = partHits.Select(h => h.Article.Id).Distinct(StringComparer.OrdinalIgnoreCase).Take(PartArticles).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var hit in partHits.Where(h => partBest.Contains(h.Article.Id)))
            {
                if (!merged.TryGetValue((hit.Article.Id, hit.Ordinal), out var known) || known.Score < hit.Score)
                {
                    merged[(hit.Article.Id, hit.Ordinal)] = hit;
                }
            }
        }

        _logger.LogInformation("Searched {Parts} parts of the question on their own", plan.Parts.Count);
        return merged.Values.OrderByDescending(h => h.Score).ToList();
    }

    /// <summary>How many of each part's best pieces join the whole question's.</summary>
    private const int PartArticles = 2;

    /// <summary>
    /// "Between the Go 1.16 and Go 1.17 release announcements": each event is the piece whose title carries its numbers and
    /// most of its words, found by search; the range runs strictly between their dates. An event no title names is said,
    /// and the question is searched as it stands.
    /// </summary>
    private async Task<QueryPlan> WithEventDatesAsync(QueryPlan plan, EventRange events, ArchiveCatalog catalog, List<string> notes, CancellationToken cancellationToken)
    {
        var after = events.After is null ? null : await FindEventAsync(events.After, cancellationToken).ConfigureAwait(false);
        var before = events.Before is null ? null : await FindEventAsync(events.Before, cancellationToken).ConfigureAwait(false);
        if ((events.After is not null && after is null) || (events.Before is not null && before is null))
        {
            notes.Add($"I couldn't tell which piece “{(after is null ? events.After : events.Before)}” is, so this is a search, not a listing by date.");
            return plan with { Intent = QuestionIntent.Passages, Events = null };
        }

        var from = after?.Published?.AddDays(1);
        var to = before?.Published?.AddDays(-1);
        _logger.LogInformation("Dated the question's range by {After} and {Before}", after?.Id, before?.Id);
        notes.Add($"Between {Describe(after)} and {Describe(before)}.");
        return plan with { Filter = plan.Filter with { From = plan.Filter.From ?? from, To = plan.Filter.To ?? to }, HasDateScope = true };

        static string Describe(ArticleSummary? piece) => piece is null ? "now"
            : $"*{piece.Title}* ({piece.Published?.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)})";
    }

    private async Task<ArticleSummary?> FindEventAsync(string phrase, CancellationToken cancellationToken)
    {
        var vector = await _embedder.EmbedQueryAsync(phrase, cancellationToken).ConfigureAwait(false);
        var hits = await SearchAsync(phrase, vector, SearchFilter.None, SearchMode.Hybrid, cancellationToken).ConfigureAwait(false);
        var numbers = SeriesNumber().Matches(phrase).Select(m => m.Value).ToList();
        var terms = LexicalAnalyzer.Analyze(phrase).Where(t => !t.Any(char.IsDigit)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var article in hits.Select(h => h.Article).DistinctBy(a => a.Id).Take(5))
        {
            // The title must carry every number of the event ("1.16" exactly, not "1.16.1") and at least half its words.
            var titleTerms = LexicalAnalyzer.Analyze(article.Title).ToHashSet(StringComparer.Ordinal);
            var titleNumbers = SeriesNumber().Matches(article.Title).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            if (article.Published is not null && numbers.All(titleNumbers.Contains) && (terms.Count == 0 || terms.Count(t => InTitle(t, titleTerms)) * 2 >= terms.Count))
            {
                return article;
            }
        }

        // "release" and "released" stem apart: a shared beginning of four letters or more is the same word here.
        static bool InTitle(string term, HashSet<string> title) => title.Contains(term)
            || (term.Length >= 4 && title.Any(t => t.Length >= 4 && (t.StartsWith(term, StringComparison.Ordinal) || term.StartsWith(t, StringComparison.Ordinal))));

        _logger.LogInformation("No title names the event {Event} (numbers {Numbers}, words {Terms}); nearest {Titles}", phrase, numbers, terms, hits.Select(h => h.Article.Title).Distinct().Take(5));
        return null;
    }

    private static IReadOnlyList<ArticleSummary> Ordered(IReadOnlyList<ArticleSummary> listed, DateOrder order) => order == DateOrder.OldestFirst
        ? listed.OrderBy(a => a.Published ?? DateOnly.MaxValue).ToList()
        : listed;

    /// <summary>
    /// "The latest release post": among the articles that match about as well as the best one, the date order decides.
    /// Articles that match clearly worse keep their place behind them.
    /// </summary>
    internal static List<ArticleMatch> OrderCloseMatches(List<ArticleMatch> articles, DateOrder order)
    {
        if (order == DateOrder.None || articles.Count < 2)
        {
            return articles;
        }

        var best = articles[0].Passages[0].DenseScore ?? articles[0].Score;
        var close = articles.Where(a => (a.Passages[0].DenseScore ?? a.Score) >= best - 0.04 && a.Article.Published is not null).ToList();
        var ordered = order == DateOrder.NewestFirst
            ? close.OrderByDescending(a => a.Article.Published).ToList()
            : close.OrderBy(a => a.Article.Published).ToList();
        return ordered.Concat(articles.Where(a => !close.Contains(a))).ToList();
    }

    /// <summary>
    /// "The latest release announcement", "the first anniversary post": when the best match belongs to a numbered series
    /// (titles that differ only in their numbers, such as "Go 1.16 is released" … "Go 1.27 is released"), the series' newest
    /// or oldest piece in scope is what was asked for, even when retrieval ranked a sibling higher or missed it.
    /// </summary>
    private async Task<List<ArticleMatch>> WithSeriesEndFirstAsync(List<ArticleMatch> articles, QueryPlan plan, SearchFilter filter, string searchText, ReadOnlyMemory<float> vector, SearchMode mode, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        if (plan.Order == DateOrder.None || articles.Count == 0 || plan.NamedArticleIds.Count > 0)
        {
            return articles;
        }

        var template = TitleTemplate(articles[0].Article.Title);
        if (!template.Contains('#', StringComparison.Ordinal) || !OrderWordQualifiesSeries(plan, template))
        {
            return articles;
        }

        var series = catalog.Articles
            .Where(a => a.Published is not null && TitleTemplate(a.Title) == template)
            .Where(a => (filter.From is null || a.Published >= filter.From) && (filter.To is null || a.Published <= filter.To))
            .Where(a => filter.Authors is not { Count: > 0 } || a.Authors.Any(n => filter.Authors.Contains(n, StringComparer.OrdinalIgnoreCase)))
            .ToList();
        if (series.Count < 3)
        {
            return articles;
        }

        var end = plan.Order == DateOrder.NewestFirst ? series.MaxBy(a => a.Published)! : series.MinBy(a => a.Published)!;
        if (string.Equals(end.Id, articles[0].Article.Id, StringComparison.OrdinalIgnoreCase))
        {
            return articles;
        }

        var passages = articles.FirstOrDefault(a => string.Equals(a.Article.Id, end.Id, StringComparison.OrdinalIgnoreCase))?.Passages
            ?? await SearchAsync(searchText, vector, filter with { ArticleIds = [end.Id] }, mode, cancellationToken).ConfigureAwait(false);
        if (passages.Count == 0)
        {
            return articles;
        }

        _logger.LogInformation("Putting {Article}, the {End} of the series {Template}, first", end.Id, plan.Order, template);
        return articles.Where(a => !string.Equals(a.Article.Id, end.Id, StringComparison.OrdinalIgnoreCase))
            .Prepend(new ArticleMatch(passages[0].Article, articles[0].Score, passages))
            .ToList();
    }

    /// <summary>
    /// The order word is about the series itself ("the latest go release announcement", "the first Spectator paper"), not
    /// about something inside a piece ("how long since he last went to a play"): a word of the series' titles follows it.
    /// </summary>
    private static bool OrderWordQualifiesSeries(QueryPlan plan, string template)
    {
        if (plan.OrderSubject is not { Length: > 0 } following)
        {
            return false;
        }

        var templateTerms = LexicalAnalyzer.Analyze(template).ToHashSet(StringComparer.Ordinal);
        return LexicalAnalyzer.Analyze(following).Any(templateTerms.Contains);
    }

    /// <summary>A title with its numbers replaced ("Go 1.16 is released" → "go # is released"): the shape a numbered series shares.</summary>
    internal static string TitleTemplate(string title) => SeriesNumber().Replace(title.ToLowerInvariant(), "#").Trim();

    /// <summary>"Who writes for …": every author in scope, most prolific first, each with their latest piece.</summary>
    private async Task<IReadOnlyList<ArticleSummary>> ListAuthorsLatestAsync(QueryPlan plan, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        var listed = await _index.ListArticlesAsync(plan.Filter, cancellationToken).ConfigureAwait(false);
        return listed.SelectMany(a => a.Authors.Select(n => (Author: n, Article: a)))
            .GroupBy(x => x.Author, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Count())
            .Select(g => g.First().Article)
            .Concat(listed)
            .DistinctBy(a => a.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Passages whose text names <paramref name="name"/> (as a phrase, any case), by lexical search, within the filter.</summary>
    private async Task<IReadOnlyList<PassageHit>> MentionsAsync(string name, QueryPlan plan, SearchFilter filter, CancellationToken cancellationToken)
    {
        var phrase = MentionTail().Replace(name, "").Trim();
        if (phrase.Length < 2)
        {
            return [];
        }

        var pattern = new Regex(@"\b" + string.Join(@"[\s\-]+", phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)) + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var lexical = await _index.SearchAsync(new PassageQuery(phrase, ReadOnlyMemory<float>.Empty, filter, SearchMode.Lexical, 200), cancellationToken).ConfigureAwait(false);
        return lexical.Where(h => pattern.IsMatch(h.Text)).ToList();
    }

    private async Task<IReadOnlyList<PassageHit>> SearchAsync(string text, ReadOnlyMemory<float> vector, SearchFilter filter, SearchMode mode, CancellationToken cancellationToken)
    {
        var reweigh = mode == SearchMode.Hybrid && Math.Abs(_options.LexicalWeight - 1.0) > 1e-9;
        var query = new PassageQuery(text, vector, filter, mode, _options.CandidatePassages, WithLegRanks: reweigh);
        var hits = await _index.SearchAsync(query, cancellationToken).ConfigureAwait(false);
        return reweigh ? Reweigh(hits, _options.LexicalWeight) : hits;
    }

    /// <summary>Re-fuses a hybrid result with the lexical leg weighted (both stores fuse with equal weights and k = 60).</summary>
    internal static IReadOnlyList<PassageHit> Reweigh(IReadOnlyList<PassageHit> hits, double lexicalWeight)
    {
        const int k = 60;
        return hits.Select(h => h with { Score = (h.DenseRank is { } d ? 1.0 / (k + d) : 0) + (h.LexicalRank is { } l ? lexicalWeight / (k + l) : 0) })
            .OrderByDescending(h => h.Score).ToList();
    }

    /// <summary>
    /// For questions about an author, the sentence of their bio that shares most words with the question
    /// ("pen name" → "essays signed 'Elia'") is added to the search: the archive's own note says what to look for.
    /// </summary>
    internal static string ExpandWithBio(string question, IReadOnlyList<AuthorSummary> authors)
    {
        var nameTerms = authors.SelectMany(a => LexicalAnalyzer.Analyze(a.Name)).ToHashSet(StringComparer.Ordinal);
        var questionTerms = LexicalAnalyzer.Analyze(question).Where(t => !nameTerms.Contains(t)).ToHashSet(StringComparer.Ordinal);
        var best = authors.Where(a => !string.IsNullOrWhiteSpace(a.Bio))
            .SelectMany(a => SentenceSplitter.Split(a.Bio!))
            .Select(s => (Sentence: s.Text, Overlap: LexicalAnalyzer.Analyze(s.Text).Distinct(StringComparer.Ordinal).Count(questionTerms.Contains)))
            .Where(s => s.Overlap > 0)
            .OrderByDescending(s => s.Overlap)
            .FirstOrDefault();
        return best.Sentence is null ? question : $"{question} {best.Sentence}";
    }

    private async Task<IReadOnlyList<ArticleSummary>> ListAsync(QueryPlan plan, CancellationToken cancellationToken)
    {
        var listed = await _index.ListArticlesAsync(plan.Filter, cancellationToken).ConfigureAwait(false);
        if (plan.RequireAllAuthors && plan.Authors.Count > 1)
        {
            listed = listed.Where(a => plan.Authors.All(n => a.Authors.Contains(n, StringComparer.OrdinalIgnoreCase))).ToList();
        }

        return listed;
    }

    private List<ArticleMatch> GroupToArticles(IReadOnlyList<PassageHit> hits, QueryPlan plan, ArchiveCatalog catalog)
    {
        var questionTerms = LexicalAnalyzer.Analyze(plan.SearchText).ToHashSet(StringComparer.Ordinal);
        var matches = new List<ArticleMatch>();
        foreach (var group in hits.GroupBy(h => h.Article.Id, StringComparer.OrdinalIgnoreCase))
        {
            var passages = group.OrderByDescending(h => h.Score).ToList();
            var score = passages[0].Score + (passages.Count > 1 ? 0.3 * passages[1].Score : 0) + (passages.Count > 2 ? 0.1 * passages[2].Score : 0);

            // Titles are strong evidence ("the essay on roast pig"): boost by the share of title terms the question uses.
            if (catalog.TitleTerms.TryGetValue(group.Key, out var titleTerms) && titleTerms.Count > 0)
            {
                // One shared common word ("harbour") is no evidence; two, or a one-word title, are.
                var matched = titleTerms.Count(questionTerms.Contains);
                if (matched >= 2 || (matched == 1 && titleTerms.Count == 1))
                {
                    score *= 1 + (0.5 * matched / titleTerms.Count);
                }
            }

            if (plan.BoostedArticleIds.Contains(group.Key, StringComparer.OrdinalIgnoreCase) || string.Equals(plan.ScopedArticleId, group.Key, StringComparison.OrdinalIgnoreCase))
            {
                score *= 1.5;
            }

            if (plan.DatesFavourOnly && plan.Dates is { } dates && passages[0].Article.Published is { } published
                && (dates.From is null || published >= dates.From) && (dates.To is null || published <= dates.To))
            {
                score *= 1.3;
            }

            matches.Add(new ArticleMatch(passages[0].Article, score, passages));
        }

        return matches.OrderByDescending(m => m.Score).Take(Math.Max(_options.MaxArticles, plan.NamedArticleIds.Count)).ToList();
    }

    private async Task<(bool Relevant, string? Absent, ThresholdDecision? ByThresholds)> IsRelevantAsync(QueryPlan plan, IReadOnlyList<PassageHit> hits, double topDense, IReadOnlyList<ArticleSummary> listing, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        if (plan.Intent is QuestionIntent.ArticleList or QuestionIntent.AuthorList && listing.Count > 0)
        {
            return (true, null, null);
        }

        // A mention found in the text is evidence by itself.
        if (plan.MentionedName is not null && hits.Count > 0 && hits.All(h => h.DenseScore is null))
        {
            return (true, null, null);
        }

        // A follow-up whose previous subject is still among the best matches stays answerable.
        if (plan.BoostedArticleIds.Count > 0 && hits.Take(5).Any(h => plan.BoostedArticleIds.Contains(h.Article.Id, StringComparer.OrdinalIgnoreCase)))
        {
            return (true, null, null);
        }

        if (plan.Intent == QuestionIntent.AuthorProfile && plan.Authors.Count > 0 && !plan.Authors.Any(a => catalog.FindAuthor(a) is null))
        {
            return (true, null, null);
        }

        if (hits.Count == 0)
        {
            return (false, null, null);
        }

        var unknown = await UnknownWordsAsync(plan, hits, catalog, cancellationToken).ConfigureAwait(false);

        // What the question is about ("… about television") is a word the archive never prints, nor anything sharing its
        // stem: whatever matched is about something else, however close the embedding looks,
        // even in a piece the question names ("what does No. 10 say about television").
        if (unknown.FirstOrDefault(u => u.IsTopic) is { } topic && !await TopicAnchoredAsync(plan, unknown, catalog, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogInformation("Question is about {Term}, which the archive never prints", topic.Word);
            return (false, topic.Word, null);
        }

        if (await TopicOutsideScopeAsync(plan, catalog, cancellationToken).ConfigureAwait(false) is { } outside)
        {
            return (false, outside, null);
        }

        // Named articles were asked for explicitly: they are relevant by definition.
        if (plan.NamedArticleIds.Count > 0)
        {
            return (true, null, null);
        }

        if (await NumberedNameAbsentAsync(plan, hits, cancellationToken).ConfigureAwait(false) is { } numbered)
        {
            return (false, numbered, null);
        }

        if (await NamesSomethingAbsentAsync(plan, hits, catalog, cancellationToken).ConfigureAwait(false) is { } absent)
        {
            return (false, absent, null);
        }

        if (hits.All(h => h.DenseScore is null))
        {
            return (true, null, null);
        }

        // A rare word the archive has never printed ("smartphone", "sourdough") plus only a middling match: off-topic.
        // An ordinary word ("yearly", "happened") missing from the archive never refuses on its own.
        var rare = unknown.FirstOrDefault(u => !CommonEnglishWords.Available || !CommonEnglishWords.Contains(u.Word));
        var byThresholds = new ThresholdDecision(topDense, rare?.Word);
        var relevant = byThresholds.IsRelevantAt(_options.RelevanceThreshold, _options.ConfidentThreshold);
        if (!relevant && rare is not null && topDense >= _options.RelevanceThreshold)
        {
            _logger.LogInformation("Question uses {Term}, a rare word the archive never prints", rare.Word);
        }

        return (relevant, null, byThresholds);
    }

    /// <summary>Content words the archive never prints that are one or two edits from a word of the passages found.</summary>
    private async Task<IReadOnlyList<SpellingCorrection>> SpellingCorrectionsAsync(QueryPlan plan, IReadOnlyList<PassageHit> hits, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        var typed = plan.TypedNames.SelectMany(LexicalAnalyzer.Tokenize).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, int>? vocabulary = null;
        var corrections = new List<SpellingCorrection>();
        foreach (var token in LexicalAnalyzer.Tokenize(QuotedSpan().Replace(plan.SearchText, " ")).Distinct(StringComparer.Ordinal))
        {
            // An ordinary English word ("internet") is spelt right even when the archive never uses it: not a typo to fix.
            if (!ContentWordSpelling.IsCandidate(token) || typed.Contains(token) || GenericWords.Contains(token) || catalog.NameTokens.Contains(token)
                || (CommonEnglishWords.Available && CommonEnglishWords.Contains(token)))
            {
                continue;
            }

            if (await _catalog.TermOccursAsync(token, SearchFilter.None, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // The passages found, and every title (a typo can cost the search the very piece it names; the catalog keeps those words).
            vocabulary ??= ContentWordSpelling.Vocabulary(hits.Take(20).Select(h => h.Text));
            if (ContentWordSpelling.Correct(token, vocabulary, catalog.TitleVocabulary) is { } corrected)
            {
                _logger.LogInformation("Reading {Typed} as {Corrected}, a word of the passages found", token, corrected);
                corrections.Add(new SpellingCorrection(token, corrected));
            }
        }

        return corrections;
    }

    private sealed record UnknownWord(string Word, bool IsTopic);

    /// <summary>
    /// Content words of the question that the archive never prints (stemmed, anywhere) and that no word of the passages found
    /// shares a stem with ("atheists" / "atheism"), each marked when it is what the question is about.
    /// </summary>
    private async Task<IReadOnlyList<UnknownWord>> UnknownWordsAsync(QueryPlan plan, IReadOnlyList<PassageHit> hits, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        var typed = plan.TypedNames.SelectMany(LexicalAnalyzer.Tokenize).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var topicWords = TopicOf(plan);
        HashSet<string>? found = null;
        var unknown = new List<UnknownWord>();
        foreach (var token in LexicalAnalyzer.Tokenize(plan.SearchText).Distinct(StringComparer.Ordinal))
        {
            if (typed.Contains(token))
            {
                continue;
            }

            if (token.Length < 4 || token.All(char.IsDigit) || GenericWords.Contains(token) || catalog.NameTokens.Contains(token) || catalog.BioTokens.Contains(token) || LexicalAnalyzer.Analyze(token).Count == 0)
            {
                continue;
            }

            if (await _catalog.TermOccursAsync(token, SearchFilter.None, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            found ??= hits.Take(20).SelectMany(h => LexicalAnalyzer.Tokenize(h.Text + " " + h.Article.Title)).ToHashSet(StringComparer.Ordinal);
            var stem = Math.Max(6, token.Length - 2);
            if (token.Length > stem && found.Any(w => w.Length >= stem && string.CompareOrdinal(w, 0, token, 0, stem) == 0))
            {
                continue;
            }

            unknown.Add(new UnknownWord(token, topicWords.Contains(token)));
        }

        return unknown;
    }

    /// <summary>
    /// Whether the rest of the topic pins it to the archive: "the oyster season" is about the oyster piece even though the
    /// archive never prints "season", because "oyster" occurs in few of its pieces; "the new airport" is not, "new" is
    /// everywhere. Only a word before the missing one anchors it: a missing head ("season") with a specific modifier is a
    /// facet of what the archive covers, while a missing modifier ("nuclear weapons") names a kind of thing it never covers.
    /// </summary>
    private async Task<bool> TopicAnchoredAsync(QueryPlan plan, IReadOnlyList<UnknownWord> unknown, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        var specificAt = Math.Max(1, catalog.Articles.Count / 10);
        var words = plan.AboutPhrase is { } about ? LexicalAnalyzer.Tokenize(about).ToList() : [];
        var firstMissing = words.FindIndex(w => unknown.Any(u => u.IsTopic && u.Word == w));
        foreach (var word in words.Take(Math.Max(0, firstMissing)).Distinct(StringComparer.Ordinal))
        {
            if (word.Length < 3 || GenericWords.Contains(word) || LexicalAnalyzer.Analyze(word).Count == 0 || unknown.Any(u => u.Word == word))
            {
                continue;
            }

            if (await ArticlesWithTermAsync(word, SearchFilter.None, cancellationToken).ConfigureAwait(false) is > 0 and var articles && articles <= specificAt)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<int> ArticlesWithTermAsync(string word, SearchFilter filter, CancellationToken cancellationToken)
    {
        var hits = await _index.SearchAsync(new PassageQuery(word, ReadOnlyMemory<float>.Empty, filter, SearchMode.Lexical, 200), cancellationToken).ConfigureAwait(false);
        return hits.Select(h => h.Article.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count();
    }

    /// <summary>
    /// "What did Lamb say about steam engines?", "the Spectator on the French Revolution": a topic of two or more words that
    /// the archive prints as a phrase in a few pieces, but never within the authors, sections or dates the question asks
    /// about. The archive knows the thing, and the pieces asked about never discuss it; what matched is about its words apart.
    /// </summary>
    private async Task<string?> TopicOutsideScopeAsync(QueryPlan plan, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        var scope = ScopeOf(plan);
        if (plan.AboutPhrase is not { } about || (scope.Authors is not { Count: > 0 } && scope.Sections is not { Count: > 0 } && scope.From is null && scope.To is null))
        {
            return null;
        }

        var words = LexicalAnalyzer.Tokenize(about).SkipWhile(w => LexicalAnalyzer.Analyze(w).Count == 0).ToList();
        while (words.Count > 0 && LexicalAnalyzer.Analyze(words[^1]).Count == 0)
        {
            words.RemoveAt(words.Count - 1);
        }

        if (words.Count < 2 || words.Count > 5 || words.Count(w => LexicalAnalyzer.Analyze(w).Count > 0) < 2)
        {
            return null;
        }

        // Each word by its stem with any ending ("steam engine" / "steam-engines"), punctuation or hyphens between them.
        var pattern = new Regex(@"\b" + string.Join(@"[^\p{L}\p{N}]+", words.Select(w => Regex.Escape(PorterStemmer.Stem(w.ToLowerInvariant())) + @"\w{0,4}")) + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var phrase = string.Join(' ', words);
        var everywhere = await _index.SearchAsync(new PassageQuery(phrase, ReadOnlyMemory<float>.Empty, SearchFilter.None, SearchMode.Lexical, 200), cancellationToken).ConfigureAwait(false);
        var printedIn = everywhere.Where(h => pattern.IsMatch(h.Text)).Select(h => h.Article.Id).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (printedIn.Count == 0 || printedIn.Count > Math.Max(1, catalog.Articles.Count / 10))
        {
            return null;
        }

        var inScope = await _index.SearchAsync(new PassageQuery(phrase, ReadOnlyMemory<float>.Empty, scope, SearchMode.Lexical, 200), cancellationToken).ConfigureAwait(false);
        if (inScope.Any(h => pattern.IsMatch(h.Text) || pattern.IsMatch(h.Article.Title)))
        {
            return null;
        }

        _logger.LogInformation("Question is about {Phrase}, which the archive prints in {Articles} pieces, none of them in its scope", phrase, printedIn.Count);
        return $"{phrase} in {DescribeScope(scope)}";
    }

    /// <summary>"Charles Lamb's pieces", "The Spectator", "the pieces from 1711 to 1714".</summary>
    private static string DescribeScope(SearchFilter scope)
    {
        var parts = new List<string>();
        if (scope.Authors is { Count: > 0 } authors)
        {
            parts.Add($"{string.Join(" and ", authors)}'s pieces");
        }

        if (scope.Sections is { Count: > 0 } sections)
        {
            parts.Add(string.Join(" or ", sections));
        }

        var dates = DateScope.Describe(scope.From, scope.To);
        return parts.Count == 0 ? $"the pieces {dates}" : string.Join(" in ", parts) + (dates.Length > 0 ? " " + dates : "");
    }

    /// <summary>The words of what a question asks about: the phrase after "about", "regarding", "concerning".</summary>
    internal static HashSet<string> TopicOf(QueryPlan plan) => plan.AboutPhrase is { } about
        ? LexicalAnalyzer.Tokenize(about).ToHashSet(StringComparer.Ordinal)
        : [];

    /// <summary>
    /// The question names something (a proper noun, a named thing like "Report on Manufactures") that occurs
    /// nowhere in the archive: then whatever retrieval found is about something else.
    /// </summary>
    private async Task<string?> NamesSomethingAbsentAsync(QueryPlan plan, IReadOnlyList<PassageHit> hits, ArchiveCatalog catalog, CancellationToken cancellationToken)
    {
        var knownNames = catalog.NameTokens;
        var text = plan.SearchText;
        foreach (var date in plan.Dates?.Phrases ?? [])
        {
            text = text.Replace(date, " ", StringComparison.Ordinal);
        }

        // A quoted title or quotation that is no title of the archive (those were matched before this) must occur in its text.
        foreach (var quoted in plan.QuotedPhrases)
        {
            var words = LexicalAnalyzer.Tokenize(quoted).ToList();
            if (words.Count >= 2 && LexicalAnalyzer.Analyze(quoted).Count > 0
                && !catalog.Articles.Any(a => a.Title.Contains(quoted, StringComparison.OrdinalIgnoreCase))
                && !await PhraseOccursAsync(string.Join(' ', words), hits, cancellationToken).ConfigureAwait(false))
            {
                _logger.LogInformation("Question quotes {Quoted}, which the archive never prints", quoted);

                // A title is named back; any other quoted text is not repeated, so a reader cannot make the bot say it.
                return LooksLikeTitle(quoted) ? $"“{quoted}”" : "the words you quoted";
            }
        }

        // Quoted phrases were checked above; their capitalised words are not names to look for one by one.
        text = QuotedSpan().Replace(text, " ");

        foreach (Match phrase in CapitalisedPhrase().Matches(text))
        {
            var words = phrase.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(StripPossessive).ToList();
            if (phrase.Index == 0 || SentenceBoundaryBefore(text, phrase.Index))
            {
                words = words.Skip(1).ToList();
            }

            // Capitalised words that are neither names the catalog knows nor stop words nor generic question words.
            var unknown = words
                .Where(w => char.IsUpper(w[0]) || char.IsDigit(w[0]))
                .Where(w => LexicalAnalyzer.Analyze(w).Count > 0)
                .Where(w => LexicalAnalyzer.Tokenize(w).All(t => !knownNames.Contains(t) && !GenericWords.Contains(t)))
                .Where(w => !plan.TypedNames.Any(n => n.Contains(w, StringComparison.OrdinalIgnoreCase)))
                .ToList();

            foreach (var word in unknown.Where(w => !w.All(char.IsDigit)))
            {
                // Within the question's own scope: "Ossian in Johnson's Rambler" is absent even if Ossian is elsewhere.
                if (!await _catalog.TermOccursAsync(word, ScopeOf(plan), cancellationToken).ConfigureAwait(false))
                {
                    _logger.LogInformation("Question names {Term}, which occurs nowhere in its scope", word);
                    return word;
                }
            }

            // A name of several words ("Report on Manufactures", "War of 1812") must occur as a phrase, not just its words apart.
            if (unknown.Count >= 2)
            {
                var first = words.IndexOf(unknown[0]);
                var last = words.LastIndexOf(unknown[^1]);
                var phraseText = string.Join(' ', words.Skip(first).Take(last - first + 1));
                if (!await PhraseOccursAsync(phraseText, hits, cancellationToken).ConfigureAwait(false))
                {
                    _logger.LogInformation("Question names {Phrase}, which occurs nowhere in the archive", phraseText);
                    return phraseText;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A name with a number ("Go 1.28", "iphone 15", "Rambler No. 300") names one thing in a series: when the archive never
    /// prints that name with that number, whatever retrieval found is about its neighbours, and the answer must say so.
    /// Years are left to the date rules; titles the question names were matched before this.
    /// </summary>
    private async Task<string?> NumberedNameAbsentAsync(QueryPlan plan, IReadOnlyList<PassageHit> hits, CancellationToken cancellationToken)
    {
        foreach (Match match in NumberedName().Matches(plan.SearchText))
        {
            var name = match.Groups["name"].Value;
            var number = match.Groups["number"].Value;
            if (IsYear(number) || LexicalAnalyzer.Analyze(name).Count == 0 || GenericWords.Contains(name) || SeriesCountingWords.Contains(name))
            {
                continue;
            }

            var pattern = new Regex(
                @"\b" + Regex.Escape(name) + @"[\s\-]*(?:no\.?\s*|nos\.?\s*|number\s+|#)?" + Regex.Escape(number) + @"(?![\d]|\.\d)",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (hits.Any(h => pattern.IsMatch(h.Text) || pattern.IsMatch(h.Article.Title)))
            {
                continue;
            }

            var lexical = await _index.SearchAsync(new PassageQuery($"{name} {number}", ReadOnlyMemory<float>.Empty, SearchFilter.None, SearchMode.Lexical, 100), cancellationToken).ConfigureAwait(false);
            if (lexical.Any(h => pattern.IsMatch(h.Text) || pattern.IsMatch(h.Article.Title)))
            {
                continue;
            }

            var phrase = match.Value.Trim();
            _logger.LogInformation("Question names {Numbered}, which occurs nowhere in the archive", phrase);
            return phrase;
        }

        return null;
    }

    private static bool IsYear(string number) =>
        number.Length == 4 && number.All(char.IsDigit) && int.Parse(number, System.Globalization.CultureInfo.InvariantCulture) is >= 1000 and <= 2999;

    /// <summary>Words that count parts of a piece ("chapter 3", "part 2") rather than name a thing in a series.</summary>
    private static readonly HashSet<string> SeriesCountingWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "chapter", "part", "page", "pages", "section", "paragraph", "line", "lines", "verse", "step", "steps", "point", "points",
        "top", "first", "last", "past", "next", "over", "under", "about", "around", "nearly", "almost", "least", "most", "than",
        "and", "or", "to", "from", "in", "at", "of", "for", "by", "on", "the", "than", "minute", "minutes", "hour", "hours",
        "day", "days", "week", "weeks", "month", "months", "year", "years", "percent", "times", "age", "aged",
    };

    private async Task<bool> PhraseOccursAsync(string phrase, IReadOnlyList<PassageHit> hits, CancellationToken cancellationToken)
    {
        // Words in order with only spaces, hyphens or punctuation between ("Do Less. Enable More.").
        var pattern = new Regex(@"\b" + string.Join(@"[^\p{L}\p{N}]+", phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)) + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (hits.Any(h => pattern.IsMatch(h.Text) || pattern.IsMatch(h.Article.Title)))
        {
            return true;
        }

        var lexical = await _index.SearchAsync(new PassageQuery(phrase, ReadOnlyMemory<float>.Empty, SearchFilter.None, SearchMode.Lexical, 100), cancellationToken).ConfigureAwait(false);
        return lexical.Any(h => pattern.IsMatch(h.Text));
    }

    private static string StripPossessive(string word) =>
        word.EndsWith("'s", StringComparison.OrdinalIgnoreCase) ? word[..^2] : word.TrimEnd('\'');

    /// <summary>The part of the archive a question is about, for checking whether the names it uses occur there.</summary>
    private static SearchFilter ScopeOf(QueryPlan plan) => new()
    {
        Authors = plan.Filter.Authors,
        Sections = plan.Filter.Sections,
        From = plan.Filter.From,
        To = plan.Filter.To,
    };

    /// <summary>Up to eight words, the significant ones capitalised ("The Drowned Orchard", "Goroutines Considered Harmful").</summary>
    private static bool LooksLikeTitle(string quoted)
    {
        var words = quoted.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var significant = words.Where(w => w.Length > 3).ToList();
        return words.Length <= 8 && significant.Count > 0 && significant.All(w => char.IsUpper(w[0]) || char.IsDigit(w[0]));
    }

    private static bool SentenceBoundaryBefore(string text, int index)
    {
        var before = text[..index].TrimEnd();
        return before.Length == 0 || before[^1] is '.' or '?' or '!' or ':' or '"' or '(';
    }

    private static double BestDense(IReadOnlyList<PassageHit> hits) =>
        hits.Count == 0 ? 0 : hits.Max(h => h.DenseScore ?? 0);

    private static object DescribeFilter(SearchFilter filter) => new
    {
        filter.Authors,
        From = filter.From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        To = filter.To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        filter.Sections,
        filter.ArticleIds,
    };

    // Runs of capitalised words (with "of", "on", "the", "and", "de" and numbers inside): candidate names.
    [GeneratedRegex(@"\b[A-Z][\w'-]*(?:\s+(?:(?:of|on|the|and|de|du|van|von|in)\s+)*(?:[A-Z][\w'-]*|\d{3,4}))*")]
    private static partial Regex CapitalisedPhrase();

    [GeneratedRegex(@"\s+(apart|except|excluding|other\s+than|besides|not|in|since|before|after|from|by|during|between|until)\b.*$|'s$", RegexOptions.IgnoreCase)]
    private static partial Regex MentionTail();

    [GeneratedRegex(@"\d+(?:\.\d+)*")]
    private static partial Regex SeriesNumber();

    // A word followed by a number, optionally "No." / "#": "Go 1.28", "iphone 15", "Federalist No. 90".
    [GeneratedRegex(@"\b(?<name>[A-Za-z][\w-]*)\s+(?:no\.?\s*|number\s+|#)?(?<number>\d+(?:\.\d+)*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NumberedName();

    [GeneratedRegex("['\"][^'\"]{2,120}['\"]")]
    private static partial Regex QuotedSpan();
}
