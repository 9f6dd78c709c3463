using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clippings.Server.Api;
using Clippings.Server.Tests.TestSupport;

namespace Clippings.Server.Tests.Api;

/// <summary>The editors' JSON API through the real host: shapes, keys, loopback rule, size limit, rate limit, streaming.</summary>
public sealed class ApiTests : IClassFixture<ApiTests.HostFixture>
{
    private const string EelGrassId = "tidelines-eel-grass";

    public ApiTests(HostFixture fixture)
    {
        Host = fixture.Host;
    }

    private ServerHost Host { get; }

    /// <summary>One host for these tests (no keys, no rate limit), started once.</summary>
    public sealed class HostFixture : IAsyncLifetime
    {
        private ServerHost? _host;

        public ServerHost Host => _host ?? throw new InvalidOperationException("Not started.");

        public async Task InitializeAsync() => _host = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Clippings:Api:RateLimit:PermitsPerMinute"] = "0" });

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Fact]
    public async Task AskReturnsTheAskJsonShapeWithQuotesThatAreTheArticleText()
    {
        using var response = await Host.Client.PostAsJsonAsync("/api/ask", new { question = "How much eel grass did the divers find in Calder Sound?" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(
            ["answer", "refused", "citations", "form", "suggestedQuestions", "standaloneQuestion", "note", "composedBy", "closestArticles"],
            answer.Select(p => p.Key));
        Assert.False((bool)answer["refused"]!);
        var citation = answer["citations"]![0]!;
        Assert.Equal(EelGrassId, (string?)citation["articleId"]);

        var article = JsonNode.Parse(await Host.Client.GetStringAsync($"/api/articles/{EelGrassId}"))!;
        var text = (string)article["text"]!;
        Assert.Equal((string?)citation["quote"], text[(int)citation["start"]!..(int)citation["end"]!]);
        Assert.Equal("What the Eel Grass Knows", (string?)article["title"]);
        Assert.Equal("2022-06-05", (string?)article["published"]);
    }

    [Fact]
    public async Task AConversationIdCarriesFollowUpsAndFiltersNarrowTheSearch()
    {
        await Host.Client.PostAsJsonAsync("/api/ask", new { question = "How much eel grass did the divers find in Calder Sound?", conversationId = "editor-1" });
        var followUp = await AskAsync(new { question = "What else did they find?", conversationId = "editor-1" });
        Assert.False((bool)followUp["refused"]!);
        Assert.Equal(EelGrassId, (string?)followUp["citations"]![0]!["articleId"]);

        var elsewhere = await AskAsync(new { question = "What else did they find?", conversationId = "editor-2" });
        Assert.True((bool)elsewhere["refused"]!);

        var filtered = await AskAsync(new { question = "What happened at the market?", filters = new { authors = new[] { "Tobias Achterberg" }, from = "2021", to = "2021" } });
        Assert.All(filtered["citations"]!.AsArray(), c =>
        {
            Assert.Equal("Tobias Achterberg", (string?)c!["authors"]![0]);
            Assert.StartsWith("2021-", (string?)c["published"], StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AskStreamsServerSentEventsEndingWithTheAnswer()
    {
        using var response = await Host.Client.PostAsJsonAsync("/api/ask?stream=true", new { question = "Who writes the food column?" });
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("event: delta\ndata: {\"text\":", events[0], StringComparison.Ordinal);
        var last = events[^1];
        Assert.StartsWith("event: answer\ndata: ", last, StringComparison.Ordinal);
        var answer = JsonNode.Parse(last["event: answer\ndata: ".Length..])!;
        Assert.Contains("Tobias Achterberg", (string?)answer["answer"], StringComparison.Ordinal);
        Assert.NotEmpty(answer["citations"]!.AsArray());
    }

    [Fact]
    public async Task BadAsksAreProblemDetailsWithAClearMessage()
    {
        await AssertProblemAsync(await Host.Client.PostAsJsonAsync("/api/ask", new { question = "" }), HttpStatusCode.BadRequest, "A question is required");
        await AssertProblemAsync(await Host.Client.PostAsJsonAsync("/api/ask", new { question = "x?", filters = new { from = "June 2020" } }), HttpStatusCode.BadRequest, "Invalid filters");
        await AssertProblemAsync(await Host.Client.PostAsJsonAsync("/api/ask", new { question = "x?", article = "no-such-article" }), HttpStatusCode.BadRequest, "Unknown article");
        using var broken = new StringContent("{\"question\": ", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await Host.Client.PostAsync("/api/ask", broken)).StatusCode);
    }

    [Fact]
    public async Task OversizedBodiesAreRefusedWith413()
    {
        var question = new string('a', 20_000);
        await AssertProblemAsync(await Host.Client.PostAsJsonAsync("/api/ask", new { question }), HttpStatusCode.RequestEntityTooLarge, "Request too large");
    }

    [Fact]
    public async Task SearchListsMatchingArticlesNewestFirstWithTheirBestQuote()
    {
        var search = JsonNode.Parse(await Host.Client.GetStringAsync("/api/search?q=ferry%20to%20Skerry&order=date"))!;
        Assert.Equal("date", (string?)search["order"]);
        var results = search["results"]!.AsArray();
        Assert.NotEmpty(results);
        Assert.Equal(results.Count, (int)search["count"]!);
        var dates = results.Select(r => (string)r!["article"]!["published"]!).ToList();
        Assert.Equal(dates.OrderDescending(StringComparer.Ordinal), dates);
        Assert.All(results, r => Assert.Equal((string?)r!["article"]!["id"], (string?)r["quote"]!["articleId"]));
        Assert.Equal(Enumerable.Range(1, results.Count), results.Select(r => (int)r!["quote"]!["n"]!));

        var byAuthor = JsonNode.Parse(await Host.Client.GetStringAsync("/api/search?q=ferry&author=Maren%20Holt&order=relevance"))!;
        Assert.All(byAuthor["results"]!.AsArray(), r => Assert.Equal("Maren Holt", (string?)r!["article"]!["authors"]![0]));

        await AssertProblemAsync(await Host.Client.GetAsync("/api/search"), HttpStatusCode.BadRequest, "A query is required");
        await AssertProblemAsync(await Host.Client.GetAsync("/api/search?q=ferry&order=popular"), HttpStatusCode.BadRequest, "Invalid order");
    }

    [Fact]
    public async Task AuthorsAndArticlesAreListedAndUnknownOnesAre404()
    {
        var authors = JsonNode.Parse(await Host.Client.GetStringAsync("/api/authors"))!.AsArray();
        Assert.Equal(5, authors.Count);
        Assert.All(authors, a => Assert.True((int)a!["articleCount"]! > 0));

        var maren = JsonNode.Parse(await Host.Client.GetStringAsync("/api/authors/maren%20holt"))!;
        Assert.Equal("Maren Holt", (string?)maren["name"]);
        Assert.Contains("deckhand", (string?)maren["bio"], StringComparison.Ordinal);
        Assert.Equal((int)maren["articleCount"]!, maren["articles"]!.AsArray().Count);
        Assert.Contains(maren["articles"]!.AsArray(), a => (string?)a!["id"] == EelGrassId);

        await AssertProblemAsync(await Host.Client.GetAsync("/api/authors/Nobody%20Here"), HttpStatusCode.NotFound, "No such author");
        await AssertProblemAsync(await Host.Client.GetAsync("/api/articles/nope"), HttpStatusCode.NotFound, "No such article");
    }

    [Fact]
    public async Task HealthAndTheOpenApiDocumentAnswer()
    {
        var health = JsonNode.Parse(await Host.Client.GetStringAsync("/health"))!;
        Assert.Equal(("ok", 20), ((string?)health["status"], (int)health["articles"]!));

        var openApi = JsonNode.Parse(await Host.Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = openApi["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/ask", paths);
        Assert.Contains("/api/search", paths);
        Assert.Contains("/api/articles/{id}", paths);
        Assert.Contains("/api/authors/{name}", paths);
        Assert.DoesNotContain("/api/messages", paths);
        Assert.Equal("X-Api-Key", (string?)openApi["components"]!["securitySchemes"]!["X-Api-Key"]!["name"]);
        Assert.NotNull(openApi["paths"]!["/api/ask"]!["post"]!["security"]);
        Assert.Null(openApi["paths"]!["/health"]!["get"]!["security"]);
    }

    [Fact]
    public async Task WithoutKeysOnlyLoopbackClientsAreAnswered()
    {
        using var remote = new HttpRequestMessage(HttpMethod.Get, "/api/authors");
        remote.Headers.Add(ServerHost.RemoteIpHeader, "203.0.113.7");
        await AssertProblemAsync(await Host.Client.SendAsync(remote), HttpStatusCode.Forbidden, "API keys not configured");

        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/authors");
        local.Headers.Add(ServerHost.RemoteIpHeader, "127.0.0.1");
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.SendAsync(local)).StatusCode);
        Assert.Contains(Host.Log.Events, e => e.MessageTemplate.Text.StartsWith("No API key configured", StringComparison.Ordinal));
    }

    private async Task<JsonNode> AskAsync(object body)
    {
        using var response = await Host.Client.PostAsJsonAsync("/api/ask", body);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(title, (string?)problem["title"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
            Assert.Equal(response.Headers.GetValues("X-Correlation-Id").Single(), (string?)problem["correlationId"]);
        }
    }
}

/// <summary>API keys and rate limiting, each on a host configured for it.</summary>
public sealed class ApiAccessTests
{
    [Fact]
    public async Task WithKeysConfiguredOnlyAValidKeyGetsIn()
    {
        var key = ApiKeys.Generate();
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:Api:Keys:0:Name"] = "newsdesk",
            ["Clippings:Api:Keys:0:Sha256"] = ApiKeys.Hash(key),
        });
        await ApiTests.AssertProblemAsync(await host.Client.GetAsync("/api/authors"), HttpStatusCode.Unauthorized, "API key required");
        await ApiTests.AssertProblemAsync(await SendAsync(host, "/api/authors", ApiKeys.Generate()), HttpStatusCode.Unauthorized, "API key required");

        using var remote = new HttpRequestMessage(HttpMethod.Get, "/api/authors");
        remote.Headers.Add(ApiKeys.HeaderName, key);
        remote.Headers.Add(ServerHost.RemoteIpHeader, "203.0.113.7");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(remote)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health")).StatusCode);
        Assert.True(await host.Log.WaitForAsync(e => CapturedLog.Property(e, "RequestPath") == "/api/authors" && CapturedLog.Property(e, "StatusCode") == "200" && CapturedLog.Property(e, "ApiClient") == "newsdesk"));
    }

    [Fact]
    public async Task EachClientGetsItsOwnRateLimitAnd429sSayWhenToRetry()
    {
        var (first, second) = (ApiKeys.Generate(), ApiKeys.Generate());
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:Api:RateLimit:PermitsPerMinute"] = "3",
            ["Clippings:Api:Keys:0:Name"] = "first",
            ["Clippings:Api:Keys:0:Sha256"] = ApiKeys.Hash(first),
            ["Clippings:Api:Keys:1:Name"] = "second",
            ["Clippings:Api:Keys:1:Sha256"] = ApiKeys.Hash(second),
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, "/api/authors", first)).StatusCode);
        }

        using var limited = await SendAsync(host, "/api/authors", first);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await ApiTests.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "Too many requests");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, "/api/authors", second)).StatusCode);
    }

    [Fact]
    public void KeysAreRecognisedByTheirSha256Only()
    {
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ApiKeys.Hash("test"));
        Assert.NotEqual(ApiKeys.Generate(), ApiKeys.Generate());
        Assert.True(ApiKeys.Generate().Length >= 43);
    }

    private static async Task<HttpResponseMessage> SendAsync(ServerHost host, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ApiKeys.HeaderName, key);
        return await host.Client.SendAsync(request);
    }
}
