using System.Net;
using System.Net.Http.Headers;
using Clippings.Server.Tests.TestSupport;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Website;

/// <summary>The website's endpoints on the real host over samples/archive: pages, assets, and Web Chat's token into the real bot.</summary>
public sealed class WebsiteEndpointTests
{
    [Fact]
    public async Task DemoPageShowsTheArticleAsTextUnderAStrictPolicy()
    {
        await using var host = await ServerHost.StartAsync();
        using var response = await host.Client.GetAsync("/?article=table-talk-oyster-season");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1 class=\"headline\">The Oysters Come Back to Skerry</h1>", html, StringComparison.Ordinal);
        Assert.Contains("The Harbour Review", html, StringComparison.Ordinal);
        Assert.Contains("data-article-url=\"https://harbourreview.example/table-talk/2025/10/table-talk-oyster-season\"", html, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/embed.js\" data-mount=\"#webchat\"", html, StringComparison.Ordinal);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline' 'unsafe-eval", policy, StringComparison.Ordinal);

        using var missing = await host.Client.GetAsync("/?article=no-such-piece");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task WebChatAndTheSnippetAreServedByClippingsItself()
    {
        await using var host = await ServerHost.StartAsync();
        using var embed = await host.Client.GetAsync("/embed.js");
        Assert.Equal(HttpStatusCode.OK, embed.StatusCode);
        Assert.Equal("text/javascript", embed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("clippings/scope", await embed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var webChat = await host.Client.GetAsync("/assets/webchat.js");
        Assert.Equal(HttpStatusCode.OK, webChat.StatusCode);
        var bundle = await webChat.Content.ReadAsByteArrayAsync();
        Assert.True(bundle.Length > 1_000_000, $"webchat.js is {bundle.Length} bytes");

        using var gzipRequest = new HttpRequestMessage(HttpMethod.Get, "/assets/webchat.js");
        gzipRequest.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzipped = await host.Client.SendAsync(gzipRequest);
        Assert.Equal("gzip", gzipped.Content.Headers.ContentEncoding.Single());
        Assert.True((await gzipped.Content.ReadAsByteArrayAsync()).Length < bundle.Length / 2);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/assets/webchat.js");
        conditional.Headers.IfNoneMatch.Add(webChat.Headers.ETag!);
        using var notModified = await host.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var unknown = await host.Client.GetAsync("/assets/appsettings.json");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task APageTokenOpensAConversationWithTheRealBotScopedToAnArticle()
    {
        await using var host = await ServerHost.StartAsync();
        using var tokenResponse = await host.Client.PostAsync("/webchat/token", null);
        var session = JObject.Parse(await tokenResponse.Content.ReadAsStringAsync());
        var token = (string)session["token"]!;
        Assert.Null((string?)session["domain"]);

        var started = await SendAsync(host, HttpMethod.Post, "/v3/directline/conversations", token, null, HttpStatusCode.Created);
        var conversation = (string)started["conversationId"]!;
        Assert.Equal((string?)session["conversationId"], conversation);
        var path = $"/v3/directline/conversations/{conversation}/activities";

        var welcome = await SendAsync(host, HttpMethod.Get, path, token);
        Assert.Contains(welcome["activities"]!, a => (string?)a["type"] == "message" && (string?)a["from"]!["role"] == "bot");

        await SendAsync(host, HttpMethod.Post, path, token, new JObject
        {
            ["type"] = "event",
            ["name"] = "clippings/scope",
            ["value"] = new JObject { ["articleUrl"] = "https://harbourreview.example/tidelines/2024/01/tidelines-storm-of-january" },
            ["from"] = new JObject { ["id"] = (string)session["userId"]! },
        });
        await SendAsync(host, HttpMethod.Post, path, token, new JObject
        {
            ["type"] = "message",
            ["text"] = "How fast were the gusts measured on the breakwater?",
            ["from"] = new JObject { ["id"] = (string)session["userId"]! },
            ["channelData"] = new JObject { ["clientActivityID"] = "c1", ["clippings"] = new JObject { ["articleUrl"] = "https://harbourreview.example/tidelines/2024/01/tidelines-storm-of-january" } },
        });

        var feed = (JArray)(await SendAsync(host, HttpMethod.Get, path, token))["activities"]!;
        var answer = feed.Last(a => (string?)a["type"] == "message");
        Assert.Contains("94 miles an hour", (string?)answer["text"], StringComparison.Ordinal);
        var entity = Assert.Single(answer["entities"]!, e => (string?)e["type"] == "https://schema.org/Message");
        var claim = entity["citation"]!.First!;
        Assert.Equal("After Storm Imogen", (string?)claim["appearance"]!["name"]);
        Assert.Contains(feed, a => (string?)a["channelData"]?["clientActivityID"] == "c1");
    }

    private static async Task<JObject> SendAsync(ServerHost host, HttpMethod method, string path, string token, JObject? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToString(), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path} → {(int)response.StatusCode}: {text}");
        return JObject.Parse(text);
    }
}
