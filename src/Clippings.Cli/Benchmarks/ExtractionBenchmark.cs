using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Clippings.Evaluation;
using Clippings.Ingestion.Readers;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// <c>bench extract --pages DIR</c>: scores Clippings' HTML reader against expected page content (folders holding
/// <c>source.html</c>, <c>expected.html</c> and <c>expected-metadata.json</c>, the layout of Readability's test pages),
/// with SmartReader's own output on the same pages in the same run as the baseline.
/// </summary>
internal sealed class ExtractionBenchmark(string pagesFolder, TextWriter log)
{
    /// <summary>Pages smaller than this are the hand-made one-rule tests, not publishers' pages: reported apart.</summary>
    private const int SyntheticPageBytes = 8 * 1024;

    public sealed record PageScore(string Name, bool Real, TokenOverlap Body, bool Lost, bool? Title, bool? Byline, bool? Date, double Milliseconds, string? Error)
    {
        /// <summary>What was extracted and expected, for the <c>--details</c> listing.</summary>
        public string Detail { get; init; } = "";
    }

    public sealed record Result(IReadOnlyList<PageScore> Clippings, IReadOnlyList<PageScore> Baseline);

    public Result Measure()
    {
        var folders = Directory.EnumerateDirectories(pagesFolder).Where(d => File.Exists(Path.Combine(d, "source.html"))).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            throw new ClippingsException($"No pages under {pagesFolder}: expected folders holding source.html, expected.html and expected-metadata.json.");
        }

        var ours = new List<PageScore>();
        var theirs = new List<PageScore>();
        var parser = new HtmlParser();
        // One untimed pass over every page first: an ingest runs at steady state, so the timed pass should not carry JIT
        // tiering and regex compilation (a three-call warm-up left most code unoptimised and tripled both medians).
        foreach (var folder in folders)
        {
            var page = File.ReadAllText(Path.Combine(folder, "source.html"));
            RunClippings(page, folder);
            RunSmartReader(page);
        }

        foreach (var folder in folders)
        {
            var name = Path.GetFileName(folder);
            var source = File.ReadAllText(Path.Combine(folder, "source.html"));
            var expectedText = File.Exists(Path.Combine(folder, "expected.html"))
                ? parser.ParseDocument(File.ReadAllText(Path.Combine(folder, "expected.html"))).Body?.TextContent ?? ""
                : "";
            using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expected-metadata.json")));
            var meta = metadata.RootElement;
            var real = new FileInfo(Path.Combine(folder, "source.html")).Length >= SyntheticPageBytes && Bool(meta, "readerable");
            var expectedTitle = Str(meta, "title");
            var expectedByline = Str(meta, "byline");
            var expectedDate = Str(meta, "publishedTime");
            var siteName = Str(meta, "siteName");

            var (mine, mineMs) = RunClippings(source, folder);
            ours.Add(Score(name, real, mine, mineMs, expectedText, expectedTitle, expectedByline, expectedDate, siteName));
            var (baseline, baseMs) = RunSmartReader(source);
            theirs.Add(Score(name, real, baseline, baseMs, expectedText, expectedTitle, expectedByline, expectedDate, siteName));
        }

        log.WriteLine($"extract: {folders.Count} pages scored");
        return new Result(ours, theirs);
    }

    private sealed record Extracted(string? Title, IReadOnlyList<string> Authors, DateOnly? Date, string Text, string? Error)
    {
        public string? Method { get; init; }
    }

    private static (Extracted, double) RunClippings(string html, string folder)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var (result, method) = HtmlArticleReader.ParseWithMethod(html, Path.Combine(folder, "source.html"));
            watch.Stop();
            var article = result.Articles.Single();
            return (new Extracted(article.Title, article.Authors, article.Published, article.Text, null) { Method = method }, watch.Elapsed.TotalMilliseconds);
        }
        catch (ClippingsException ex)
        {
            return (new Extracted(null, [], null, "", ex.Message), watch.Elapsed.TotalMilliseconds);
        }
    }

    private static (Extracted, double) RunSmartReader(string html)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var article = new SmartReader.Reader("https://example.org/article", html).GetArticle();
            watch.Stop();
            var byline = article.Author ?? article.Byline;
            return (new Extracted(article.Title, string.IsNullOrWhiteSpace(byline) ? [] : [byline], article.PublicationDate is { } d ? DateOnly.FromDateTime(d) : null,
                article.TextContent ?? "", article.IsReadable ? null : "not readable"), watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (new Extracted(null, [], null, "", ex.Message), watch.Elapsed.TotalMilliseconds);
        }
    }

    private static PageScore Score(string name, bool real, Extracted got, double ms, string expectedText, string? title, string? byline, string? date, string? siteName)
    {
        var body = ExtractionScore.Overlap(got.Text, expectedText);
        return new PageScore(
            name, real, body, got.Text.Trim().Length == 0,
            string.IsNullOrWhiteSpace(title) ? null : ExtractionScore.TitleMatches(got.Title, title, siteName, byline),
            string.IsNullOrWhiteSpace(byline) ? null : ExtractionScore.BylineMatches(got.Authors, byline),
            string.IsNullOrWhiteSpace(date) ? null : ExtractionScore.DateMatches(got.Date, date),
            ms, got.Error)
        {
            Detail = $"body from: {got.Method}; missing: {Missing(got.Text, expectedText)}; extra: {Missing(expectedText, got.Text)}\n  title: {got.Title} | expected: {title}\n  byline: {string.Join("; ", got.Authors)} | expected: {byline}\n  date: {got.Date} | expected: {date}",
        };
    }

    /// <summary>One block per page: scores side by side, then what Clippings extracted against what was expected.</summary>
    public static string ToDetails(Result result) => string.Join("\n", result.Clippings.Zip(result.Baseline).Select(p => string.Create(CultureInfo.InvariantCulture,
        $"{p.First.Name} real={p.First.Real} F1 {p.First.Body.F1:F3} (P {p.First.Body.Precision:F3} R {p.First.Body.Recall:F3}) vs {p.Second.Body.F1:F3} title={p.First.Title} byline={p.First.Byline} date={p.First.Date} {p.First.Milliseconds:F1} ms {p.First.Error}\n  {p.First.Detail}")));

    public static string ToMarkdown(Result result, string pagesFolder)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Page extraction (`bench extract --pages {pagesFolder}`)");
        text.AppendLine();
        text.AppendLine("Body: bag-of-tokens precision / recall / F1 against the expected text (mean over pages; a lost page scores 0). Title, byline, date: share of the pages that have an expected value where the extracted one matches (a title also matches when the expected one only adds the site's name or the byline at an end: Clippings drops those on purpose). Baseline: SmartReader 0.11.1's own output on the same pages, same run.");
        text.AppendLine();
        // Times on a shared machine mean little alone: the load says how shared it was; the ratio to SmartReader is the figure.
        if (File.Exists("/proc/loadavg"))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Load average when the run ended: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores; compare the times as a ratio to SmartReader's, measured on the same pages in the same run.");
            text.AppendLine();
        }

        text.AppendLine("| pages | extractor | n | body P | body R | body F1 | lost | title | byline | date | median ms | p95 ms |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (label, filter) in new (string, Func<PageScore, bool>)[] { ("publishers' pages", p => p.Real), ("one-rule test pages", p => !p.Real), ("all", _ => true) })
        {
            Row(label, "Clippings", result.Clippings.Where(filter).ToList());
            Row(label, "SmartReader (baseline)", result.Baseline.Where(filter).ToList());
        }

        var worst = result.Clippings.Zip(result.Baseline).Where(p => p.First.Real).OrderBy(p => p.First.Body.F1 - p.Second.Body.F1).Take(8).ToList();
        text.AppendLine();
        text.AppendLine("Publishers' pages where Clippings' body F1 trails SmartReader's most: " + string.Join(", ",
            worst.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.First.Name} {p.First.Body.F1:F2} vs {p.Second.Body.F1:F2}"))) + ".");
        return text.ToString();

        void Row(string label, string who, List<PageScore> pages)
        {
            if (pages.Count == 0)
            {
                return;
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {label} | {who} | {pages.Count} | {pages.Average(p => p.Body.Precision):F3} | {pages.Average(p => p.Body.Recall):F3} | {pages.Average(p => p.Body.F1):F3} | {pages.Count(p => p.Lost)} | {Share(pages, p => p.Title)} | {Share(pages, p => p.Byline)} | {Share(pages, p => p.Date)} | {Stats.Percentile(pages.Select(p => p.Milliseconds).ToList(), 50):F1} | {Stats.Percentile(pages.Select(p => p.Milliseconds).ToList(), 95):F1} |");
        }
    }

    private static string Share(List<PageScore> pages, Func<PageScore, bool?> pick)
    {
        var known = pages.Select(pick).Where(v => v is not null).ToList();
        return known.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{known.Count(v => v == true) / (double)known.Count:F2} ({known.Count})");
    }

    /// <summary>A few expected words the extraction lacks (or, swapped, extra words it has), to see what went wrong.</summary>
    private static string Missing(string got, string expected)
    {
        var have = ExtractionScore.Tokens(got).GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var token in ExtractionScore.Tokens(expected))
        {
            if (have.TryGetValue(token, out var n) && n > 0)
            {
                have[token] = n - 1;
            }
            else if (missing.Count < 25)
            {
                missing.Add(token);
            }
        }

        return string.Join(' ', missing);
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
