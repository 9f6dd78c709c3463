using Clippings.Archive;
using Clippings.Cli.Commands;
using Clippings.Evaluation;
using Clippings.Storage;
using Clippings.Tests.ChatModel;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Measuring;

/// <summary>The plain baseline that `clippings eval` runs beside the full pipeline (same index, same questions).</summary>
public sealed class BaselineEvaluationTests
{
    private static PassageHit Hit(string id, double cosine) =>
        new(new ArticleSummary(id, id, [], null, null, null, DatePrecision.Day, null), 0, 0, 1, "x", cosine, cosine, null, null);

    [Fact]
    public void Baseline_ranks_articles_by_their_best_passage()
    {
        var ranked = ArchiveEvaluator.RankByBestPassage([Hit("b", 0.70), Hit("a", 0.81), Hit("b", 0.90), Hit("c", 0.50)]);
        Assert.Equal(["b", "a", "c"], ranked);
    }

    [Fact]
    public async Task Eval_reports_the_baseline_beside_the_pipeline_on_the_sample_archive()
    {
        await using var services = ClippingsTestHost.Create(await SampleArchiveIndex.PathAsync());
        var questions = new List<EvaluationQuestion>
        {
            new("s1", "who judges the chowder cup", ["table-talk-chowder-cup"], null, "fact", null),
            new("s2", "what happened to the old crane on the quay", ["tidelines-gull-quay-crane"], null, "fact", null),
            new("s3", "best smartphone to buy this year", [], null, "unanswerable", null),
        };

        var report = await services.GetRequiredService<ArchiveEvaluator>().EvaluateWithBaselineAsync(questions, SearchMode.Hybrid, null, CancellationToken.None);

        Assert.NotNull(report.Baseline);
        Assert.Equal(2, report.Baseline.Overall.Answerable);
        Assert.Equal(3, report.Baseline.Outcomes.Count);
        Assert.InRange(report.Baseline.Overall.RecallAt5, 0.5, 1.0);
        Assert.True(report.Baseline.ByKind.ContainsKey("fact"));

        var json = EvalCommand.ToJson(report);
        var baseline = json["baseline"]!.AsObject();
        Assert.NotNull(baseline["recall_at_5"]);
        Assert.NotNull(baseline["mrr_at_10"]);
        Assert.NotNull(baseline["by_kind"]!["fact"]!["recall_at_5"]);
    }
}
