using System.Globalization;
using Clippings.Answering;
using Clippings.Retrieval;
using Clippings.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Evaluation;

/// <summary>The threshold values a sweep tries: every pair of a relevance and a confident threshold.</summary>
public sealed record ThresholdGrid(IReadOnlyList<double> Relevance, IReadOnlyList<double> Confident)
{
    /// <summary>0.40–0.65 by 0.025 for the relevance threshold, 0.54–0.72 by 0.02 for the confident one.</summary>
    public static ThresholdGrid Default { get; } = new(Steps(0.40, 0.65, 0.025), Steps(0.54, 0.72, 0.02));

    /// <summary>From, from + step, … up to to (inclusive), rounded to 4 places so that 0.5 is 0.5 and not 0.50000000001.</summary>
    public static IReadOnlyList<double> Steps(double from, double to, double step)
    {
        if (step <= 0 || to < from)
        {
            throw new ClippingsException($"A threshold range needs from ≤ to and a positive step (got {from}:{to}:{step}).");
        }

        var count = (int)Math.Floor(((to - from) / step) + 1e-9) + 1;
        return Enumerable.Range(0, count).Select(i => Math.Round(from + (i * step), 4)).ToList();
    }

    /// <summary>"0.40:0.65:0.025" (from:to:step) or "0.45,0.5,0.55" (a list).</summary>
    public static IReadOnlyList<double> ParseRange(string text)
    {
        static double Parse(string value) => double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number is >= -1 and <= 1
            ? number
            : throw new ClippingsException($"'{value}' is not a cosine between -1 and 1. Give a threshold range as from:to:step (0.40:0.65:0.025) or a list (0.45,0.5,0.55).");

        var parts = text.Split(':');
        return parts.Length switch
        {
            3 => Steps(Parse(parts[0]), Parse(parts[1]), double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var step) ? step : throw new ClippingsException($"'{parts[2]}' is not a step. Give a threshold range as from:to:step (0.40:0.65:0.025).")),
            1 => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Parse).Distinct().Order().ToList(),
            _ => throw new ClippingsException($"'{text}' is not a threshold range. Give from:to:step (0.40:0.65:0.025) or a list (0.45,0.5,0.55)."),
        };
    }

    /// <summary>The grid with the configured values added, so that the configured point is always one of its points.</summary>
    public ThresholdGrid Including(double relevance, double confident) => new(
        Relevance.Append(Math.Round(relevance, 4)).Distinct().Order().ToList(),
        Confident.Append(Math.Round(confident, 4)).Distinct().Order().ToList());
}

/// <summary>Refusals at one point of the grid.</summary>
public sealed record ThresholdPoint(double Relevance, double Confident, int UnanswerableRefused, int Unanswerable, int AnswerableRefused, int Answerable, bool IsConfigured)
{
    /// <summary>Unanswerable questions refused, as a share (NaN without unanswerable questions).</summary>
    public double RefusalAccuracy => Unanswerable == 0 ? double.NaN : UnanswerableRefused / (double)Unanswerable;

    /// <summary>Answerable questions refused, as a share.</summary>
    public double FalseRefusalRate => Answerable == 0 ? double.NaN : AnswerableRefused / (double)Answerable;
}

/// <summary>
/// A sweep over one question set and index: every grid point's refusals, and how they were found: replayed from the
/// one run's recorded decision (<see cref="Replayed"/> questions) or asked again at each point (<see cref="Rerun"/>).
/// </summary>
public sealed record ThresholdSweepReport(
    double ConfiguredRelevance,
    double ConfiguredConfident,
    IReadOnlyList<ThresholdPoint> Points,
    int Replayed,
    int Rerun,
    EvaluationReport Configured)
{
    /// <summary>Each question: what decided its refusal, its best cosine and rare word (the score distribution the thresholds cut).</summary>
    public IReadOnlyList<SweptQuestion> Questions { get; init; } = [];

    public ThresholdPoint ConfiguredPoint => Points.First(p => p.IsConfigured);

    /// <summary>The point that refuses most unanswerable questions with false refusals at most <paramref name="maxFalseRefusals"/>; ties go to fewer false refusals, then to the point nearest the configured one.</summary>
    public ThresholdPoint? Best(double maxFalseRefusals) => ThresholdSweep.Best(Points, [this], maxFalseRefusals);
}

/// <summary>How a question's refusal was decided at the configured point.</summary>
public enum RefusalDecidedBy
{
    /// <summary>A rule before the thresholds (a name the archive never prints, a listing, a known author…): the same at every point.</summary>
    Rule,
    /// <summary>The best cosine against the thresholds: replayed at every point.</summary>
    Thresholds,
    /// <summary>A follow-up, coverage or scoped question: asked again at every point.</summary>
    AskedAgain,
}

/// <summary>One question of a sweep, with what its refusal depended on at the configured point.</summary>
public sealed record SweptQuestion(EvaluationQuestion Question, RefusalDecidedBy DecidedBy, double TopDense, string? RareWord, bool Refused);

/// <summary>What a question's refusal depends on, recorded in its one run at the configured thresholds.</summary>
internal sealed record RefusalReplay(ThresholdDecision? ByThresholds, bool RefusedAtConfigured, bool RefusedWhenRelevant)
{
    /// <summary>A rule's refusal (or answer) holds at every point; the thresholds' is their rule at this point, then the composer's.</summary>
    public bool RefusedAt(double relevance, double confident) => ByThresholds is null
        ? RefusedAtConfigured
        : !ByThresholds.IsRelevantAt(relevance, confident) || RefusedWhenRelevant;
}

/// <summary>
/// `clippings calibrate`: refusal accuracy and false refusals of a question set at every point of a threshold grid.
/// Each question runs once, through the same pipeline as `clippings eval`, at the configured thresholds; when the
/// thresholds (and nothing else) decided its relevance, the decision is replayed at every other point from what it
/// compared (<see cref="ThresholdDecision"/>), and the composer is asked what it would do were the question relevant.
/// Questions where the thresholds reach further (follow-ups, whose earlier turns they decide too; coverage lists,
/// which drop weak pieces by the relevance threshold; questions scoped to one article, which widen below it) are asked
/// again at every point, with the question embeddings cached. Those re-runs set the thresholds on the shared
/// <see cref="RetrievalOptions"/> for the duration, so a sweep needs a service provider of its own.
/// </summary>
public sealed class ThresholdSweep
{
    private readonly ArchiveEvaluator _evaluator;
    private readonly IAnswerComposer _composer;
    private readonly RetrievalOptions _options;
    private readonly ILogger<ThresholdSweep> _logger;

    public ThresholdSweep(ArchiveEvaluator evaluator, IAnswerComposer composer, IOptions<RetrievalOptions> options, ILogger<ThresholdSweep> logger)
    {
        _evaluator = evaluator;
        _composer = composer;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<ThresholdSweepReport> SweepAsync(IReadOnlyList<EvaluationQuestion> questions, SearchMode mode, ThresholdGrid grid, CancellationToken cancellationToken)
    {
        var (configuredRelevance, configuredConfident) = (_options.RelevanceThreshold, _options.ConfidentThreshold);
        grid = grid.Including(configuredRelevance, configuredConfident);

        // The configured point is plain `eval`; its outcomes are what the other points are replayed from.
        var outcomes = new List<EvaluationOutcome>();
        var composedBy = "extractive";
        var replays = new RefusalReplay?[questions.Count];
        var swept = new List<SweptQuestion>();
        for (var i = 0; i < questions.Count; i++)
        {
            var (outcome, context, answer) = await _evaluator.EvaluateOneAsync(questions[i], mode, true, cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
            composedBy = ArchiveEvaluator.ComposedBy(composedBy, answer);
            var replay = await ReplayOfAsync(questions[i], context, answer, cancellationToken).ConfigureAwait(false);
            // A replay that disagrees with the run it was recorded from would mislead at every other point: ask that question again instead.
            replays[i] = replay is not null && replay.RefusedAt(configuredRelevance, configuredConfident) != answer.Refused ? null : replay;
            var decidedBy = replays[i] is null ? RefusalDecidedBy.AskedAgain : replays[i]!.ByThresholds is null ? RefusalDecidedBy.Rule : RefusalDecidedBy.Thresholds;
            swept.Add(new SweptQuestion(questions[i], decidedBy, context.Retrieval.TopDenseScore, context.Retrieval.ByThresholds?.RareWord, answer.Refused));
        }

        var refusedAt = new Dictionary<(double Relevance, double Confident), bool[]>();
        foreach (var relevance in grid.Relevance)
        {
            foreach (var confident in grid.Confident)
            {
                refusedAt[(relevance, confident)] = replays.Select(r => r?.RefusedAt(relevance, confident) ?? false).ToArray();
            }
        }

        var rerun = Enumerable.Range(0, questions.Count).Where(i => replays[i] is null).ToList();
        if (rerun.Count > 0)
        {
            _logger.LogInformation("Asking {Count} questions again at each of {Points} threshold points", rerun.Count, refusedAt.Count);
            try
            {
                foreach (var ((relevance, confident), refused) in refusedAt)
                {
                    _options.RelevanceThreshold = relevance;
                    _options.ConfidentThreshold = confident;
                    foreach (var i in rerun)
                    {
                        refused[i] = (await _evaluator.EvaluateOneAsync(questions[i], mode, true, cancellationToken).ConfigureAwait(false)).Outcome.Refused;
                    }
                }
            }
            finally
            {
                (_options.RelevanceThreshold, _options.ConfidentThreshold) = (configuredRelevance, configuredConfident);
            }
        }

        var points = refusedAt.Select(point =>
        {
            var ((relevance, confident), refused) = point;
            var answerable = Enumerable.Range(0, questions.Count).Where(i => questions[i].IsAnswerable).ToList();
            var unanswerable = Enumerable.Range(0, questions.Count).Where(i => !questions[i].IsAnswerable).ToList();
            return new ThresholdPoint(
                relevance,
                confident,
                unanswerable.Count(i => refused[i]),
                unanswerable.Count,
                answerable.Count(i => refused[i]),
                answerable.Count,
                relevance == Math.Round(configuredRelevance, 4) && confident == Math.Round(configuredConfident, 4));
        }).ToList();
        return new ThresholdSweepReport(configuredRelevance, configuredConfident, points, questions.Count - rerun.Count, rerun.Count, ArchiveEvaluator.Report(mode, outcomes, composedBy))
        {
            Questions = swept,
        };
    }

    /// <summary>What the question's refusal depends on, or null when the thresholds reach beyond the final decision and it must be asked again.</summary>
    private async Task<RefusalReplay?> ReplayOfAsync(EvaluationQuestion question, AnswerContext context, Answer answer, CancellationToken cancellationToken)
    {
        if (question.History is { Count: > 0 } || context.Plan.ScopedArticleId is not null || context.Plan.Intent == QuestionIntent.Coverage)
        {
            return null;
        }

        var byThresholds = context.Retrieval.ByThresholds;
        if (byThresholds is null)
        {
            return new RefusalReplay(null, answer.Refused, answer.Refused);
        }

        // Refused by the thresholds here: would the composer answer were the question relevant (it can still find no sentence)?
        var refusedWhenRelevant = context.Retrieval.IsRelevant
            ? answer.Refused
            : (await _composer.ComposeAsync(context with { Retrieval = context.Retrieval with { IsRelevant = true } }, cancellationToken).ConfigureAwait(false)).Refused;
        return new RefusalReplay(byThresholds, answer.Refused, refusedWhenRelevant);
    }

    /// <summary>
    /// The common point of several sweeps: false refusals at most <paramref name="maxFalseRefusals"/> on every set, then the most
    /// unanswerable questions refused over all sets; ties go to fewer false refusals, then to the point nearest the configured one.
    /// Null when no point keeps false refusals that low everywhere.
    /// </summary>
    public static ThresholdPoint? Best(IReadOnlyList<ThresholdPoint> points, IReadOnlyList<ThresholdSweepReport> sweeps, double maxFalseRefusals)
    {
        var configured = sweeps[0].ConfiguredPoint;
        return points
            .Select(p => (Point: p, At: sweeps.Select(s => s.Points.First(q => q.Relevance == p.Relevance && q.Confident == p.Confident)).ToList()))
            .Where(x => x.At.All(q => !(q.FalseRefusalRate > maxFalseRefusals + 1e-9)))
            .OrderByDescending(x => x.At.Sum(q => q.UnanswerableRefused))
            .ThenBy(x => x.At.Sum(q => q.AnswerableRefused))
            .ThenBy(x => Math.Abs(x.Point.Relevance - configured.Relevance) + Math.Abs(x.Point.Confident - configured.Confident))
            .Select(x => x.Point)
            .FirstOrDefault();
    }
}
