using System.Net;
using Clippings.Server.DirectLine;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.DirectLine;

/// <summary>Issue 10: Direct Line memory bounded in bytes, eviction only of idle conversations, rate limits.</summary>
public sealed class DirectLineBudgetTests
{
    private static readonly Dictionary<string, string?> NoLimits = new()
    {
        ["Clippings:DirectLine:RateLimit:ActivitiesPerConversation"] = "0",
        ["Clippings:DirectLine:RateLimit:ActivitiesPerAddress"] = "0",
        ["Clippings:DirectLine:RateLimit:TokensPerAddress"] = "0",
    };

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>(NoLimits);
        foreach (var (key, value) in extra)
        {
            settings["Clippings:DirectLine:" + key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task AnActivityPastTheDocumentedLimitIs413()
    {
        await using var host = await DirectLineTestHost.StartAsync(Settings(("MaxActivityBytes", "4096")));
        var (conversationId, token) = await host.StartConversationAsync();
        using var response = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token,
            new { type = "message", text = new string('x', 5000) }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task AConversationKeepsItsByteBudgetDroppingTheOldestReadActivities()
    {
        await using var host = await DirectLineTestHost.StartAsync(Settings(("MaxActivityBytes", "16384"), ("MaxConversationBytes", "65536")));
        var conversations = host.Services.GetRequiredService<DirectLineConversations>();
        var (conversationId, token) = await host.StartConversationAsync();
        string? watermark = null;
        for (var i = 0; i < 30; i++)
        {
            await host.PostMessageAsync(conversationId, token, i + " " + new string('y', 6000));
            watermark = (string?)(await host.GetActivitiesAsync(conversationId, token, watermark))["watermark"];
        }

        var conversation = conversations.Find(conversationId)!;
        Assert.InRange(conversation.Bytes, 1, 65536);
        Assert.Equal(conversation.Bytes, conversations.TotalBytes);
        // The newest exchange is still there; the oldest went.
        var feed = (JArray)(await host.GetActivitiesAsync(conversationId, token))["activities"]!;
        Assert.StartsWith("You said: 29 ", (string?)feed[^1]!["text"], StringComparison.Ordinal);
        Assert.DoesNotContain(feed, a => ((string?)a["text"])?.StartsWith("0 ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task TheTotalBudgetDropsReadActivitiesFirstThenRefusesWith503()
    {
        await using var host = await DirectLineTestHost.StartAsync(Settings(("MaxActivityBytes", "16384"), ("MaxConversationBytes", "131072"), ("MaxTotalBytes", "150000")));
        var conversations = host.Services.GetRequiredService<DirectLineConversations>();
        var (first, firstToken) = await host.StartConversationAsync();
        for (var i = 0; i < 6; i++)
        {
            await host.PostMessageAsync(first, firstToken, new string('a', 6000));
        }

        // The reader of the first conversation has read everything: those activities may go to make room.
        var read = await host.GetActivitiesAsync(first, firstToken);
        await host.GetActivitiesAsync(first, firstToken, (string?)read["watermark"]);

        // A second reader posts and never reads: its activities stay.
        var (unread, unreadToken) = await host.StartConversationAsync();
        for (var i = 0; i < 5; i++)
        {
            await host.PostMessageAsync(unread, unreadToken, new string('u', 6000));
        }

        var (second, secondToken) = await host.StartConversationAsync();
        HttpStatusCode last = HttpStatusCode.OK;
        string? retryAfter = null;
        for (var i = 0; i < 40 && last == HttpStatusCode.OK; i++)
        {
            using var response = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{second}/activities", secondToken,
                new { type = "message", text = new string('b', 6000) }));
            last = response.StatusCode;
            retryAfter = response.Headers.RetryAfter?.ToString();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, last);
        Assert.NotNull(retryAfter);
        Assert.InRange(conversations.TotalBytes, 1, 150000 + (4 * 16384));
        Assert.True(conversations.Find(first)!.Bytes < 10_000, "the first conversation's read activities made room");
    }

    [Fact]
    public async Task PastTheLimitOnlyIdleConversationsAreEvictedAndOtherwiseANewOneGets503()
    {
        await using var host = await DirectLineTestHost.StartAsync(Settings(("MaxConversations", "2"), ("EvictableAfter", "00:05:00")));
        var (first, firstToken) = await host.StartConversationAsync();
        var (second, secondToken) = await host.StartConversationAsync();

        // Both active within five minutes: a third is refused, and nobody's next poll is a 404.
        var generated = await host.SendJsonAsync(GenerateWithSecret());
        using (var refused = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, "/v3/directline/conversations", (string)generated["token"]!)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 300);
        }

        await host.GetActivitiesAsync(first, firstToken);
        host.Clock.Advance(TimeSpan.FromMinutes(6));
        await host.GetActivitiesAsync(second, secondToken);   // the second stays active

        await host.StartConversationAsync();   // the first, idle for six minutes, makes room
        using var forgotten = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{first}/activities", firstToken));
        Assert.Equal(HttpStatusCode.NotFound, forgotten.StatusCode);
        await host.GetActivitiesAsync(second, secondToken);
    }

    [Fact]
    public async Task ManyConversationsStartQuicklyAtTheLimit()
    {
        await using var host = await DirectLineTestHost.StartAsync(Settings(("MaxConversations", "500"), ("EvictableAfter", "00:00:00")));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            host.Clock.Advance(TimeSpan.FromMilliseconds(10));
            await host.StartConversationAsync();
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"1,000 conversations took {watch.Elapsed}");
        Assert.Equal(500, host.Services.GetRequiredService<DirectLineConversations>().Count);
    }

    [Fact]
    public async Task ActivitiesAreRateLimitedPerTokenAndPerAddress()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:DirectLine:RateLimit:ActivitiesPerConversation"] = "3",
            ["Clippings:DirectLine:RateLimit:ActivitiesPerAddress"] = "5",
            ["Clippings:DirectLine:RateLimit:TokensPerAddress"] = "0",
        });
        var (first, firstToken) = await host.StartConversationAsync();
        var statuses = new List<HttpStatusCode>();
        string? retryAfter = null;
        for (var i = 0; i < 4; i++)
        {
            using var response = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{first}/activities", firstToken, new { type = "message", text = "hi" }));
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.ToString();
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(retryAfter);

        // A second token from the same address has its own 3, but the address as a whole stops at 5.
        var (second, secondToken) = await host.StartConversationAsync();
        var more = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{second}/activities", secondToken, new { type = "message", text = "hi" }));
            more.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], more);
    }

    [Fact]
    public async Task TokensAreRateLimitedPerAddress()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:RateLimit:TokensPerAddress"] = "2" });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.SendAsync(GenerateWithSecret());
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    private static HttpRequestMessage GenerateWithSecret()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/tokens/generate");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DirectLineTestHost.Secret);
        return request;
    }
}
