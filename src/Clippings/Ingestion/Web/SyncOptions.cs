namespace Clippings.Ingestion.Web;

/// <summary>Bound from <c>Clippings:Sync</c>: how websites are read (politeness) and which ones <c>serve</c> keeps in sync.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Clippings:Sync";

    /// <summary>A page where a site's operator can find who runs this crawler and how to reach them; it goes into the User-Agent.</summary>
    public string? ContactUrl { get; set; }

    /// <summary>At most this many requests to one host at a time (robots.txt's Crawl-delay, when set, makes it one at a time).</summary>
    public int MaxConcurrentRequestsPerHost { get; set; } = 4;

    /// <summary>One request's time limit, including reading its body.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a failed request (network error, timeout, 429, 5xx), with exponential backoff.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; each next one doubles it (a server's Retry-After, when longer, wins up to <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A robots.txt Crawl-delay above this is capped here (a site asking an hour between pages could never be read).</summary>
    public TimeSpan MaxCrawlDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A sitemap, feed or API listing naming more pages than this is read up to here, and says so.</summary>
    public int MaxPages { get; set; } = 200_000;

    /// <summary>Where the per-URL sync state (ETag, Last-Modified, lastmod, article id) is kept; empty: beside the SQLite index.</summary>
    public string? StatePath { get; set; }

    /// <summary>Sources <c>serve</c> keeps in sync: sitemap, feed or WordPress URLs (a site's home page is discovered).</summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>Time from the end of one sync round to the start of the next.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether <c>serve</c>'s rounds remove articles a source no longer lists (as <c>ingest --prune</c>).</summary>
    public bool Prune { get; set; }

    /// <summary>The User-Agent every request sends: the product, its version, and the contact page when set.</summary>
    public string UserAgent
    {
        get
        {
            var version = typeof(SyncOptions).Assembly.GetName().Version;
            var product = $"Clippings/{version?.Major ?? 1}.{version?.Minor ?? 0}";
            return string.IsNullOrWhiteSpace(ContactUrl) ? $"{product} (archive sync)" : $"{product} (archive sync; +{ContactUrl.Trim()})";
        }
    }
}
