using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Clippings.Ingestion;
using Clippings.Ingestion.Web;
using Clippings.Storage;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Ingestion;

/// <summary>
/// <c>ingest URL</c> against a site on 127.0.0.1 built from the repository's own fixture pages (Ingestion/Site): a sitemap
/// index with a plain and a gzipped child sitemap, lastmod, a feed, robots.txt with a disallowed page, ETag/304, changed
/// and removed pages, failures and retries, politeness; and WordPress from REST responses written to its documented schema.
/// </summary>
public sealed class WebSyncTests : IAsyncDisposable
{
    private const string Contact = "https://newsroom.example/about-our-crawler";
    private static readonly string SiteFolder = Path.Combine(SharedCorpus.RepoRoot, "tests", "Clippings.Tests", "Ingestion", "Site");

    private readonly StaticTestSite _site = new();
    private readonly string _state = Path.Combine(Path.GetTempPath(), "clippings-tests", $"sync-state-{Guid.NewGuid():N}.db");
    private ServiceProvider _services;

    public WebSyncTests() => _services = Services();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _site.DisposeAsync();
    }

    private WebSync Sync => _services.GetRequiredService<WebSync>();

    private IArchiveIndex Index => _services.GetRequiredService<IArchiveIndex>();

    [Fact]
    public async Task ASitemapIndexIsReadPolitelyAndASecondRunOfTheUnchangedSiteCostsOnlyRobotsTxtAnd304s()
    {
        BuildHarbourSite();

        var first = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((4, 0, 0, 0), (first.New, first.Updated, first.Unchanged, first.Failed));
        Assert.Equal(1, first.Reading.FilesSkipped); // the page robots.txt disallows
        Assert.Contains(first.Reading.Skips, s => s.Reason.Contains("robots.txt", StringComparison.Ordinal));
        Assert.DoesNotContain(_site.Requests(), r => r.Path.Contains("private-notes", StringComparison.Ordinal));
        Assert.All(_site.Requests(), r => Assert.Contains("Clippings/", r.UserAgent, StringComparison.Ordinal));
        Assert.All(_site.Requests(), r => Assert.Contains(Contact, r.UserAgent, StringComparison.Ordinal));
        var keepers = await Index.GetArticleAsync("lighthouse-keepers", CancellationToken.None);
        Assert.Equal("The last lighthouse keepers", keepers!.Title);
        Assert.Equal("https://harbourlight.example/2021/03/lighthouse-keepers/", keepers.Url);
        var firstBytes = _site.Requests().Sum(r => r.BodyBytes);

        _site.ClearLog();
        var second = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 4, 0), (second.New, second.Updated, second.Unchanged, second.Failed));
        var served = _site.Requests();
        var robots = served.Single(r => r.Path == "/robots.txt");
        // Everything else answered 304 to a conditional request (the index, the page listed without lastmod), or was not asked for at all.
        Assert.All(served.Where(r => r != robots), r => Assert.Equal((304, true), (r.Status, r.Conditional)));
        Assert.Contains(served, r => r.Path == "/sitemap_index.xml");
        Assert.Contains(served, r => r.Path == "/2021/11/ferry-timetable/");
        Assert.Equal(robots.BodyBytes, served.Sum(r => r.BodyBytes));
        Assert.Equal(robots.BodyBytes, second.Fetching!.BodyBytes);
        Assert.True(second.Fetching.BodyBytes * 20 < firstBytes, $"second run received {second.Fetching.BodyBytes} bytes, first {firstBytes}");
        Assert.True(second.Fetching.SkippedByLastmod >= 5, "both child sitemaps and three pages skipped by their lastmod");

        // One page changes, and the sitemaps say so.
        _site.Set("/2022/06/oyster-beds/", Page("oyster-beds").Replace("young oysters", "young oysters and mussels", StringComparison.Ordinal));
        SetSitemaps(oysterLastmod: "2022-11-01", includeNetLoft: true);
        _site.ClearLog();
        var third = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 1, 3, 0), (third.New, third.Updated, third.Unchanged, third.Removed));
        Assert.Contains("mussels", (await Index.GetArticleAsync("oyster-beds", CancellationToken.None))!.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(_site.Requests(), r => r.Path.Contains("lighthouse", StringComparison.Ordinal));

        // A page leaves the sitemap: kept without --prune, removed with it.
        SetSitemaps(oysterLastmod: "2022-11-01", includeNetLoft: false);
        var kept = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal(0, kept.Removed);
        Assert.NotNull(await Index.GetArticleAsync("net-loft", CancellationToken.None));
        var pruned = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: true, null, CancellationToken.None);
        Assert.Equal((0, 0, 3, 1), (pruned.New, pruned.Updated, pruned.Unchanged, pruned.Removed));
        Assert.Null(await Index.GetArticleAsync("net-loft", CancellationToken.None));
    }

    [Fact]
    public async Task AFeedIsReadThenAnsweredWith304()
    {
        BuildHarbourSite();
        var first = await Sync.SyncAsync(_site.Url("/feed.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((2, 0, "feed"), (first.New, first.Failed, first.Fetching!.Kind));
        Assert.NotNull(await Index.GetArticleAsync("net-loft", CancellationToken.None));

        _site.ClearLog();
        var second = await Sync.SyncAsync(_site.Url("/feed.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 2), (second.New, second.Updated, second.Unchanged));
        Assert.Equal(304, _site.Requests().Single(r => r.Path == "/feed.xml").Status);
        Assert.Equal(_site.Requests().Single(r => r.Path == "/robots.txt").BodyBytes, second.Fetching!.BodyBytes);
    }

    [Fact]
    public async Task AnAtomFeedWithARelativeLinkIsRead()
    {
        BuildHarbourSite();
        _site.Set("/atom.xml", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour Light</title><id>urn:harbour</id><updated>2022-10-01T00:00:00Z</updated>
            <entry><title>Keepers</title><id>urn:keepers</id><link href="{_site.Url("/2021/03/lighthouse-keepers/")}"/><updated>2021-03-04T08:00:00Z</updated></entry>
            <entry><title>Ferry</title><id>urn:ferry</id><link rel="alternate" href="/2021/11/ferry-timetable/"/><updated>2021-11-20T08:00:00Z</updated></entry>
            </feed>
            """, "application/atom+xml");
        var summary = await Sync.SyncAsync(_site.Url("/atom.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((2, 0), (summary.New, summary.Failed));
    }

    [Fact]
    public async Task AFailingPageIsReportedLikeAFailingFileAndATransientErrorIsRetried()
    {
        BuildHarbourSite();
        _site.FailNext("/2021/03/lighthouse-keepers/", 2, 503);
        _site.Remove("/2021/11/ferry-timetable/");
        _site.Set("/2022/09/net-loft/", Encoding.UTF8.GetBytes("%PDF-1.7 not a page"), "application/pdf");

        var summary = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((2, 2), (summary.New, summary.Failed));
        Assert.Contains(summary.Failures, f => f.Path.EndsWith("/2021/11/ferry-timetable/", StringComparison.Ordinal) && f.Reason.Contains("404", StringComparison.Ordinal));
        Assert.Contains(summary.Failures, f => f.Path.EndsWith("/2022/09/net-loft/", StringComparison.Ordinal) && f.Reason.Contains("not an HTML page", StringComparison.Ordinal));
        Assert.Equal(2, summary.Fetching!.Retries);
        Assert.Equal(3, _site.Requests().Count(r => r.Path == "/2021/03/lighthouse-keepers/"));
        Assert.NotNull(await Index.GetArticleAsync("lighthouse-keepers", CancellationToken.None));
        Assert.Equal(2, summary.Reading.FilesFailed);
        Assert.Contains(summary.Reading.ToLines(noun: "page"), l => l.StartsWith("read 2 of 4 pages", StringComparison.Ordinal));

        // A failed page is read again on the next run (no validators were kept for it).
        _site.Set("/2021/11/ferry-timetable/", Page("ferry-timetable"));
        var next = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: true, null, CancellationToken.None);
        Assert.Equal((1, 0, 2, 1), (next.New, next.Updated, next.Unchanged, next.Failed));
    }

    [Fact]
    public async Task AFailedSitemapKeepsItsPagesAndStopsPrune()
    {
        BuildHarbourSite();
        await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        _site.Set("/sitemap_index.xml", SitemapIndex("2021-12-02", "2022-10-02"), "application/xml");
        _site.FailNext("/sitemaps/2021.xml", 10, 500);

        var summary = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: true, null, CancellationToken.None);
        Assert.Equal(0, summary.Removed);
        Assert.Contains(summary.Warnings, w => w.StartsWith("not pruned", StringComparison.Ordinal));
        Assert.Contains(summary.Failures, f => f.Path.EndsWith("/sitemaps/2021.xml", StringComparison.Ordinal) && f.Reason.Contains("500", StringComparison.Ordinal));
        Assert.NotNull(await Index.GetArticleAsync("lighthouse-keepers", CancellationToken.None));
    }

    [Fact]
    public async Task ARobotsTxtThatCannotBeReadStopsTheRunWithoutRemovingAnything()
    {
        BuildHarbourSite();
        await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        _site.FailNext("/robots.txt", 10, 503);
        _site.ClearLog();

        // RFC 9309: a server error on robots.txt means nothing may be fetched; that is a failure, never "no longer listed".
        var error = await Assert.ThrowsAsync<ClippingsException>(() => Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: true, null, CancellationToken.None));
        Assert.Contains("robots.txt could not be read", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await Index.GetStatsAsync(CancellationToken.None)).Articles);
        Assert.All(_site.Requests(), r => Assert.Equal(("/robots.txt", 503), (r.Path, r.Status)));
    }

    [Fact]
    public async Task APageWhoseArticleLeftTheIndexIsReadAgainDespiteItsStateSayingUnchanged()
    {
        BuildHarbourSite();
        await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        await Index.DeleteArticleAsync("lighthouse-keepers", CancellationToken.None);
        await Index.DeleteArticleAsync("ferry-timetable", CancellationToken.None);

        // One was listed with an unchanged lastmod, the other would answer 304: both are fetched whole and stored again.
        var summary = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((2, 0, 2), (summary.New, summary.Updated, summary.Unchanged));
        Assert.NotNull(await Index.GetArticleAsync("lighthouse-keepers", CancellationToken.None));
    }

    [Fact]
    public async Task NoMoreThanTheSetRequestsRunAtOnceOnOneHost()
    {
        await _services.DisposeAsync();
        _services = Services(new() { ["Clippings:Sync:MaxConcurrentRequestsPerHost"] = "2" });
        var slugs = Enumerable.Range(1, 8).Select(i => $"piece-{i}").ToList();
        foreach (var slug in slugs)
        {
            _site.Set($"/p/{slug}/", Generated(slug));
        }

        _site.Set("/sitemap.xml", UrlSet(slugs.Select(s => ($"/p/{s}/", (string?)null))), "application/xml");
        _site.Latency = TimeSpan.FromMilliseconds(150);
        var summary = await Sync.SyncAsync(_site.Url("/sitemap.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal(8, summary.New);
        Assert.Equal(2, _site.MaxInFlight);
    }

    [Fact]
    public async Task CrawlDelayMakesRequestsOneAtATimeAndSpaced()
    {
        var slugs = new[] { "one", "two", "three" };
        foreach (var slug in slugs)
        {
            _site.Set($"/p/{slug}/", Generated(slug));
        }

        _site.Set("/robots.txt", "User-agent: *\nCrawl-delay: 0.4\n", "text/plain");
        _site.Set("/sitemap.xml", UrlSet(slugs.Select(s => ($"/p/{s}/", (string?)null))), "application/xml");
        var summary = await Sync.SyncAsync(_site.Url("/sitemap.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal(3, summary.New);
        Assert.Equal(1, _site.MaxInFlight);
        var starts = _site.Requests().Select(r => r.Started).Order().ToList();
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(350), $"requests {gap.TotalMilliseconds:F0} ms apart"));
    }

    [Fact]
    public async Task AHomePageLeadsToTheSitemapsRobotsTxtNames()
    {
        BuildHarbourSite();
        _site.Set("/", "<!doctype html><html><head><title>Harbour Light</title></head><body><p>Welcome.</p></body></html>");
        var summary = await Sync.SyncAsync(_site.Root.AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((4, "sitemap"), (summary.New, summary.Fetching!.Kind));
    }

    [Fact]
    public async Task AFileAndThePageOfTheSamePieceAreOneArticle()
    {
        BuildHarbourSite();
        // The file is named otherwise than its URL: the canonical URL joins them.
        var folder = Path.Combine(Path.GetTempPath(), "clippings-tests", "sync-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "keepers-2021.html"), Page("lighthouse-keepers"));
            var files = await _services.GetRequiredService<ArchiveIngestor>().IngestAsync([folder], new IngestOptions(), null, CancellationToken.None);
            Assert.Equal(1, files.New);

            var web = await Sync.SyncAsync(_site.Url("/sitemap_index.xml").AbsoluteUri, prune: false, null, CancellationToken.None);
            Assert.Equal((3, 0, 1), (web.New, web.Updated, web.Unchanged));
            Assert.NotNull(await Index.GetArticleAsync("keepers-2021", CancellationToken.None));
            Assert.Null(await Index.GetArticleAsync("lighthouse-keepers", CancellationToken.None));
            Assert.Equal(4, (await Index.GetStatsAsync(CancellationToken.None)).Articles);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AWordPressSiteIsReadFromItsRestApiAndOnlyChangedPostsAreFetchedAgain()
    {
        var posts = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(SiteFolder, "wordpress-posts.json")))!.AsArray();
        _site.Handler = (path, query) => WordPress(posts, path, query);
        _site.Set("/", $"""<!doctype html><html><head><title>Quayside Post</title><link rel="https://api.w.org/" href="{_site.Url("/wp-json/")}" /></head><body><p>News from the quay.</p></body></html>""");

        var first = await Sync.SyncAsync(_site.Root.AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((3, 0, "wordpress"), (first.New, first.Failed, first.Fetching!.Kind));
        var slipway = await Index.GetArticleAsync("slipway-repairs", CancellationToken.None);
        Assert.Equal(("Slipway repairs finish before the storms", "Harbour", "https://quayside.example/2023/01/slipway-repairs/"), (slipway!.Title, slipway.Section, slipway.Url));
        Assert.Equal(["June Adair"], slipway.Authors);
        var june = (await Index.ListAuthorsAsync(CancellationToken.None)).Single(a => a.Name == "June Adair");
        Assert.StartsWith("June Adair covers the harbour", june.Bio, StringComparison.Ordinal);
        Assert.Contains(_site.Requests(), r => r.Path.Contains("include=", StringComparison.Ordinal) && r.Path.Contains("_embed", StringComparison.Ordinal));

        _site.ClearLog();
        var second = await Sync.SyncAsync(_site.Root.AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 3), (second.New, second.Updated, second.Unchanged));
        Assert.DoesNotContain(_site.Requests(), r => r.Path.Contains("include=", StringComparison.Ordinal));

        // An editor changes one post: its modified_gmt moves, and only it is fetched in full.
        posts[1]!["modified_gmt"] = "2023-04-01T10:00:00";
        posts[1]!["content"]!["rendered"] = "<p>Five new traders have taken stalls in the market hall this month, and the hall has a waiting list.</p>";
        _site.ClearLog();
        var third = await Sync.SyncAsync(_site.Root.AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 1, 2), (third.New, third.Updated, third.Unchanged));
        Assert.Contains("waiting list", (await Index.GetArticleAsync("market-hall-stalls", CancellationToken.None))!.Text, StringComparison.Ordinal);
        Assert.Contains(_site.Requests(), r => r.Path.Contains("include=102&", StringComparison.Ordinal));

        // A post deleted in WordPress goes with --prune.
        posts.RemoveAt(2);
        var pruned = await Sync.SyncAsync(_site.Root.AbsoluteUri, prune: true, null, CancellationToken.None);
        Assert.Equal((0, 2, 1), (pruned.Updated + pruned.New, pruned.Unchanged, pruned.Removed));
        Assert.Null(await Index.GetArticleAsync("pilot-boat-retires", CancellationToken.None));

        // The API's own address is a source too (a new one: its posts are read once, and are the articles already held).
        var direct = await Sync.SyncAsync(_site.Url("/wp-json/").AbsoluteUri, prune: false, null, CancellationToken.None);
        Assert.Equal((0, 0, 2, "wordpress"), (direct.New, direct.Updated, direct.Unchanged, direct.Fetching!.Kind));
    }

    [Fact]
    public async Task AnAddressThatIsNoSourceSaysWhatToGive()
    {
        _site.Set("/data.txt", "just text", "text/plain");
        var error = await Assert.ThrowsAsync<ClippingsException>(() => Sync.SyncAsync(_site.Url("/data.txt").AbsoluteUri, prune: false, null, CancellationToken.None));
        Assert.Contains("sitemap or feed", error.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ClippingsException>(() => Sync.SyncAsync(_site.Url("/nothing.xml").AbsoluteUri, prune: false, null, CancellationToken.None));
        Assert.Contains("404", missing.Message, StringComparison.Ordinal);
    }

    /// <summary>The WordPress REST routes the sync uses, answered as WordPress documents them: listing with _fields, include with _embed.</summary>
    private static (int, string, string, IReadOnlyDictionary<string, string>)? WordPress(JsonArray posts, string path, string query)
    {
        if (path != "/wp-json/wp/v2/posts")
        {
            return null;
        }

        var args = System.Web.HttpUtility.ParseQueryString(query);
        var perPage = int.Parse(args["per_page"] ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        var page = int.Parse(args["page"] ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var selected = posts.Select(p => p!).ToList();
        if (args["include"] is { } include)
        {
            var ids = include.Split(',').ToHashSet();
            selected = selected.Where(p => ids.Contains(p["id"]!.ToString())).ToList();
        }

        var totalPages = Math.Max(1, (selected.Count + perPage - 1) / perPage);
        if (page > totalPages)
        {
            return (400, """{"code":"rest_post_invalid_page_number","message":"The page number requested is larger than the number of pages available.","data":{"status":400}}""", "application/json", new Dictionary<string, string>());
        }

        var fields = args["_fields"]?.Split(',');
        var body = new JsonArray(selected.Skip((page - 1) * perPage).Take(perPage).Select(p =>
        {
            var copy = p.DeepClone().AsObject();
            if (args["_embed"] is null)
            {
                copy.Remove("_embedded");
            }

            if (fields is not null)
            {
                foreach (var name in copy.Select(kv => kv.Key).Where(k => !fields.Contains(k)).ToList())
                {
                    copy.Remove(name);
                }
            }

            return (JsonNode)copy;
        }).ToArray());
        return (200, body.ToJsonString(), "application/json; charset=UTF-8", new Dictionary<string, string>
        {
            ["X-WP-Total"] = selected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["X-WP-TotalPages"] = totalPages.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private ServiceProvider Services(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clippings:Sync:StatePath"] = _state,
            ["Clippings:Sync:ContactUrl"] = Contact,
            ["Clippings:Sync:RetryDelay"] = "00:00:00.010",
            ["Clippings:Sync:RequestTimeout"] = "00:00:10",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("sync"), settings);
    }

    private static string Page(string slug) => File.ReadAllText(Path.Combine(SiteFolder, "pages", slug + ".html"));

    /// <summary>The fixture pages at their paths, robots.txt disallowing /2022/10/, a sitemap index over a plain and a gzipped sitemap, and a feed.</summary>
    private void BuildHarbourSite()
    {
        foreach (var (path, slug) in HarbourPages)
        {
            _site.Set(path, Page(slug));
        }

        _site.Set("/robots.txt", $"User-agent: *\nDisallow: /2022/10/\n\nUser-agent: GPTBot\nDisallow: /\n\nSitemap: {_site.Url("/sitemap_index.xml")}\n", "text/plain");
        SetSitemaps(oysterLastmod: "2022-06-12", includeNetLoft: true);
        _site.Set("/feed.xml", $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Harbour Light</title><link>{_site.Root}</link><description>Weekly</description>
            <item><title>A night in the net loft</title><link>{_site.Url("/2022/09/net-loft/")}</link><pubDate>Fri, 30 Sep 2022 08:00:00 GMT</pubDate></item>
            <item><title>The oyster beds come back</title><link>{_site.Url("/2022/06/oyster-beds/")}</link><pubDate>Sun, 12 Jun 2022 08:00:00 GMT</pubDate></item>
            </channel></rss>
            """, "application/rss+xml");
    }

    private static readonly (string Path, string Slug)[] HarbourPages =
    [
        ("/2021/03/lighthouse-keepers/", "lighthouse-keepers"),
        ("/2021/11/ferry-timetable/", "ferry-timetable"),
        ("/2022/06/oyster-beds/", "oyster-beds"),
        ("/2022/09/net-loft/", "net-loft"),
        ("/2022/10/private-notes/", "private-notes"),
    ];

    private void SetSitemaps(string oysterLastmod, bool includeNetLoft)
    {
        // 2021: one page with lastmod, one without (it is asked for conditionally every run).
        _site.Set("/sitemaps/2021.xml", UrlSet([("/2021/03/lighthouse-keepers/", "2021-03-04"), ("/2021/11/ferry-timetable/", null)]), "application/xml");
        var pages2022 = new List<(string, string?)> { ("/2022/06/oyster-beds/", oysterLastmod), ("/2022/10/private-notes/", "2022-10-01") };
        if (includeNetLoft)
        {
            pages2022.Add(("/2022/09/net-loft/", "2022-09-30"));
        }

        _site.Set("/sitemaps/2022.xml.gz", Gzip(UrlSet(pages2022)), "application/gzip");
        var lastmod2022 = string.CompareOrdinal(oysterLastmod, "2022-10-02") > 0 ? oysterLastmod + (includeNetLoft ? "" : "T12:00:00Z") : "2022-10-02";
        _site.Set("/sitemap_index.xml", SitemapIndex("2021-12-01", lastmod2022), "application/xml");
    }

    private string SitemapIndex(string lastmod2021, string lastmod2022) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
          <sitemap><loc>{_site.Url("/sitemaps/2021.xml")}</loc><lastmod>{lastmod2021}</lastmod></sitemap>
          <sitemap><loc>{_site.Url("/sitemaps/2022.xml.gz")}</loc><lastmod>{lastmod2022}</lastmod></sitemap>
        </sitemapindex>
        """;

    private string UrlSet(IEnumerable<(string Path, string? Lastmod)> pages) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        + string.Concat(pages.Select(p => $"  <url><loc>{_site.Url(p.Path)}</loc>{(p.Lastmod is null ? "" : $"<lastmod>{p.Lastmod}</lastmod>")}</url>\n"))
        + "</urlset>\n";

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private static string Generated(string slug) => $"""
        <!doctype html><html><head><meta charset="utf-8"><title>Piece {slug}</title>
        <meta property="article:author" content="Ann Example"><meta property="article:published_time" content="2020-01-01T00:00:00Z">
        <link rel="canonical" href="https://generated.example/p/{slug}/"></head>
        <body><article><h1>Piece {slug}</h1><p>This is the generated piece called {slug}, written for the politeness tests of the website sync.</p></article></body></html>
        """;
}
