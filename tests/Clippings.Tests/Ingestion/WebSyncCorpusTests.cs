using System.Text;
using Clippings.Ingestion;
using Clippings.Ingestion.Web;
using Clippings.Storage;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Ingestion;

/// <summary>
/// The shared corpus's published pages (../shared/corpus/formats/html) served on 127.0.0.1 at their canonical paths, with
/// a sitemap index over two child sitemaps with lastmod, a feed, robots.txt disallowing one page and ETag/304: the site
/// and the same pages ingested as files are one archive, an unchanged site costs robots.txt and 304s, a changed page is updated.
/// </summary>
public sealed class WebSyncCorpusTests
{
    [SharedCorpusFact]
    public async Task TheCorpusSiteAgreesWithItsFilesAndAnUnchangedSecondRunReceivesOnlyRobotsTxt()
    {
        var files = Directory.GetFiles(SharedCorpus.Path("formats", "html"), "chesterton-*.html").Order(StringComparer.Ordinal).Take(8).ToList();
        await using var site = new StaticTestSite();
        var paths = new List<string>();
        foreach (var file in files)
        {
            var html = await File.ReadAllTextAsync(file);
            var canonical = new Uri(System.Text.RegularExpressions.Regex.Match(html, "<link rel=\"canonical\" href=\"([^\"]+)\"").Groups[1].Value);
            site.Set(canonical.AbsolutePath, html);
            paths.Add(canonical.AbsolutePath);
        }

        var disallowed = paths[^1];
        site.Set("/robots.txt", $"User-agent: *\nDisallow: {disallowed}\n", "text/plain");
        site.Set("/sitemaps/a.xml", UrlSet(site, paths.Take(4)), "application/xml");
        site.Set("/sitemaps/b.xml", UrlSet(site, paths.Skip(4)), "application/xml");
        site.Set("/sitemap_index.xml", $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>{site.Url("/sitemaps/a.xml")}</loc><lastmod>2024-01-01</lastmod></sitemap>
              <sitemap><loc>{site.Url("/sitemaps/b.xml")}</loc><lastmod>2024-01-01</lastmod></sitemap>
            </sitemapindex>
            """, "application/xml");
        site.Set("/feed.xml", $"""
            <?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>The Periodical Archive</title><link>{site.Root}</link><description>New</description>
            {string.Concat(paths.Take(3).Select(p => $"<item><title>{p}</title><link>{site.Url(p)}</link></item>"))}
            </channel></rss>
            """, "application/rss+xml");

        var state = Path.Combine(Path.GetTempPath(), "clippings-tests", $"sync-corpus-{Guid.NewGuid():N}.db");
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("sync-corpus"), new Dictionary<string, string?> { ["Clippings:Sync:StatePath"] = state });
        var index = services.GetRequiredService<IArchiveIndex>();
        var fromFiles = await services.GetRequiredService<ArchiveIngestor>().IngestAsync(files, new IngestOptions(), null, CancellationToken.None);
        Assert.Equal(8, fromFiles.New);

        // The pages are the files' articles: same ids (by canonical URL), same content, nothing new.
        var sync = services.GetRequiredService<WebSync>();
        var first = await sync.SyncAsync(site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 7, 0), (first.New, first.Updated, first.Unchanged, first.Failed));
        Assert.Equal(1, first.Reading.FilesSkipped);
        Assert.DoesNotContain(site.Requests(), r => r.Path == disallowed);
        Assert.Equal(8, (await index.GetStatsAsync(CancellationToken.None)).Articles);
        var firstBytes = first.Fetching!.BodyBytes;

        site.ClearLog();
        var second = await sync.SyncAsync(site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 7), (second.New, second.Updated, second.Unchanged));
        var robots = site.Requests().Single(r => r.Path == "/robots.txt");
        Assert.All(site.Requests().Where(r => r != robots), r => Assert.Equal(304, r.Status));
        Assert.Equal(robots.BodyBytes, second.Fetching!.BodyBytes);
        Assert.True(second.Fetching.BodyBytes * 100 < firstBytes, $"second run {second.Fetching.BodyBytes} bytes, first {firstBytes}");

        // The feed lists three of them: also unchanged, then 304.
        var feed = await sync.SyncAsync(site.Url("/feed.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 3), (feed.New, feed.Updated, feed.Unchanged));

        // A page gains a paragraph: its ETag changes, the sitemap (without lastmod for pages) asks conditionally, and it is updated.
        var changed = paths[1];
        var original = await File.ReadAllTextAsync(files[1]);
        site.Set(changed, original.Replace("<div class=\"entry-content\">\n<p>", "<div class=\"entry-content\">\n<p>A paragraph the sync test added.</p>\n<p>", StringComparison.Ordinal));
        var third = await sync.SyncAsync(site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 1, 6), (third.New, third.Updated, third.Unchanged));
        var id = Path.GetFileNameWithoutExtension(files[1]);
        Assert.StartsWith("A paragraph the sync test added.", (await index.GetArticleAsync(id, CancellationToken.None))!.Text, StringComparison.Ordinal);
    }

    private static string UrlSet(StaticTestSite site, IEnumerable<string> paths)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        foreach (var path in paths)
        {
            xml.Append("  <url><loc>").Append(site.Url(path)).Append("</loc></url>\n");
        }

        return xml.Append("</urlset>\n").ToString();
    }
}
