using Clippings.Tests.Robustness;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Cli;

/// <summary><c>clippings ingest URL</c> as a real process against a site on 127.0.0.1.</summary>
public sealed class IngestUrlCommandTests
{
    [Fact]
    public async Task IngestOfASitemapPrintsTheSummaryAndTheCostAndASecondRunIsAll304s()
    {
        await using var site = new StaticTestSite();
        foreach (var slug in new[] { "quay-wall", "lifeboat-day" })
        {
            site.Set($"/news/{slug}/", $"""
                <!doctype html><html><head><meta charset="utf-8"><title>News: {slug}</title>
                <meta property="article:author" content="Ann Example"><meta property="article:published_time" content="2024-01-01T00:00:00Z"></head>
                <body><article><h1>News: {slug}</h1><p>The piece about {slug} has a paragraph of ordinary text for the command test.</p></article></body></html>
                """);
        }

        site.Set("/sitemap.xml", $"<urlset><url><loc>{site.Url("/news/quay-wall/")}</loc></url><url><loc>{site.Url("/news/lifeboat-day/")}</loc></url></urlset>", "application/xml");
        var folder = Path.Combine(Path.GetTempPath(), "clippings-tests", "ingest-url-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var index = Path.Combine(folder, "site.db");
            var (code, output, error) = await CliBinary.RunAsync(folder, "ingest", site.Url("/sitemap.xml").AbsoluteUri, "--index", index);
            Assert.True(code == 0, error);
            Assert.Contains("2 new, 0 updated, 0 unchanged, 0 removed, 0 failed", output, StringComparison.Ordinal);
            Assert.Contains("sitemap: 2 pages listed", error, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "site.sync.db")), "the sync state sits beside the index");

            (code, output, error) = await CliBinary.RunAsync(folder, "ingest", site.Url("/sitemap.xml").AbsoluteUri, "--index", index);
            Assert.True(code == 0, error);
            Assert.Contains("0 new, 0 updated, 2 unchanged", output, StringComparison.Ordinal);
            Assert.Contains("(3 not modified, 0 retries)", error, StringComparison.Ordinal);
            Assert.Contains(" 0 bytes received", error, StringComparison.Ordinal);

            (code, _, error) = await CliBinary.RunAsync(folder, "ingest", site.Url("/sitemap.xml").AbsoluteUri, folder, "--index", index);
            Assert.NotEqual(0, code);
            Assert.Contains("either files and folders or website addresses", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
