using Clippings.Archive;
using Clippings.Ingestion;

namespace Clippings.Tests.Ingestion;

public class ReadingReportTests
{
    private static ArchiveFileResult Failed(string path, string reason) => new(path, "markdown", [], [], [], reason);

    private static ArchiveFileResult Read(string path) =>
        new(path, "markdown", [new Article { Id = path, Title = path, Text = "text" }], [], [], null);

    [Fact]
    public void FailuresGroupByReasonWithoutTheirParticularsAndTheFirstFileNamed()
    {
        var report = ReadingReport.From(
        [
            Read("a.md"),
            Failed("_posts/2020-03-10-b.md", "the front matter is not valid YAML (line 3, column 7: mapping values are not allowed)"),
            Failed("_posts/2020-04-11-c.md", "the front matter is not valid YAML (line 9, column 2: found a tab)"),
            Failed("big.html", "file is 70 MB, over the 64 MB limit for one archive file"),
            new ArchiveFileResult("stub.md", "markdown", [], [], [], null) { Skipped = "a redirect stub (redirect: /blog/x)" },
        ]);

        Assert.Equal((5, 1, 1, 3), (report.Files, report.FilesRead, report.FilesSkipped, report.FilesFailed));
        var yaml = report.Failures[0];
        Assert.Equal(("the front matter is not valid YAML", 2, "_posts/2020-03-10-b.md"), (yaml.Reason, yaml.Files, yaml.FirstPath));
        Assert.Equal("file is N MB, over the N MB limit for one archive file", report.Failures[1].Reason);
        Assert.True(report.LossIsSerious);
        Assert.Equal(0.25, report.ReadShare, 3);
        var lines = report.ToLines().ToList();
        Assert.Equal("read 1 of 4 files (25.0 %), 1 articles; 1 skipped as not articles, 3 failed", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  failed: 2 files: the front matter is not valid YAML — first: _posts/2020-03-10-b.md (line 3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  skipped: 1 file: a redirect stub", StringComparison.Ordinal));
    }

    [Fact]
    public void ALossUnderOnePercentIsNotSerious()
    {
        var results = Enumerable.Range(0, 200).Select(i => Read($"{i}.md")).Append(Failed("bad.md", "the article body is empty")).ToList();
        Assert.False(ReadingReport.From(results).LossIsSerious);
    }
}
