using System.Text.Json.Nodes;
using Clippings.Server.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Clippings.Server.Tests.Hosting;

/// <summary><c>serve</c> keeps <c>Clippings:Sync:Sources</c> in sync in the background and says how in /health and the log.</summary>
public sealed class SiteSyncTests
{
    [Fact]
    public async Task AConfiguredSitemapIsSyncedInTheBackgroundAndHealthShowsTheLastResult()
    {
        await using var site = await StartSiteAsync();
        var sitemap = site.Urls.Single().TrimEnd('/') + "/sitemap.xml";
        // A copy of the sample index: this test writes to it.
        var index = SampleArchiveIndex.TempPath("sync-serve");
        Directory.CreateDirectory(Path.GetDirectoryName(index)!);
        var sample = await SampleArchiveIndex.PathAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" }.Where(s => File.Exists(sample + s)))
        {
            File.Copy(sample + suffix, index + suffix);
        }

        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:Index:Path"] = index,
            ["Clippings:Sync:StatePath"] = SampleArchiveIndex.TempPath("sync-state"),
            ["Clippings:Sync:Sources:0"] = sitemap,
            ["Clippings:Sync:Interval"] = "00:10:00",
            ["Clippings:Sync:ContactUrl"] = "https://newsroom.example/crawler",
        });

        JsonNode? last = null;
        JsonNode? health = null;
        for (var waited = 0; waited < 120_000 && last is null; waited += 250)
        {
            health = JsonNode.Parse(await host.Client.GetStringAsync("/health"))!;
            last = health["sync"]?["sources"]?.AsArray().FirstOrDefault();
            if (last is null)
            {
                await Task.Delay(250);
            }
        }

        Assert.NotNull(last);
        Assert.Equal((sitemap, "ok", 2, 0), (last["source"]!.GetValue<string>(), last["outcome"]!.GetValue<string>(), last["new"]!.GetValue<int>(), last["failed"]!.GetValue<int>()));
        Assert.Equal("ok", health!["status"]!.GetValue<string>());
        health = JsonNode.Parse(await host.Client.GetStringAsync("/health"))!;
        Assert.Equal(22, health["articles"]!.GetValue<int>());
        Assert.Equal("waiting", health["sync"]!["state"]!.GetValue<string>());
        Assert.NotNull(health["sync"]!["nextRound"]);
        Assert.Contains(host.Log.Events, e => e.MessageTemplate.Text.StartsWith("Synced {Source}", StringComparison.Ordinal) && CapturedLog.Property(e, "Source") == sitemap);

        // Readers find the new pieces.
        var answer = JsonNode.Parse(await (await host.Client.PostAsync("/api/ask", JsonContent("""{"question":"What happened to the harbour crane?"}"""))).Content.ReadAsStringAsync())!;
        Assert.Contains("crane", answer.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutSourcesHealthHasNoSyncPart()
    {
        await using var host = await ServerHost.StartAsync();
        var health = JsonNode.Parse(await host.Client.GetStringAsync("/health"))!;
        Assert.Null(health["sync"]);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>A two-page site on 127.0.0.1 (Kestrel, a free port).</summary>
    private static async Task<WebApplication> StartSiteAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/sitemap.xml", (HttpContext context) =>
        {
            var root = $"{context.Request.Scheme}://{context.Request.Host}";
            return Results.Text($"""
                <?xml version="1.0" encoding="UTF-8"?>
                <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                  <url><loc>{root}/news/harbour-crane/</loc><lastmod>2024-03-01</lastmod></url>
                  <url><loc>{root}/news/tide-tables/</loc><lastmod>2024-03-02</lastmod></url>
                </urlset>
                """, "application/xml");
        });
        app.MapGet("/news/{slug}/", (string slug) => Results.Content(Page(slug), "text/html; charset=utf-8"));
        await app.StartAsync();
        return app;
    }

    private static string Page(string slug) => slug switch
    {
        "harbour-crane" => Html("The harbour crane is taken down", "The old harbour crane, which had stood on the north quay since 1952, was taken down on Tuesday by a team from the shipyard. Its hook will be kept in the museum."),
        _ => Html("New tide tables at the pier", "The harbour office has put new tide tables on the pier notice board, printed large enough to read from the slipway."),
    };

    private static string Html(string title, string text) => $"""
        <!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
        <meta property="article:author" content="Dora Vance"><meta property="article:published_time" content="2024-03-01T08:00:00Z"></head>
        <body><article><h1>{title}</h1><p>{text}</p></article></body></html>
        """;
}
