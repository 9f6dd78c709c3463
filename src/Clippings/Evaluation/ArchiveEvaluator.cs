using System.Diagnostics;
using Clippings.Answering;
using Clippings.Conversations;
using Clippings.Embeddings;
using Clippings.Retrieval;
using Clippings.Storage;
using Microsoft.Extensions.Logging;

namespace Clippings.Evaluation;

/// <summary>Metrics for one group of questions (overall or one kind).</summary>
public sealed record EvaluationMetrics(
    int Questions,
    int Answerable,
    int Unanswerable,
    double RecallAt5,
    double MrrAt10,
    double RefusalAccuracy,
    double FalseRefusalRate,
    double CitationHitRate,
    double QuoteValidity,
    int Citations);

/// <summary>What happened on one question, for the detailed report.</summary>
public sealed record EvaluationOutcome(
    EvaluationQuestion Question,
    IReadOnlyList<string> RankedArticleIds,
    bool Refused,
    IReadOnlyList<string> CitedArticleIds,
    int Citations,
    int ValidQuotes,
    double ElapsedMs,
    double TopDenseScore)
{
    public double RecallAt5 => Recall(Question, RankedArticleIds);

    public double ReciprocalRankAt10 => ReciprocalRank(Question, RankedArticleIds);

    internal static double Recall(EvaluationQuestion question, IReadOnlyList<string> ranked) => question.IsAnswerable
        ? question.GoldArticleIds.Intersect(ranked.Take(5), StringComparer.OrdinalIgnoreCase).Count() / (double)Math.Min(question.GoldArticleIds.Count, 5)
        : 0;

    internal static double ReciprocalRank(EvaluationQuestion question, IReadOnlyList<string> ranked)
    {
        var rank = ranked.Take(10).ToList().FindIndex(id => question.GoldArticleIds.Contains(id, StringComparer.OrdinalIgnoreCase));
        return rank < 0 ? 0 : 1.0 / (rank + 1);
    }

    public bool CitesGold => CitedArticleIds.Any(id => Question.GoldArticleIds.Contains(id, StringComparer.OrdinalIgnoreCase));
}

public sealed record EvaluationReport(SearchMode Mode, string ComposedBy, EvaluationMetrics Overall, IReadOnlyDictionary<string, EvaluationMetrics> ByKind, IReadOnlyList<EvaluationOutcome> Outcomes, double MedianMs, double P95Ms)
{
    /// <summary>The plain baseline on the same index and questions, when it was run alongside.</summary>
    public BaselineReport? Baseline { get; init; }
}

/// <summary>Retrieval of the plain baseline: answerable questions only (it never refuses).</summary>
public sealed record BaselineMetrics(int Answerable, double RecallAt5, double MrrAt10);

/// <summary>
/// The plain dense baseline: the raw question (no history, no query understanding, no refusal) embedded and
/// matched by cosine against the same index, top passages grouped to articles in order of their best passage.
/// The full pipeline has to beat it on every archive; when it does not, query understanding is doing harm.
/// </summary>
public sealed record BaselineReport(BaselineMetrics Overall, IReadOnlyDictionary<string, BaselineMetrics> ByKind, IReadOnlyList<BaselineOutcome> Outcomes);

public sealed record BaselineOutcome(EvaluationQuestion Question, IReadOnlyList<string> RankedArticleIds)
{
    public double RecallAt5 => EvaluationOutcome.Recall(Question, RankedArticleIds);

    public double ReciprocalRankAt10 => EvaluationOutcome.ReciprocalRank(Question, RankedArticleIds);
}

/// <summary>
/// Runs a question set through the whole pipeline (follow-ups replayed from their history) and measures
/// retrieval (article recall@5, MRR@10), refusals, citation hits and quote validity.
/// </summary>
public sealed class ArchiveEvaluator
{
    private readonly ArchiveAssistant _assistant;
    private readonly IArchiveIndex _index;
    private readonly ArchiveEmbedder _embedder;
    private readonly ILogger<ArchiveEvaluator> _logger;

    public ArchiveEvaluator(ArchiveAssistant assistant, IArchiveIndex index, ArchiveEmbedder embedder, ILogger<ArchiveEvaluator> logger)
    {
        _assistant = assistant;
        _index = index;
        _embedder = embedder;
        _logger = logger;
    }

    /// <summary>Passages the baseline fetches before grouping them to articles (enough for ten distinct articles).</summary>
    public const int BaselinePassages = 60;

    /// <summary>Runs the full pipeline and, over the same index and questions, the plain baseline.</summary>
    public async Task<EvaluationReport> EvaluateWithBaselineAsync(IReadOnlyList<EvaluationQuestion> questions, SearchMode mode, IProgress<int>? progress, CancellationToken cancellationToken, bool understandQuery = true)
    {
        var report = await EvaluateAsync(questions, mode, progress, cancellationToken, understandQuery).ConfigureAwait(false);
        return report with { Baseline = await EvaluateBaselineAsync(questions, cancellationToken).ConfigureAwait(false) };
    }

    public async Task<BaselineReport> EvaluateBaselineAsync(IReadOnlyList<EvaluationQuestion> questions, CancellationToken cancellationToken)
    {
        var outcomes = new List<BaselineOutcome>();
        foreach (var question in questions)
        {
            var vector = await _embedder.EmbedQueryAsync(question.Question, cancellationToken).ConfigureAwait(false);
            var hits = await _index.SearchAsync(new PassageQuery(question.Question, vector, SearchFilter.None, SearchMode.Dense, BaselinePassages), cancellationToken).ConfigureAwait(false);
            outcomes.Add(new BaselineOutcome(question, RankByBestPassage(hits)));
        }

        var byKind = outcomes.GroupBy(o => o.Question.Kind, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => SummariseBaseline(g.ToList()), StringComparer.OrdinalIgnoreCase);
        return new BaselineReport(SummariseBaseline(outcomes), byKind, outcomes);
    }

    /// <summary>Articles in the order of their best passage's cosine.</summary>
    internal static IReadOnlyList<string> RankByBestPassage(IEnumerable<PassageHit> hits) =>
        hits.OrderByDescending(h => h.DenseScore ?? h.Score).Select(h => h.Article.Id).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private static BaselineMetrics SummariseBaseline(IReadOnlyList<BaselineOutcome> outcomes)
    {
        var answerable = outcomes.Where(o => o.Question.IsAnswerable).ToList();
        return new BaselineMetrics(answerable.Count, Average(answerable.Select(o => o.RecallAt5)), Average(answerable.Select(o => o.ReciprocalRankAt10)));
    }

    public async Task<EvaluationReport> EvaluateAsync(IReadOnlyList<EvaluationQuestion> questions, SearchMode mode, IProgress<int>? progress, CancellationToken cancellationToken, bool understandQuery = true)
    {
        var outcomes = new List<EvaluationOutcome>();
        var composedBy = "extractive";
        foreach (var question in questions)
        {
            var (outcome, _, answer) = await EvaluateOneAsync(question, mode, understandQuery, cancellationToken).ConfigureAwait(false);
            composedBy = ComposedBy(composedBy, answer);
            outcomes.Add(outcome);
            progress?.Report(outcomes.Count);
        }

        return Report(mode, outcomes, composedBy);
    }

    /// <summary>Refusals are always extractive: the report names the chat model when it wrote any answer.</summary>
    internal static string ComposedBy(string composedBySoFar, Answer answer) =>
        string.Equals(composedBySoFar, Answering.ChatModel.ChatModelAnswerComposer.ComposerName, StringComparison.Ordinal) ? composedBySoFar : answer.ComposedBy;

    internal static EvaluationReport Report(SearchMode mode, IReadOnlyList<EvaluationOutcome> outcomes, string composedBy)
    {
        var byKind = outcomes.GroupBy(o => o.Question.Kind, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Summarise(g.ToList()), StringComparer.OrdinalIgnoreCase);
        var times = outcomes.Select(o => o.ElapsedMs).Order().ToList();
        return new EvaluationReport(mode, composedBy, Summarise(outcomes), byKind, outcomes, Percentile(times, 0.5), Percentile(times, 0.95));
    }

    /// <summary>One question through the whole pipeline, its history replayed first; also what retrieval found and the answer.</summary>
    internal async Task<(EvaluationOutcome Outcome, AnswerContext Context, Answer Answer)> EvaluateOneAsync(EvaluationQuestion question, SearchMode mode, bool understandQuery, CancellationToken cancellationToken)
    {
        var conversation = Conversation.Empty;
        foreach (var earlier in question.History ?? [])
        {
            var earlierAnswer = await _assistant.AskAsync(new AskRequest(earlier, conversation, null, mode, understandQuery), cancellationToken).ConfigureAwait(false);
            conversation = conversation.With(new ConversationTurn(earlier, earlierAnswer));
        }

        var stopwatch = Stopwatch.StartNew();
        var (context, answer) = await _assistant.AskWithContextAsync(new AskRequest(question.Question, conversation, null, mode, understandQuery), cancellationToken).ConfigureAwait(false);
        var elapsed = stopwatch.Elapsed.TotalMilliseconds;
        var valid = 0;
        foreach (var citation in answer.Citations)
        {
            var article = await _index.GetArticleAsync(citation.ArticleId, cancellationToken).ConfigureAwait(false);
            if (article is not null && citation.Start >= 0 && citation.End <= article.Text.Length && citation.Start <= citation.End
                && string.Equals(article.Text[citation.Start..citation.End], citation.Quote, StringComparison.Ordinal) && citation.Quote.Length > 0)
            {
                valid++;
            }
            else
            {
                _logger.LogWarning("Citation {N} of {QuestionId} does not quote {ArticleId} exactly", citation.N, question.Id, citation.ArticleId);
            }
        }

        var outcome = new EvaluationOutcome(
            question,
            RankedArticleIds(context),
            answer.Refused,
            answer.Citations.Select(c => c.ArticleId).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            answer.Citations.Count,
            valid,
            elapsed,
            context.Retrieval.TopDenseScore);
        return (outcome, context, answer);
    }

    /// <summary>The articles the system put forward, best first: listings for listing questions, else the retrieved articles.</summary>
    public static IReadOnlyList<string> RankedArticleIds(AnswerContext context)
    {
        var retrieved = context.Retrieval.Articles.Select(a => a.Article.Id);
        var listed = context.Retrieval.Listing.Select(a => a.Id);
        var ranked = context.Plan.Intent is QuestionIntent.ArticleList or QuestionIntent.AuthorList ? listed.Concat(retrieved) : retrieved.Concat(listed);
        return ranked.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static EvaluationMetrics Summarise(IReadOnlyList<EvaluationOutcome> outcomes)
    {
        var answerable = outcomes.Where(o => o.Question.IsAnswerable).ToList();
        var unanswerable = outcomes.Where(o => !o.Question.IsAnswerable).ToList();
        var citations = outcomes.Sum(o => o.Citations);
        return new EvaluationMetrics(
            outcomes.Count,
            answerable.Count,
            unanswerable.Count,
            Average(answerable.Select(o => o.RecallAt5)),
            Average(answerable.Select(o => o.ReciprocalRankAt10)),
            Average(unanswerable.Select(o => o.Refused ? 1.0 : 0.0)),
            Average(answerable.Select(o => o.Refused ? 1.0 : 0.0)),
            Average(answerable.Select(o => o.CitesGold ? 1.0 : 0.0)),
            citations == 0 ? 1.0 : outcomes.Sum(o => o.ValidQuotes) / (double)citations,
            citations);
    }

    private static double Average(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
