using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.DirectLine;

public sealed class DirectLineProtocolTests
{
    [Fact]
    public async Task StartPostAndPollWithWatermark()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token) = await host.StartConversationAsync();

        var first = await host.GetActivitiesAsync(conversationId, token);
        var welcome = Assert.Single((JArray)first["activities"]!);
        Assert.Equal("Welcome!", (string?)welcome["text"]);
        Assert.Equal("bot", (string?)welcome["from"]!["role"]);
        var watermark = (string)first["watermark"]!;

        var posted = await host.PostMessageAsync(conversationId, token, "hello", clientActivityId: "client-42");
        var postedId = (string)posted["id"]!;
        Assert.StartsWith(conversationId + "|", postedId, StringComparison.Ordinal);

        var next = await host.GetActivitiesAsync(conversationId, token, watermark);
        var activities = ((JArray)next["activities"]!).ToList();
        Assert.Equal(2, activities.Count);
        // The user's own activity is echoed first, keeping the client's id, so Web Chat marks it sent.
        Assert.Equal(postedId, (string?)activities[0]["id"]);
        Assert.Equal("client-42", (string?)activities[0]["channelData"]!["clientActivityID"]);
        Assert.Equal("user", (string?)activities[0]["from"]!["role"]);
        Assert.Equal("You said: hello", (string?)activities[1]["text"]);
        Assert.Equal(postedId, (string?)activities[1]["replyToId"]);
        Assert.Equal("directline", (string?)activities[1]["channelId"]);

        var empty = await host.GetActivitiesAsync(conversationId, token, (string)next["watermark"]!);
        Assert.Empty((JArray)empty["activities"]!);
        Assert.Equal((string)next["watermark"]!, (string)empty["watermark"]!);
    }

    [Fact]
    public async Task TypingIsLiveNewsNotHistory()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token) = await host.StartConversationAsync();
        var watermark = (string)(await host.GetActivitiesAsync(conversationId, token))["watermark"]!;
        await host.SendJsonAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token,
            new { type = "typing", from = new { id = "reader-1" } }));

        var live = (JArray)(await host.GetActivitiesAsync(conversationId, token, watermark))["activities"]!;
        Assert.Equal("typing", (string?)Assert.Single(live)["type"]);
        var history = (JArray)(await host.GetActivitiesAsync(conversationId, token))["activities"]!;
        Assert.DoesNotContain(history, a => (string?)a["type"] == "typing");
    }

    [Fact]
    public async Task EventsReachTheBot()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token) = await host.StartConversationAsync();
        await host.SendJsonAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token,
            new { type = "event", name = "clippings/scope", value = new { articleUrl = "https://example.org/a" }, from = new { id = "reader-1" } }));

        var all = (JArray)(await host.GetActivitiesAsync(conversationId, token))["activities"]!;
        Assert.Contains(all, a => (string?)a["text"] == "Event: clippings/scope");
    }

    [Fact]
    public async Task ATokenCannotReadOrPostIntoAnotherConversation()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationA, tokenA) = await host.StartConversationAsync();
        var (conversationB, tokenB) = await host.StartConversationAsync();
        Assert.NotEqual(conversationA, conversationB);
        await host.PostMessageAsync(conversationB, tokenB, "private to B");

        using var read = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationB}/activities", tokenA));
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.DoesNotContain("private to B", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var post = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationB}/activities", tokenA,
            new { type = "message", text = "intruder" }));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);

        var feedB = (JArray)(await host.GetActivitiesAsync(conversationB, tokenB))["activities"]!;
        Assert.DoesNotContain(feedB, a => (string?)a["text"] == "intruder");
        var feedA = (JArray)(await host.GetActivitiesAsync(conversationA, tokenA))["activities"]!;
        Assert.DoesNotContain(feedA, a => ((string?)a["text"] ?? "").Contains("private to B", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExpiredTokensAreRefusedAndLiveOnesRefresh()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token) = await host.StartConversationAsync();

        host.Clock.Advance(TimeSpan.FromMinutes(20));
        var refreshed = await host.SendJsonAsync(DirectLineTestHost.Request(HttpMethod.Post, "/v3/directline/tokens/refresh", token));
        Assert.Equal(conversationId, (string?)refreshed["conversationId"]);
        var newToken = (string)refreshed["token"]!;

        host.Clock.Advance(TimeSpan.FromMinutes(15));
        using var expired = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", token));
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("TokenExpired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var refreshExpired = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, "/v3/directline/tokens/refresh", token));
        Assert.Equal(HttpStatusCode.Forbidden, refreshExpired.StatusCode);

        // The refreshed token still works for the same conversation.
        await host.PostMessageAsync(conversationId, newToken, "still here");
    }

    [Fact]
    public async Task MissingOrForgedCredentialsAreRefused()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token) = await host.StartConversationAsync();

        using var none = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", null));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);

        var tampered = token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA");
        using var forged = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", tampered));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        // A token is not a secret: it cannot mint tokens for new conversations.
        using var generate = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, "/v3/directline/tokens/generate", token));
        Assert.Equal(HttpStatusCode.Forbidden, generate.StatusCode);

        using var wrongSecret = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, "/v3/directline/tokens/generate", "not-the-secret"));
        Assert.Equal(HttpStatusCode.Forbidden, wrongSecret.StatusCode);
    }

    [Fact]
    public async Task WithoutASecretTokensAreGeneratedForLoopbackOnly()
    {
        await using var host = await DirectLineTestHost.StartAsync(withSecret: false);

        var remote = await host.Server.SendAsync(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = "/v3/directline/tokens/generate";
            context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        });
        Assert.Equal(StatusCodes.Status401Unauthorized, remote.Response.StatusCode);

        var proxied = await host.Server.SendAsync(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = "/v3/directline/tokens/generate";
            context.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
        });
        Assert.Equal(StatusCodes.Status401Unauthorized, proxied.Response.StatusCode);

        var local = await host.Server.SendAsync(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = "/v3/directline/tokens/generate";
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
        });
        Assert.Equal(StatusCodes.Status200OK, local.Response.StatusCode);
    }

    [Fact]
    public async Task FeedsAreCappedAndIdleConversationsExpire()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:DirectLine:MaxActivitiesPerConversation"] = "4",
            ["Clippings:DirectLine:ConversationIdleTimeout"] = "00:10:00",
        });
        var (conversationId, token) = await host.StartConversationAsync();
        for (var i = 0; i < 5; i++)
        {
            await host.PostMessageAsync(conversationId, token, "message " + i);
        }

        var feed = (JArray)(await host.GetActivitiesAsync(conversationId, token))["activities"]!;
        Assert.Equal(4, feed.Count);
        Assert.Equal("You said: message 4", (string?)feed[^1]!["text"]);

        host.Clock.Advance(TimeSpan.FromMinutes(11));
        using var gone = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", token));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task TheOldestConversationIsForgottenPastTheLimit()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:MaxConversations"] = "2" });
        var (first, firstToken) = await host.StartConversationAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(6));   // only conversations idle past EvictableAfter (5 min) may go
        var (second, secondToken) = await host.StartConversationAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(6));   // only conversations idle past EvictableAfter (5 min) may go
        await host.StartConversationAsync();

        using var forgotten = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{first}/activities", firstToken));
        Assert.Equal(HttpStatusCode.NotFound, forgotten.StatusCode);
        await host.GetActivitiesAsync(second, secondToken);
    }

    [Fact]
    public async Task BadActivitiesAreRefused()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:MaxActivityBytes"] = "2048" });
        var (conversationId, token) = await host.StartConversationAsync();
        var path = $"/v3/directline/conversations/{conversationId}/activities";

        using var huge = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, path, token, new { type = "message", text = new string('x', 5000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        using var invoke = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, path, token, new { type = "invoke", name = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, invoke.StatusCode);

        using var notJson = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        notJson.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var notJsonResponse = await host.Client.SendAsync(notJson);
        Assert.Equal(HttpStatusCode.BadRequest, notJsonResponse.StatusCode);

        using var badWatermark = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, path + "?watermark=abc", token));
        Assert.Equal(HttpStatusCode.BadRequest, badWatermark.StatusCode);
    }

    [Fact]
    public async Task UpdatedActivitiesArriveAgainUnderTheSameId()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token) = await host.StartConversationAsync();
        await host.PostMessageAsync(conversationId, token, "update me");

        var feed = (JArray)(await host.GetActivitiesAsync(conversationId, token))["activities"]!;
        Assert.DoesNotContain(feed, a => (string?)a["text"] == "first draft");
        var updated = Assert.Single(feed, a => (string?)a["text"] == "final text");
        Assert.StartsWith(conversationId + "|", (string?)updated["id"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrowsersOnOtherOriginsMayCall()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v3/directline/conversations");
        preflight.Headers.Add("Origin", "https://publisher.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-ms-bot-agent");
        using var response = await host.Client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-ms-bot-agent", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
        Assert.True(response.Headers.Contains("Access-Control-Max-Age"));
    }
}
