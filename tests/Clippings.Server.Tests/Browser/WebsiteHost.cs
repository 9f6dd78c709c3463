using System.Text.Json;
using Clippings.Ingestion;
using Clippings.Retrieval;
using Clippings.Server.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Clippings.Server.Tests.Browser;

/// <summary>
/// The real host on Kestrel (127.0.0.1, a free port) over the project's samples/archive plus one archived article
/// whose text contains markup, indexed into a temp SQLite file; and Debian's Chromium driven by Playwright.
/// Shared by the browser tests (started once: ingesting the samples embeds ~20 passages).
/// </summary>
public sealed class WebsiteHost : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string HostileArticleId = "council-watch-pasted-code";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "clippings-web-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private WebApplication? _publisher;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The running host's services (the insights tests seed its question log).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("Not started.");

    /// <summary>A publisher's site on another origin: plain article pages with the embed snippet pasted in.</summary>
    public string PublisherBaseUrl { get; private set; } = "";

    public string PublisherPage(string slug, string articleUrl, string title) =>
        $"{PublisherBaseUrl}/articles/{slug}?url={Uri.EscapeDataString(articleUrl)}&title={Uri.EscapeDataString(title)}";

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        Directory.CreateDirectory(_directory);
        Directory.CreateDirectory(ScreenshotDirectory);
        var hostile = Path.Combine(_directory, "pasted-code.jsonl");
        await File.WriteAllTextAsync(hostile, JsonSerializer.Serialize(new
        {
            id = HostileArticleId,
            title = "The Council's Website, Line by Line",
            authors = new[] { "Nadia Petrakis" },
            publication = "The Harbour Review",
            section = "Council Watch",
            published = "2023-03-02",
            url = "https://harbourreview.example/council-watch/2023/03/pasted-code",
            body = "The council's new planning portal went live in February, and readers sent us what they found in its pages. "
                + "One reader pasted this line from the booking form: <script>window.__clippingsPwned = 'script';</script> which the council says was a test left behind.\n\n"
                + "Another found an image tag, <img src=\"x\" onerror=\"window.__clippingsPwned = 'img'\">, in the ferry timetable. "
                + "The portal's contractor, Brightwater Systems, was paid 84,000 pounds for the work and has promised a fix by April.",
        }) + "\n");

        var repoRoot = SampleArchiveIndex.RepoRoot;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Clippings:Index:Provider"] = "sqlite",
            ["Clippings:Index:Path"] = Path.Combine(_directory, "index.db"),
            ["Clippings:Embeddings:Provider"] = "local",
            ["Clippings:Bot:StateStore"] = "memory",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }).Build();
        _app = ClippingsServer.Build(configuration);
        var ingestor = _app.Services.GetRequiredService<ArchiveIngestor>();
        var summary = await ingestor.IngestAsync([Path.Combine(repoRoot, "samples", "archive"), hostile], new IngestOptions(), null, CancellationToken.None);
        Assert.True(summary.Failed == 0, summary.ToLine());
        _app.Services.GetRequiredService<ArchiveCatalogProvider>().Invalidate();
        await _app.StartAsync();
        BaseUrl = _app.Urls.Single().TrimEnd('/');
        await StartPublisherSiteAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// The publisher's site is a second server on loopback too: Chromium blocks a page on a public address from loading
    /// scripts from a loopback one (Private Network Access), which is not the situation a real deployment is in.
    /// </summary>
    private async Task StartPublisherSiteAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _publisher = builder.Build();
        // GET /articles/{slug}?url=ARTICLE_URL&title=TITLE: a plain page with the snippet pasted in, scoped to that article.
        _publisher.MapGet("/articles/{slug}", (string slug, string url, string title) =>
        {
            var encode = System.Text.Encodings.Web.HtmlEncoder.Default;
            var page = $$"""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>{{encode.Encode(title)}}</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <style>body { font: 18px/1.6 Georgia, serif; max-width: 40em; margin: 40px auto; padding: 0 20px; color: #222 }</style></head>
                <body><h1>{{encode.Encode(title)}}</h1>
                <p>A plain article page on the publisher's own site (no Content-Security-Policy), with the Clippings snippet pasted at the end.</p>
                <script src="{{BaseUrl}}/embed.js" data-article-url="{{encode.Encode(url)}}" data-article-title="{{encode.Encode(title)}}" async></script>
                </body></html>
                """;
            return Results.Content(page, "text/html; charset=utf-8");
        });
        await _publisher.StartAsync();
        PublisherBaseUrl = _publisher.Urls.Single().TrimEnd('/').Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file briefly; the temp folder is cleaned by the system.
        }
    }
}

/// <summary>A browser test: skipped, saying why, when Debian's Chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(WebsiteHost.ChromiumPath))
        {
            Skip = $"{WebsiteHost.ChromiumPath} is absent (apt-get install chromium; .ci/run installs it): browser tests need Debian's Chromium, Playwright cannot download browsers here.";
        }
    }
}
