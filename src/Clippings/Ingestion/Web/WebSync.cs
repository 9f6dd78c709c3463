using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Clippings.Archive;
using Clippings.Ingestion.Readers;
using Microsoft.Extensions.Logging;

namespace Clippings.Ingestion.Web;

/// <summary>What reading a website cost: requests sent, 304 answers, body bytes received, retries, pages skipped by their lastmod.</summary>
public sealed record FetchCost(string Kind, int PagesListed, long Requests, long NotModified, long BodyBytes, long Retries, int SkippedByLastmod)
{
    public string ToLine() =>
        $"{Kind}: {PagesListed:N0} pages listed; {Requests:N0} requests ({NotModified:N0} not modified, {Retries:N0} retries), {SkippedByLastmod:N0} skipped by lastmod, {BodyBytes:N0} bytes received";
}

/// <summary>
/// Keeps the index in step with a website: a sitemap (index, child sitemaps, .xml.gz), an RSS or Atom feed, or a
/// WordPress site's REST API; a home page is looked at for WordPress's API link, then robots.txt's sitemaps, then
/// /sitemap.xml. Pages are read by the same HTML reader as files, WordPress posts by the same mapping as its REST
/// export files. Incremental: a listed lastmod (or WordPress's modified_gmt) equal to the one last read skips the page
/// without a request, and every other page is asked for conditionally (ETag / Last-Modified), so an unchanged site
/// costs a robots.txt and a few 304s. Per-URL failures are reported as files' are; the rest of the site still syncs.
/// </summary>
public sealed partial class WebSync
{
    private const int MaxSitemapDepth = 4;
    private const int WordPressBatch = 20;

    private readonly ArchiveIngestor _ingestor;
    private readonly HttpClient _http;
    private readonly SyncOptions _options;
    private readonly SyncStateStore _state;
    private readonly ILogger<WebSync> _logger;

    public WebSync(ArchiveIngestor ingestor, HttpClient http, SyncOptions options, SyncStateStore state, ILogger<WebSync> logger)
    {
        _ingestor = ingestor;
        _http = http;
        _options = options;
        _state = state;
        _logger = logger;
    }

    public SyncStateStore State => _state;

    /// <summary>True when <paramref name="value"/> is an http(s) address rather than a file path.</summary>
    public static bool IsWebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    /// <summary>
    /// Syncs one source. With <paramref name="prune"/>, articles of pages the source no longer lists are removed (never when
    /// part of the listing could not be read: a sitemap that failed once must not empty the archive).
    /// </summary>
    public async Task<IngestSummary> SyncAsync(string source, bool prune, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(source.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new ClippingsException($"'{source}' is not a web address; give a sitemap, feed or site address such as https://example.org/sitemap.xml.");
        }

        var stopwatch = Stopwatch.StartNew();
        using var fetcher = new PoliteFetcher(_http, _options, _logger);
        var known = await _state.LoadAsync(url.AbsoluteUri, cancellationToken).ConfigureAwait(false);
        // The state may outlive what it describes (an index rebuilt, an article deleted): a page whose article the index
        // does not hold is read again in full, never answered "unchanged" by its lastmod or a 304.
        var stored = await _ingestor.StoredArticleIdsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var record in known.Values.Where(r => r.ArticleId is not null && !stored.Contains(r.ArticleId)).ToList())
        {
            known[record.Url] = record with { ArticleId = null, ETag = null, LastModified = null, ReadLastmod = null };
        }

        var run = new Run(url.AbsoluteUri, fetcher, known) { MaxPagesLimit = _options.MaxPages };
        _logger.LogInformation("Syncing {Source} as {UserAgent}", run.Source, _options.UserAgent);

        await ListAsync(run, url, cancellationToken).ConfigureAwait(false);
        if (run.Kind == "wordpress")
        {
            await ReadWordPressPostsAsync(run, progress, stopwatch, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ReadPagesAsync(run, progress, stopwatch, cancellationToken).ConfigureAwait(false);
        }

        // Results in listing order (reading ran in parallel), then the ids files already use for the same URLs.
        var pages = run.Pages.Values.OrderBy(p => p.Order).ToList();
        var results = run.ListingFailures.Concat(pages.Select(p => p.Result).OfType<ArchiveFileResult>()).ToList();
        results = (await _ingestor.MatchStoredUrlsAsync(results, cancellationToken).ConfigureAwait(false)).ToList();
        var idByPath = results.Where(r => r.Articles.Count > 0).GroupBy(r => r.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Articles[0].Id, StringComparer.Ordinal);

        var listed = pages.Where(p => p.Listed).ToList();
        var keptIds = listed.Select(p => p.UnchangedId ?? idByPath.GetValueOrDefault(p.Entry.Url.AbsoluteUri) ?? p.Known?.ArticleId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var removeIds = new List<string>();
        var warnings = new List<string>();
        if (prune && run.ListingFailures.Count > 0)
        {
            warnings.Add($"not pruned: {run.ListingFailures.Count} of the listing's documents could not be read, so what the site no longer lists is not known");
        }
        else if (prune)
        {
            var elsewhere = await _state.ArticleIdsOfOtherSourcesAsync(run.Source, cancellationToken).ConfigureAwait(false);
            removeIds = run.Known.Values.Where(r => r.Kind == "page" && r.ArticleId is not null && !(run.Pages.TryGetValue(r.Url, out var page) && page.Listed))
                .Select(r => r.ArticleId!).Where(id => !keptIds.Contains(id) && !elsewhere.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
        }

        var unchangedIds = listed.Select(p => p.UnchangedId).OfType<string>().ToList();
        var summary = await _ingestor.StoreAsync(results, new StorePlan(unchangedIds, removeIds, PruneUnlisted: false), progress, cancellationToken).ConfigureAwait(false);

        await SaveStateAsync(run, pages, idByPath, prune && run.ListingFailures.Count == 0, cancellationToken).ConfigureAwait(false);
        var cost = new FetchCost(run.Kind, listed.Count, fetcher.Statistics.Requests, fetcher.Statistics.NotModified, fetcher.Statistics.BodyBytes, fetcher.Statistics.Retries, run.SkippedByLastmod);
        _logger.LogInformation(
            "Synced {Source} ({Kind}): {New} new, {Updated} updated, {Unchanged} unchanged, {Removed} removed, {Failed} failed; {Requests} requests, {NotModified} not modified, {Bytes} bytes, {SkippedByLastmod} skipped by lastmod in {ElapsedMs} ms",
            run.Source, run.Kind, summary.New, summary.Updated, summary.Unchanged, summary.Removed, summary.Failed, cost.Requests, cost.NotModified, cost.BodyBytes, cost.SkippedByLastmod, stopwatch.ElapsedMilliseconds);
        return summary with
        {
            Warnings = [.. run.Warnings, .. warnings, .. summary.Warnings],
            Elapsed = stopwatch.Elapsed,
            Fetching = cost,
        };
    }

    /// <summary>Finds what the source is and collects the pages it lists into <see cref="Run.Pages"/>.</summary>
    private async Task ListAsync(Run run, Uri url, CancellationToken cancellationToken)
    {
        if (WordPressApiRoot(url) is { } api)
        {
            run.Kind = "wordpress";
            await ListWordPressAsync(run, api, cancellationToken).ConfigureAwait(false);
            return;
        }

        run.Known.TryGetValue(url.AbsoluteUri, out var known);
        var first = await run.Fetcher.GetAsync(url, known is not null && run.HasChildren(url.AbsoluteUri) || known?.Kind == "site" ? known!.Validators : null, ArchiveLoader.DefaultMaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (first.Outcome is FetchOutcome.Failed or FetchOutcome.Disallowed)
        {
            throw new ClippingsException($"Cannot read {url}: {first.Error}. Check the address (a sitemap, a feed, a WordPress site or its home page).");
        }

        string kind;
        string? text = null;
        if (first.Outcome == FetchOutcome.NotModified && known is not null)
        {
            kind = known.Kind;
        }
        else
        {
            text = WebText.Decode(first.Body, first.ContentType);
            kind = WebText.Sniff(text) switch
            {
                WebDocumentKind.Sitemap => "sitemap",
                WebDocumentKind.Feed => "feed",
                WebDocumentKind.Json => "json",
                WebDocumentKind.Html => "site",
                _ => throw new ClippingsException($"{url} is neither a sitemap, a feed, a WordPress API nor a web page; give the site's sitemap or feed address."),
            };
        }

        switch (kind)
        {
            case "sitemap":
                run.Kind = "sitemap";
                await WalkSitemapAsync(run, url, parent: null, listedLastmod: null, first, 0, cancellationToken).ConfigureAwait(false);
                break;
            case "feed":
                run.Kind = "feed";
                var items = await ReadListingAsync(run, url, "feed", parent: null, listedLastmod: null, first, cancellationToken).ConfigureAwait(false);
                foreach (var item in items)
                {
                    run.List(item.Entry, url.AbsoluteUri);
                }

                break;
            case "json":
                throw new ClippingsException($"{url} is JSON but not a WordPress REST API root; give the site's https://…/wp-json/ address, its sitemap or its feed.");
            default:
                // A home page: WordPress announces its API in a <link rel="https://api.w.org/">; else the sitemaps robots.txt names, else /sitemap.xml.
                var reference = text is null ? known?.Reference : Discover(text, url, await run.Fetcher.RobotsAsync(url, cancellationToken).ConfigureAwait(false));
                run.Keep(new SyncRecord(url.AbsoluteUri, "site", null, first.Validators.ETag, first.Validators.LastModified, null, null, null, reference));
                if (reference?.StartsWith("wordpress ", StringComparison.Ordinal) == true)
                {
                    run.Kind = "wordpress";
                    await ListWordPressAsync(run, new Uri(reference["wordpress ".Length..]), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    run.Kind = "sitemap";
                    foreach (var sitemap in (reference ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
                    {
                        await WalkSitemapAsync(run, new Uri(sitemap), url.AbsoluteUri, null, null, 0, cancellationToken).ConfigureAwait(false);
                    }
                }

                break;
        }
    }

    /// <summary>"wordpress API-ROOT" or "sitemaps URL…" for a home page.</summary>
    private static string Discover(string html, Uri page, RobotsTxt robots)
    {
        var link = WordPressLink().Match(html);
        if (link.Success && Uri.TryCreate(page, System.Net.WebUtility.HtmlDecode(link.Groups["href"].Value), out var api) && WordPressApiRoot(api) is { } root)
        {
            return "wordpress " + root.AbsoluteUri;
        }

        var sitemaps = robots.Sitemaps.Count > 0 ? robots.Sitemaps : [new Uri(page, "/sitemap.xml").AbsoluteUri];
        return "sitemaps " + string.Join(' ', sitemaps);
    }

    /// <summary>The REST root (…/wp-json/) of a URL inside it, or null.</summary>
    private static Uri? WordPressApiRoot(Uri url)
    {
        var at = url.AbsolutePath.IndexOf("/wp-json", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? null : new Uri(url, url.AbsolutePath[..at] + "/wp-json/");
    }

    private async Task WalkSitemapAsync(Run run, Uri url, string? parent, string? listedLastmod, FetchResult? fetched, int depth, CancellationToken cancellationToken)
    {
        if (!run.VisitedListings.Add(url.AbsoluteUri))
        {
            return;
        }

        var entries = await ReadListingAsync(run, url, "sitemap", parent, listedLastmod, fetched, cancellationToken).ConfigureAwait(false);
        foreach (var (entry, kind) in entries)
        {
            if (kind == "sitemap")
            {
                if (depth < MaxSitemapDepth)
                {
                    await WalkSitemapAsync(run, entry.Url, url.AbsoluteUri, entry.LastModified, null, depth + 1, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                run.List(entry, url.AbsoluteUri);
            }
        }
    }

    /// <summary>
    /// A sitemap's or feed's entries: read when it changed, else taken from the state (a child sitemap listed with the
    /// lastmod it was read at is not even asked for; any other is asked for conditionally). A failure is reported and the
    /// entries last seen stand, so its pages are neither lost nor pruned.
    /// </summary>
    private async Task<List<(ListedUrl Entry, string Kind)>> ReadListingAsync(Run run, Uri url, string kind, string? parent, string? listedLastmod, FetchResult? fetched, CancellationToken cancellationToken)
    {
        var key = url.AbsoluteUri;
        run.Known.TryGetValue(key, out var known);
        var remembered = run.ChildrenOf(key);
        if (fetched is null && known is not null && remembered.Count > 0 && listedLastmod is not null && known.ReadLastmod == listedLastmod)
        {
            run.CountSkipped();
            run.Keep(known with { Parent = parent, ListedLastmod = listedLastmod });
            return remembered;
        }

        fetched ??= await run.Fetcher.GetAsync(url, remembered.Count > 0 ? known?.Validators : null, ArchiveLoader.DefaultMaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (fetched.Outcome == FetchOutcome.NotModified && known is not null)
        {
            run.Keep(known with { Parent = parent, ETag = fetched.Validators.ETag, LastModified = fetched.Validators.LastModified, ListedLastmod = listedLastmod, ReadLastmod = listedLastmod });
            return remembered;
        }

        if (fetched.Outcome is FetchOutcome.Failed or FetchOutcome.Disallowed or FetchOutcome.NotModified)
        {
            return ListingFailed(run, known, key, fetched.Error ?? "answered 304 to an unconditional request", remembered);
        }

        try
        {
            var text = WebText.Decode(fetched.Body, fetched.ContentType);
            List<(ListedUrl, string)> entries;
            if (kind == "feed")
            {
                entries = FeedDocument.Parse(text, fetched.FinalUrl).Select(i => (i, "page")).ToList();
            }
            else
            {
                var sitemap = SitemapDocument.Parse(text, fetched.FinalUrl);
                entries = sitemap.Entries.Select(e => (e, sitemap.IsIndex ? "sitemap" : "page")).ToList();
            }

            run.Keep(new SyncRecord(key, kind, parent, fetched.Validators.ETag, fetched.Validators.LastModified, listedLastmod, listedLastmod, null, null));
            return entries;
        }
        catch (ArchiveFormatException ex)
        {
            return ListingFailed(run, known, key, ex.Message, remembered);
        }
    }

    private List<(ListedUrl Entry, string Kind)> ListingFailed(Run run, SyncRecord? known, string url, string reason, List<(ListedUrl Entry, string Kind)> remembered)
    {
        _logger.LogWarning("Could not read {Url}: {Reason}", url, reason);
        run.ListingFailures.Add(new ArchiveFileResult(url, null, [], [], [], reason));
        if (known is not null)
        {
            run.Keep(known);
        }

        return remembered;
    }

    private async Task ReadPagesAsync(Run run, IProgress<IngestProgress>? progress, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var pages = run.Pages.Values.OrderBy(p => p.Order).ToList();
        var done = 0;
        progress?.Report(new IngestProgress(0, 0, 0, 0, pages.Count, stopwatch.Elapsed));
        // The fetcher holds each host to its limit; this only keeps that many pages in flight.
        await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRequestsPerHost, CancellationToken = cancellationToken }, async (page, ct) =>
        {
            await ReadPageAsync(run, page, ct).ConfigureAwait(false);
            progress?.Report(new IngestProgress(0, 0, 0, Interlocked.Increment(ref done), pages.Count, stopwatch.Elapsed));
        }).ConfigureAwait(false);
    }

    private async Task ReadPageAsync(Run run, Page page, CancellationToken cancellationToken)
    {
        var known = page.Known;
        if (known?.ArticleId is not null && page.Entry.LastModified is not null && known.ReadLastmod == page.Entry.LastModified)
        {
            run.CountSkipped();
            page.UnchangedId = known.ArticleId;
            return;
        }

        // Validators only for a page that gave an article: a 304 must stand for something the index holds.
        var fetched = await run.Fetcher.GetAsync(page.Entry.Url, known?.ArticleId is not null ? known.Validators : null, ArchiveLoader.MaxPageChars, cancellationToken).ConfigureAwait(false);
        page.Fetch = fetched;
        switch (fetched.Outcome)
        {
            case FetchOutcome.Disallowed:
                page.Listed = false;
                page.Result = new ArchiveFileResult(page.Entry.Url.AbsoluteUri, null, [], [], [], null) { Skipped = fetched.Error };
                return;
            case FetchOutcome.NotModified when known?.ArticleId is not null:
                page.UnchangedId = known.ArticleId;
                return;
            case FetchOutcome.Ok:
                page.Result = ReadHtml(page.Entry.Url, fetched);
                return;
            default:
                _logger.LogWarning("Could not read {Url}: {Reason}", page.Entry.Url, fetched.Error);
                page.Result = new ArchiveFileResult(page.Entry.Url.AbsoluteUri, null, [], [], [], fetched.Error ?? "answered 304 to an unconditional request");
                return;
        }
    }

    /// <summary>A fetched page through the HTML reader; its id comes from its canonical URL (else the address it was fetched from).</summary>
    private ArchiveFileResult ReadHtml(Uri url, FetchResult fetched)
    {
        var path = url.AbsoluteUri;
        try
        {
            var text = WebText.Decode(fetched.Body, fetched.ContentType);
            if (WebText.Sniff(text) != WebDocumentKind.Html && !(fetched.ContentType?.Contains("html", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                return Failure(path, $"not an HTML page (Content-Type {fetched.ContentType ?? "none"})");
            }

            var read = HtmlArticleReader.Parse(text, path);
            var articles = read.Articles.Select(a =>
            {
                var canonical = a.Url is not null && Uri.TryCreate(fetched.FinalUrl, a.Url, out var c) && c.Scheme is "http" or "https" ? c : fetched.FinalUrl;
                // A canonical URL that is the site's root (some CMSs put it on every page) names no piece: the page's own address does.
                var named = canonical.AbsolutePath.Trim('/').Length == 0 ? fetched.FinalUrl : canonical;
                return a with { Id = HtmlArticleReader.IdFromUrl(named), Url = named.AbsoluteUri, SourcePath = path };
            }).ToList();
            var oversized = articles.FirstOrDefault(a => a.Text.Length > ArchiveLoader.MaxArticleChars);
            if (oversized is not null)
            {
                return Failure(path, $"article text of {oversized.Text.Length:N0} characters is over the {ArchiveLoader.MaxArticleChars:N0}-character limit for one article");
            }

            return new ArchiveFileResult(path, "html", articles, read.Authors, read.Warnings, null) { Skipped = read.SkipReason };
        }
        catch (ArchiveFormatException ex)
        {
            return Failure(path, ex.Message);
        }
    }

    private ArchiveFileResult Failure(string url, string reason)
    {
        _logger.LogWarning("Could not read {Url}: {Reason}", url, reason);
        return new ArchiveFileResult(url, null, [], [], [], reason);
    }

    /// <summary>
    /// Every post's id, link and modified_gmt, 100 a page (a few KB each): WordPress sends no ETags, so this light listing
    /// is what tells changed posts from unchanged ones.
    /// </summary>
    private async Task ListWordPressAsync(Run run, Uri api, CancellationToken cancellationToken)
    {
        run.WordPressPosts = new Uri(api, "wp/v2/posts");
        for (var page = 1; ; page++)
        {
            var listUrl = new Uri($"{run.WordPressPosts}?per_page=100&page={page}&orderby=id&order=asc&_fields=id,link,modified_gmt");
            var fetched = await run.Fetcher.GetAsync(listUrl, null, ArchiveLoader.DefaultMaxFileBytes, cancellationToken).ConfigureAwait(false);
            if (fetched.Outcome != FetchOutcome.Ok)
            {
                if (page > 1 && fetched.Status == 400)
                {
                    break; // rest_post_invalid_page_number: past the last page
                }

                if (page == 1)
                {
                    throw new ClippingsException($"Cannot read WordPress posts at {listUrl}: {fetched.Error}. Check that the site's REST API is public (https://site/wp-json/).");
                }

                ListingFailed(run, null, listUrl.AbsoluteUri, fetched.Error ?? "no answer", []);
                break;
            }

            List<ListedUrl> posts;
            try
            {
                using var document = JsonDocument.Parse(WebText.Decode(fetched.Body, fetched.ContentType));
                posts = document.RootElement.ValueKind == JsonValueKind.Array
                    ? document.RootElement.EnumerateArray().Select(WordPressListing).OfType<ListedUrl>().ToList()
                    : throw new JsonException("not an array of posts");
            }
            catch (JsonException ex)
            {
                ListingFailed(run, null, listUrl.AbsoluteUri, $"not a WordPress posts listing ({ex.Message.TrimEnd('.')})", []);
                break;
            }

            foreach (var post in posts)
            {
                run.List(post, run.WordPressPosts.AbsoluteUri);
            }

            var total = fetched.Headers?.TryGetValues("X-WP-TotalPages", out var values) == true && int.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var t) ? t : (int?)null;
            if (posts.Count == 0 || total is { } last && page >= last || run.Pages.Count >= _options.MaxPages)
            {
                break;
            }
        }
    }

    private static ListedUrl? WordPressListing(JsonElement post)
    {
        var link = post.TryGetProperty("link", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
        var id = post.TryGetProperty("id", out var i) ? i.ToString() : null;
        var modified = post.TryGetProperty("modified_gmt", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return link is not null && id is not null && Uri.TryCreate(link, UriKind.Absolute, out var url) ? new ListedUrl(url, modified, id) : null;
    }

    /// <summary>Changed and new posts, 20 a request with their authors and terms embedded, read by the WordPress REST mapping.</summary>
    private async Task ReadWordPressPostsAsync(Run run, IProgress<IngestProgress>? progress, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var pages = run.Pages.Values.OrderBy(p => p.Order).ToList();
        var changed = new List<Page>();
        foreach (var page in pages)
        {
            if (page.Known?.ArticleId is not null && page.Entry.LastModified is not null && page.Known.ReadLastmod == page.Entry.LastModified)
            {
                run.CountSkipped();
                page.UnchangedId = page.Known.ArticleId;
            }
            else
            {
                changed.Add(page);
            }
        }

        var done = pages.Count - changed.Count;
        var parser = new HtmlParser();
        progress?.Report(new IngestProgress(0, 0, 0, done, pages.Count, stopwatch.Elapsed));
        foreach (var batch in changed.Chunk(WordPressBatch))
        {
            var url = new Uri($"{run.WordPressPosts}?include={string.Join(',', batch.Select(p => p.Entry.Reference))}&per_page={WordPressBatch}&orderby=include&_embed=author,wp:term");
            var fetched = await run.Fetcher.GetAsync(url, null, ArchiveLoader.DefaultMaxFileBytes, cancellationToken).ConfigureAwait(false);
            var byId = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            JsonDocument? document = null;
            var error = fetched.Error;
            if (fetched.Outcome == FetchOutcome.Ok)
            {
                try
                {
                    document = JsonDocument.Parse(WebText.Decode(fetched.Body, fetched.ContentType));
                    foreach (var post in document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray() : Enumerable.Empty<JsonElement>())
                    {
                        if (post.TryGetProperty("id", out var id))
                        {
                            byId[id.ToString()] = post;
                        }
                    }
                }
                catch (JsonException ex)
                {
                    error = $"not WordPress post JSON ({ex.Message.TrimEnd('.')})";
                }
            }

            using (document)
            {
                foreach (var page in batch)
                {
                    var link = page.Entry.Url.AbsoluteUri;
                    if (!byId.TryGetValue(page.Entry.Reference!, out var post))
                    {
                        page.Result = Failure(link, error ?? "the post was listed but is no longer served (deleted or unpublished since)");
                        continue;
                    }

                    var output = new CmsJson.Output([], [], []);
                    CmsJson.Read(post, link, output, parser);
                    var skipped = output.Skipped.FirstOrDefault() ?? (output.Articles.Count == 0 ? output.Warnings.FirstOrDefault() ?? "not an article" : null);
                    var articles = output.Articles.Select(a => a with { SourcePath = link, Url = a.Url ?? link }).ToList();
                    page.Result = new ArchiveFileResult(link, "wordpress", articles, output.Authors, articles.Count > 0 ? output.Warnings : [], null) { Skipped = articles.Count > 0 ? null : skipped };
                }
            }

            done += batch.Length;
            progress?.Report(new IngestProgress(0, 0, 0, done, pages.Count, stopwatch.Elapsed));
        }
    }

    /// <summary>
    /// The run's state: listings and pages as seen now. A page no longer listed keeps its record, unlisted (parent null),
    /// until a prune removes it with its article; listings no longer referenced are forgotten.
    /// </summary>
    private async Task SaveStateAsync(Run run, List<Page> pages, Dictionary<string, string> idByPath, bool pruned, CancellationToken cancellationToken)
    {
        foreach (var page in pages.Where(p => p.Listed))
        {
            var url = page.Entry.Url.AbsoluteUri;
            var known = page.Known;
            if (page.UnchangedId is not null)
            {
                var validators = page.Fetch?.Validators ?? known?.Validators;
                run.Keep(new SyncRecord(url, "page", page.Parent, validators?.ETag, validators?.LastModified, page.Entry.LastModified, page.Fetch is null ? known?.ReadLastmod : page.Entry.LastModified, page.UnchangedId, page.Entry.Reference));
            }
            else if (idByPath.TryGetValue(url, out var id))
            {
                run.Keep(new SyncRecord(url, "page", page.Parent, page.Fetch?.Validators.ETag, page.Fetch?.Validators.LastModified, page.Entry.LastModified, page.Entry.LastModified, id, page.Entry.Reference));
            }
            else
            {
                // Failed or not an article: no validators, so the next run reads it again; the article it once gave stays known.
                run.Keep(new SyncRecord(url, "page", page.Parent, null, null, page.Entry.LastModified, null, known?.ArticleId, page.Entry.Reference));
            }
        }

        var removed = new List<string>();
        foreach (var record in run.Known.Values.Where(r => !run.Records.ContainsKey(r.Url)))
        {
            if (record.Kind == "page" && !pruned)
            {
                run.Keep(record with { Parent = null });
            }
            else
            {
                removed.Add(record.Url);
            }
        }

        await _state.SaveAsync(run.Source, run.Records.Values, removed, cancellationToken).ConfigureAwait(false);
    }

    [GeneratedRegex("""<link\b[^>]*\brel=["']?https://api\.w\.org/["']?[^>]*\bhref=["'](?<href>[^"']+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex WordPressLink();

    /// <summary>One listed page and what this run made of it.</summary>
    private sealed class Page(ListedUrl entry, string parent, SyncRecord? known, int order)
    {
        public ListedUrl Entry { get; } = entry;
        public string Parent { get; } = parent;
        public SyncRecord? Known { get; } = known;
        public int Order { get; } = order;

        /// <summary>False when robots.txt now disallows it: it counts as no longer listed.</summary>
        public bool Listed { get; set; } = true;
        public FetchResult? Fetch { get; set; }
        public ArchiveFileResult? Result { get; set; }

        /// <summary>The stored article's id when the page is known unchanged (lastmod or 304).</summary>
        public string? UnchangedId { get; set; }
    }

    private sealed class Run(string source, PoliteFetcher fetcher, Dictionary<string, SyncRecord> known)
    {
        private int _skipped;
        private ILookup<string, SyncRecord>? _children;

        public string Source { get; } = source;
        public PoliteFetcher Fetcher { get; } = fetcher;
        public Dictionary<string, SyncRecord> Known { get; } = known;
        public string Kind { get; set; } = "site";
        public Uri? WordPressPosts { get; set; }
        public ConcurrentDictionary<string, SyncRecord> Records { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Page> Pages { get; } = new(StringComparer.Ordinal);
        public HashSet<string> VisitedListings { get; } = new(StringComparer.Ordinal);
        public List<ArchiveFileResult> ListingFailures { get; } = [];
        public List<string> Warnings { get; } = [];
        public int SkippedByLastmod => _skipped;

        public void CountSkipped() => Interlocked.Increment(ref _skipped);

        public void Keep(SyncRecord record) => Records[record.Url] = record;

        public bool HasChildren(string url) => ChildrenOf(url).Count > 0;

        /// <summary>What the state says a listing named when it was last read, with the lastmod each entry was listed with.</summary>
        public List<(ListedUrl Entry, string Kind)> ChildrenOf(string url)
        {
            _children ??= Known.Values.Where(r => r.Parent is not null).ToLookup(r => r.Parent!, StringComparer.Ordinal);
            return _children[url].Select(r => (new ListedUrl(new Uri(r.Url), r.ListedLastmod, r.Reference), r.Kind == "page" ? "page" : "sitemap")).ToList();
        }

        public void List(ListedUrl entry, string parent)
        {
            var key = entry.Url.AbsoluteUri;
            if (Pages.ContainsKey(key))
            {
                return;
            }

            if (Pages.Count == MaxPagesLimit)
            {
                Warnings.Add($"the source lists more than {MaxPagesLimit:N0} pages; only the first {MaxPagesLimit:N0} are read (Clippings:Sync:MaxPages)");
            }

            if (Pages.Count >= MaxPagesLimit)
            {
                return;
            }

            Pages[key] = new Page(entry, parent, Known.GetValueOrDefault(key), Pages.Count);
        }

        public int MaxPagesLimit { get; set; } = int.MaxValue;
    }
}
