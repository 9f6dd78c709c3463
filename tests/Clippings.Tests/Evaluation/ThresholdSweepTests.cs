using System.Globalization;
using Clippings.Cli.Commands;
using Clippings.Embeddings;
using Clippings.Evaluation;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Tests.ChatModel;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Measuring;

/// <summary>`clippings calibrate`: the refusal thresholds swept over a grid, each point faithful to plain `eval` at that point.</summary>
public sealed class ThresholdSweepTests
{
    private static readonly ThresholdGrid SmallGrid = new([0.40, 0.50, 0.60], [0.54, 0.62, 0.70]);

    [Fact]
    public void Threshold_decision_refuses_a_weak_match_and_a_middling_match_with_a_rare_word()
    {
        Assert.False(new ThresholdDecision(0.49, null).IsRelevantAt(0.50, 0.62));
        Assert.True(new ThresholdDecision(0.50, null).IsRelevantAt(0.50, 0.62));
        Assert.False(new ThresholdDecision(0.58, "smartphone").IsRelevantAt(0.50, 0.62));
        Assert.True(new ThresholdDecision(0.62, "smartphone").IsRelevantAt(0.50, 0.62));
        Assert.True(new ThresholdDecision(0.58, "smartphone").IsRelevantAt(0.50, 0.55));
    }

    [Fact]
    public void Grid_steps_hit_their_ends_exactly_and_always_hold_the_configured_point()
    {
        var relevance = ThresholdGrid.Steps(0.40, 0.65, 0.025);
        Assert.Equal(11, relevance.Count);
        Assert.Equal(0.40, relevance[0]);
        Assert.Contains(0.50, relevance);
        Assert.Equal(0.65, relevance[^1]);
        Assert.Contains(0.62, ThresholdGrid.Default.Confident);

        var grid = new ThresholdGrid([0.4, 0.6], [0.55]).Including(0.5, 0.62);
        Assert.Equal([0.4, 0.5, 0.6], grid.Relevance);
        Assert.Equal([0.55, 0.62], grid.Confident);

        Assert.Equal([0.45, 0.5], ThresholdGrid.ParseRange("0.5,0.45"));
        Assert.Equal([0.5, 0.55, 0.6], ThresholdGrid.ParseRange("0.5:0.6:0.05"));
        Assert.Throws<ClippingsException>(() => ThresholdGrid.ParseRange("0.5:0.4:0.05"));
        Assert.Throws<ClippingsException>(() => ThresholdGrid.ParseRange("high"));
        Assert.Throws<ClippingsException>(() => ThresholdGrid.ParseRange("0.5:0.6"));
    }

    [Fact]
    public async Task Query_embedding_cache_embeds_each_question_once_and_passes_batches_through()
    {
        var inner = new CountingGenerator();
        using var cache = new QueryEmbeddingCache(inner);

        var first = await cache.GenerateAsync(["oyster season"]);
        var again = await cache.GenerateAsync(["oyster season"]);
        await cache.GenerateAsync(["other question"]);
        await cache.GenerateAsync(["a passage", "another passage"]);
        await cache.GenerateAsync(["a passage", "another passage"]);

        Assert.Equal(first[0].Vector.ToArray(), again[0].Vector.ToArray());
        Assert.Equal(2, cache.CachedTexts);
        Assert.Equal(2 + 2 + 2, inner.TextsEmbedded);
    }

    [Fact]
    public async Task Sweep_at_every_point_equals_plain_eval_at_that_point_on_the_sample_archive()
    {
        var index = await SampleArchiveIndex.PathAsync();
        // The sample set's unanswerable questions are all refused by rules; these use a word the archive never prints, with
        // middling matches (best cosines about 0.55–0.62 here), so that the confident threshold decides them.
        var questions = EvaluationQuestion.Load(Path.Combine(SharedCorpus.RepoRoot, "tests", "questions", "samples-archive.jsonl")).Concat(
        [
            new EvaluationQuestion("rare-1", "how do I bake sourdough bread at home", [], null, "unanswerable", null),
            new EvaluationQuestion("rare-2", "is the oyster season affected by microplastics", [], null, "unanswerable", null),
            new EvaluationQuestion("rare-3", "which cryptocurrency did the council invest the budget in", [], null, "unanswerable", null),
            new EvaluationQuestion("rare-4", "did the chowder cup judges use a thermometer drone", [], null, "unanswerable", null),
        ]).ToList();
        ThresholdSweepReport sweep;
        EvaluationReport eval;
        await using (var services = ClippingsTestHost.Create(index))
        {
            eval = await services.GetRequiredService<ArchiveEvaluator>().EvaluateAsync(questions, SearchMode.Hybrid, null, CancellationToken.None);
            sweep = await ActivatorUtilities.CreateInstance<ThresholdSweep>(services).SweepAsync(questions, SearchMode.Hybrid, SmallGrid, CancellationToken.None);
        }

        // Follow-ups (their earlier turns are decided by the thresholds too) are asked again; the rest replayed.
        Assert.Equal(SmallGrid.Relevance.Count * SmallGrid.Confident.Count, sweep.Points.Count);
        Assert.True(sweep.Replayed > 0);
        Assert.True(sweep.Rerun >= questions.Count(q => q.History is { Count: > 0 }));
        Assert.Equal(questions.Count, sweep.Replayed + sweep.Rerun);

        // The configured point is plain eval.
        var configured = sweep.ConfiguredPoint;
        Assert.Equal((0.50, 0.62), (configured.Relevance, configured.Confident));
        Assert.Equal(eval.Overall.RefusalAccuracy, configured.RefusalAccuracy);
        Assert.Equal(eval.Overall.FalseRefusalRate, configured.FalseRefusalRate);
        Assert.Equal(eval.Overall.RecallAt5, sweep.Configured.Overall.RecallAt5);

        // Every other point is plain eval with those thresholds set: the replay is the real decision, not a model of it.
        var differs = false;
        foreach (var point in sweep.Points.Where(p => !p.IsConfigured && (p.Relevance == 0.60 || p.Relevance == 0.40 || p.Confident == 0.70)))
        {
            await using var services = ClippingsTestHost.Create(index, new Dictionary<string, string?>
            {
                ["Clippings:Retrieval:RelevanceThreshold"] = point.Relevance.ToString(CultureInfo.InvariantCulture),
                ["Clippings:Retrieval:ConfidentThreshold"] = point.Confident.ToString(CultureInfo.InvariantCulture),
            });
            var atPoint = await services.GetRequiredService<ArchiveEvaluator>().EvaluateAsync(questions, SearchMode.Hybrid, null, CancellationToken.None);
            var refused = atPoint.Outcomes.Where(o => o.Refused).ToList();
            Assert.Equal((refused.Count(o => !o.Question.IsAnswerable), refused.Count(o => o.Question.IsAnswerable)), (point.UnanswerableRefused, point.AnswerableRefused));
            differs |= point.AnswerableRefused != configured.AnswerableRefused || point.UnanswerableRefused != configured.UnanswerableRefused;
        }

        // A grid where nothing changes would prove nothing: a relevance threshold of 0.60 refuses answerable questions here,
        // and the confident threshold moves the rare-word questions.
        Assert.True(differs);
        Assert.NotEqual(At(sweep, 0.50, 0.54).UnanswerableRefused, At(sweep, 0.50, 0.70).UnanswerableRefused);
    }

    [Fact]
    public async Task Calibrate_reports_every_point_per_set_and_the_best_common_point()
    {
        var index = await SampleArchiveIndex.PathAsync();
        var questions = new List<EvaluationQuestion>
        {
            new("s1", "who judges the chowder cup", ["table-talk-chowder-cup"], null, "fact", null),
            new("s2", "what happened to the old crane on the quay", ["tidelines-gull-quay-crane"], null, "fact", null),
            new("s3", "best smartphone to buy this year", [], null, "unanswerable", null),
        };
        await using var services = ClippingsTestHost.Create(index);
        var sweep = await ActivatorUtilities.CreateInstance<ThresholdSweep>(services).SweepAsync(questions, SearchMode.Hybrid, SmallGrid, CancellationToken.None);
        var swept = new List<CalibrateCommand.SweptSet> { new("a.jsonl", index, sweep), new("b.jsonl", index, sweep) };

        var json = CalibrateCommand.ToJson(swept, 0.03);
        var set = json["sets"]!.AsArray()[0]!;
        Assert.Equal(9, set["points"]!.AsArray().Count);
        Assert.Equal(1, set["points"]!.AsArray().Count(p => p!["configured"]!.GetValue<bool>()));
        Assert.Equal(0.5, set["configured"]!["relevance_threshold"]!.GetValue<double>());
        Assert.Equal(1, set["configured"]!["unanswerable"]!.GetValue<int>());
        Assert.Equal(2, json["common_best"]!["per_set"]!.AsArray().Count);

        // The best point refuses the unanswerable question without refusing an answerable one; ties go to the configured point.
        var best = CalibrateCommand.CommonBest(swept, 0.03)!;
        Assert.Equal(1, best.UnanswerableRefused);
        Assert.Equal(0, best.AnswerableRefused);
        Assert.True(best.IsConfigured);

        var text = CalibrateCommand.ToText(swept, 0.03);
        Assert.Contains("*1.00/0.00", text, StringComparison.Ordinal);
        Assert.Contains("Best common point", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Best_point_keeps_false_refusals_under_the_cap_on_every_set()
    {
        static ThresholdPoint P(double r, int unanswerableRefused, int answerableRefused, bool configured = false) => new(r, 0.62, unanswerableRefused, 10, answerableRefused, 50, configured);
        var a = new ThresholdSweepReport(0.5, 0.62, [P(0.45, 6, 0), P(0.5, 8, 1, true), P(0.55, 10, 1)], 0, 0, EmptyReport());
        var b = new ThresholdSweepReport(0.5, 0.62, [P(0.45, 6, 0), P(0.5, 8, 1, true), P(0.55, 10, 4)], 0, 0, EmptyReport());

        Assert.Equal(0.55, a.Best(0.03)!.Relevance);
        Assert.Equal(0.5, ThresholdSweep.Best(a.Points, [a, b], 0.03)!.Relevance);
        Assert.Equal(0.45, ThresholdSweep.Best(a.Points, [a, b], 0.0)!.Relevance);
        Assert.Null(ThresholdSweep.Best([P(0.5, 8, 5, true)], [new ThresholdSweepReport(0.5, 0.62, [P(0.5, 8, 5, true)], 0, 0, EmptyReport())], 0.03));
    }

    private static ThresholdPoint At(ThresholdSweepReport sweep, double relevance, double confident) =>
        sweep.Points.Single(p => p.Relevance == relevance && p.Confident == confident);

    private static EvaluationReport EmptyReport() =>
        ArchiveEvaluator.Report(SearchMode.Hybrid, [], "extractive");

    private sealed class CountingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int TextsEmbedded { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            TextsEmbedded += texts.Count;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(new[] { t.Length, (float)TextsEmbedded }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
