using Clippings.Cli.Benchmarks;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Integration;

/// <summary>
/// The HTML reader on Mozilla Readability's 130 real test pages (../shared/corpus-html/readability), scored as
/// <c>bench extract</c> scores it, with SmartReader's own output as the same-run baseline. The bars sit a little
/// under the measured figures (README, "What Clippings reads") so a regression fails and noise does not.
/// </summary>
[Trait("Category", "Integration")]
public class ReadabilityPagesTests
{
    private const string Folder = "corpus-html/readability";

    [SharedDataFact(Folder)]
    public void PublishersPagesReadCloseToTheBaselineWithNoPageLost()
    {
        var result = new ExtractionBenchmark(SharedData.Require(Folder), TextWriter.Null).Measure();
        var ours = result.Clippings.Where(p => p.Real).ToList();
        var theirs = result.Baseline.Where(p => p.Real).ToList();

        Assert.Empty(result.Clippings.Where(p => p.Lost || p.Error is not null).Select(p => p.Name));
        var bodyF1 = ours.Average(p => p.Body.F1);
        Assert.True(bodyF1 >= 0.98, $"body F1 {bodyF1:F3} on publishers' pages (SmartReader {theirs.Average(p => p.Body.F1):F3})");
        Assert.True(bodyF1 >= theirs.Average(p => p.Body.F1) - 0.01, $"body F1 {bodyF1:F3} trails SmartReader's {theirs.Average(p => p.Body.F1):F3} by more than 0.01");
        Assert.True(Share(ours, p => p.Title) >= 0.93, $"titles right on {Share(ours, p => p.Title):P0}");
        Assert.True(Share(ours, p => p.Byline) >= 0.70, $"bylines right on {Share(ours, p => p.Byline):P0}");
        Assert.True(Share(ours, p => p.Date) >= Share(theirs, p => p.Date), $"dates right on {Share(ours, p => p.Date):P0}, SmartReader {Share(theirs, p => p.Date):P0}");
    }

    private static double Share(List<ExtractionBenchmark.PageScore> pages, Func<ExtractionBenchmark.PageScore, bool?> pick)
    {
        var known = pages.Select(pick).Where(v => v is not null).ToList();
        return known.Count == 0 ? 1 : known.Count(v => v == true) / (double)known.Count;
    }
}
