using System.Diagnostics;
using Clippings.Answering;
using Clippings.Conversations;
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
    public double RecallAt5 => Question.IsAnswerable
        ? Question.GoldArticleIds.Intersect(RankedArticleIds.Take(5), StringComparer.OrdinalIgnoreCase).Count() / (double)Math.Min(Question.GoldArticleIds.Count, 5)
        : 0;

    public double ReciprocalRankAt10
    {
        get
        {
            var rank = RankedArticleIds.Take(10).ToList().FindIndex(id => Question.GoldArticleIds.Contains(id, StringComparer.OrdinalIgnoreCase));
            return rank < 0 ? 0 : 1.0 / (rank + 1);
        }
    }

    public bool CitesGold => CitedArticleIds.Any(id => Question.GoldArticleIds.Contains(id, StringComparer.OrdinalIgnoreCase));
}

public sealed record EvaluationReport(SearchMode Mode, string ComposedBy, EvaluationMetrics Overall, IReadOnlyDictionary<string, EvaluationMetrics> ByKind, IReadOnlyList<EvaluationOutcome> Outcomes, double MedianMs, double P95Ms);

/// <summary>
/// Runs a question set through the whole pipeline (follow-ups replayed from their history) and measures
/// retrieval (article recall@5, MRR@10), refusals, citation hits and quote validity.
/// </summary>
public sealed class ArchiveEvaluator
{
    private readonly ArchiveAssistant _assistant;
    private readonly IArchiveIndex _index;
    private readonly ILogger<ArchiveEvaluator> _logger;

    public ArchiveEvaluator(ArchiveAssistant assistant, IArchiveIndex index, ILogger<ArchiveEvaluator> logger)
    {
        _assistant = assistant;
        _index = index;
        _logger = logger;
    }

    public async Task<EvaluationReport> EvaluateAsync(IReadOnlyList<EvaluationQuestion> questions, SearchMode mode, IProgress<int>? progress, CancellationToken cancellationToken, bool understandQuery = true)
    {
        var outcomes = new List<EvaluationOutcome>();
        var composedBy = "extractive";
        foreach (var question in questions)
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
            // Refusals are always extractive: the report names the chat model when it wrote any answer.
            if (!string.Equals(composedBy, Answering.ChatModel.ChatModelAnswerComposer.ComposerName, StringComparison.Ordinal))
            {
                composedBy = answer.ComposedBy;
            }

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

            outcomes.Add(new EvaluationOutcome(
                question,
                RankedArticleIds(context),
                answer.Refused,
                answer.Citations.Select(c => c.ArticleId).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
                answer.Citations.Count,
                valid,
                elapsed,
                context.Retrieval.TopDenseScore));
            progress?.Report(outcomes.Count);
        }

        var byKind = outcomes.GroupBy(o => o.Question.Kind, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Summarise(g.ToList()), StringComparer.OrdinalIgnoreCase);
        var times = outcomes.Select(o => o.ElapsedMs).Order().ToList();
        return new EvaluationReport(mode, composedBy, Summarise(outcomes), byKind, outcomes, Percentile(times, 0.5), Percentile(times, 0.95));
    }

    /// <summary>The articles the system put forward, best first: listings for listing questions, else the retrieved articles.</summary>
    public static IReadOnlyList<string> RankedArticleIds(AnswerContext context)
    {
        var retrieved = context.Retrieval.Articles.Select(a => a.Article.Id);
        var listed = context.Retrieval.Listing.Select(a => a.Id);
        var ranked = context.Plan.Intent == QuestionIntent.ArticleList ? listed.Concat(retrieved) : retrieved.Concat(listed);
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
