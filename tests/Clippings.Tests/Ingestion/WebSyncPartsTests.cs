using Clippings.Ingestion;
using Clippings.Ingestion.Readers;
using Clippings.Ingestion.Web;

namespace Clippings.Tests.Ingestion;

/// <summary>The pieces of website sync on their own: robots.txt rules, sitemap and feed parsing, ids from URLs.</summary>
public sealed class WebSyncPartsTests
{
    [Fact]
    public void RobotsTxtUsesOurGroupElseStarWithTheLongestRuleWinning()
    {
        var robots = RobotsTxt.Parse("""
            # comments are ignored
            User-agent: *
            Disallow: /private/
            Allow: /private/press/
            Disallow: /*.pdf$
            Crawl-delay: 2.5

            User-agent: OtherBot
            Disallow: /

            Sitemap: https://example.org/sitemap_index.xml
            """);
        Assert.False(robots.Allows(new Uri("https://example.org/private/notes")));
        Assert.True(robots.Allows(new Uri("https://example.org/private/press/release")));
        Assert.False(robots.Allows(new Uri("https://example.org/files/report.pdf")));
        Assert.True(robots.Allows(new Uri("https://example.org/files/report.pdf?page=2")));
        Assert.True(robots.Allows(new Uri("https://example.org/2021/03/piece/")));
        Assert.Equal(TimeSpan.FromSeconds(2.5), robots.CrawlDelay);
        Assert.Equal(["https://example.org/sitemap_index.xml"], robots.Sitemaps);

        var ours = RobotsTxt.Parse("User-agent: *\nDisallow:\n\nUser-agent: Clippings\nUser-agent: Other\nDisallow: /archive/\n");
        Assert.False(ours.Allows(new Uri("https://example.org/archive/1999")));
        Assert.True(ours.Allows(new Uri("https://example.org/news")));
        Assert.True(RobotsTxt.Parse("User-agent: *\nDisallow:\n").Allows(new Uri("https://example.org/anything")));
        Assert.False(RobotsTxt.Unreachable.Allows(new Uri("https://example.org/news")));
        Assert.True(RobotsTxt.Unreachable.Allows(new Uri("https://example.org/robots.txt")));
    }

    [Fact]
    public void SitemapsAndIndexesAreReadWithTheirLastmod()
    {
        var index = SitemapDocument.Parse("""
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>https://example.org/post-sitemap.xml</loc><lastmod>2024-05-01T10:00:00+00:00</lastmod></sitemap>
              <sitemap><loc>/page-sitemap.xml</loc></sitemap>
            </sitemapindex>
            """, new Uri("https://example.org/sitemap_index.xml"));
        Assert.True(index.IsIndex);
        Assert.Equal([new ListedUrl(new Uri("https://example.org/post-sitemap.xml"), "2024-05-01T10:00:00+00:00"), new ListedUrl(new Uri("https://example.org/page-sitemap.xml"), null)], index.Entries);

        var set = SitemapDocument.Parse("<urlset><url><loc> https://example.org/a/ </loc></url><url><loc>mailto:x@example.org</loc></url></urlset>", new Uri("https://example.org/s.xml"));
        Assert.False(set.IsIndex);
        Assert.Equal("https://example.org/a/", Assert.Single(set.Entries).Url.AbsoluteUri);

        var broken = Assert.Throws<ArchiveFormatException>(() => SitemapDocument.Parse("<urlset><url>", new Uri("https://example.org/s.xml")));
        Assert.Contains("not well-formed", broken.Message, StringComparison.Ordinal);
        Assert.Throws<ArchiveFormatException>(() => SitemapDocument.Parse("<html><body/></html>", new Uri("https://example.org/s.xml")));
    }

    [Fact]
    public void RssItemsGiveTheirLinksAndDates()
    {
        var items = FeedDocument.Parse("""
            <rss version="2.0"><channel><title>T</title><link>https://example.org/</link><description>D</description>
            <item><title>One</title><link>https://example.org/one/</link><pubDate>Tue, 02 Jan 2024 09:00:00 GMT</pubDate></item>
            <item><title>Two</title><guid isPermaLink="true">https://example.org/two/</guid></item>
            </channel></rss>
            """, new Uri("https://example.org/feed/"));
        Assert.Equal(2, items.Count);
        Assert.Equal(("https://example.org/one/", "2024-01-02T09:00:00.0000000+00:00"), (items[0].Url.AbsoluteUri, items[0].LastModified));
        Assert.Equal("https://example.org/two/", items[1].Url.AbsoluteUri);
    }

    [Theory]
    [InlineData("https://example.org/2021/03/some-piece/", "some-piece")]
    [InlineData("https://example.org/2021/03/some-piece", "some-piece")]
    [InlineData("https://example.org/archive/some-piece.html", "some-piece")]
    [InlineData("https://example.org/archive/some-piece/index.html", "some-piece")]
    [InlineData("https://example.org/archive/Some%20Piece/", "some-piece")]
    [InlineData("https://example.org/", "example-org")]
    public void APageIdComesFromItsUrlAsAFileIdFromItsName(string url, string id)
    {
        Assert.Equal(id, HtmlArticleReader.IdFromUrl(new Uri(url)));
        // A file saved under the piece's slug has that id too: files and pages of one piece agree.
        Assert.Equal(id == "example-org" ? id : "some-piece", HtmlArticleReader.IdFromPath(id == "example-org" ? "/tmp/x/index.html" : "/tmp/x/some-piece.html", url));
    }

    [Fact]
    public void GzippedBodiesAreUnpackedAndTheCharsetIsHonoured()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write("<urlset/>"u8);
        }

        Assert.Equal("<urlset/>", WebText.Decode(buffer.ToArray(), "application/gzip"));
        Assert.Equal("café", WebText.Decode([0x63, 0x61, 0x66, 0xe9], "text/html; charset=iso-8859-1"));
        Assert.Equal(WebDocumentKind.Feed, WebText.Sniff("<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    }

    [Fact]
    public void TheUserAgentNamesClippingsAndTheContactPage()
    {
        Assert.Matches(@"^Clippings/\d+\.\d+ \(archive sync; \+https://newsroom\.example/bot\)$", new SyncOptions { ContactUrl = "https://newsroom.example/bot" }.UserAgent);
        Assert.StartsWith("Clippings/", new SyncOptions().UserAgent, StringComparison.Ordinal);
    }
}
