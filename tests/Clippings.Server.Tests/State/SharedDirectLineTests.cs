using System.Net;
using System.Net.WebSockets;
using System.Text;
using Clippings.Server.Tests.DirectLine;
using Clippings.Testing;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.State;

/// <summary>
/// Two Direct Line hosts sharing one real redis-server (Clippings:State:Provider = redis), as two <c>serve</c> instances
/// behind a load balancer: a conversation moves between them, streams see each other's activities, budgets and rate
/// limits count across both, and losing Redis is a 503 with Retry-After until it returns.
/// </summary>
public sealed class SharedDirectLineTests : IAsyncLifetime
{
    private RedisServerProcess? _redis;

    public async Task InitializeAsync()
    {
        if (RedisServerProcess.Find() is not null)
        {
            _redis = await RedisServerProcess.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private Task<DirectLineTestHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Clippings:State:Provider"] = "redis",
            ["Clippings:State:Redis"] = _redis!.ConnectionString,
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return DirectLineTestHost.StartAsync(values);
    }

    [RedisFact]
    public async Task AConversationStartedOnOneInstanceContinuesOnTheOther()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var (conversationId, token) = await a.StartConversationAsync();

        // The token A issued is valid on B (one shared signing key), and B sees A's conversation.
        await b.PostMessageAsync(conversationId, token, "first, on B");
        await a.PostMessageAsync(conversationId, token, "second, on A");
        var feed = await b.GetActivitiesAsync(conversationId, token);
        var texts = ((JArray)feed["activities"]!).Select(x => (string?)x["text"]).ToList();
        Assert.Equal(["Welcome!", "first, on B", "You said: first, on B", "second, on A", "You said: second, on A"], texts);

        // Polling on A after B's watermark: only what is new, nothing twice.
        await b.PostMessageAsync(conversationId, token, "third, on B");
        var after = await a.GetActivitiesAsync(conversationId, token, (string?)feed["watermark"]);
        Assert.Equal(["third, on B", "You said: third, on B"], ((JArray)after["activities"]!).Select(x => (string?)x["text"]));
        var ids = ((JArray)feed["activities"]!).Concat((JArray)after["activities"]!).Select(x => (string?)x["id"]).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [RedisFact]
    public async Task AStreamOnOneInstanceGetsWhatIsPostedOnTheOtherInOrderWithoutDuplicates()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var (conversationId, token) = await a.StartConversationAsync();
        using var reconnect = DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}", token);
        var streamUrl = (string)(await a.SendJsonAsync(reconnect))["streamUrl"]!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await a.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);

        for (var i = 0; i < 5; i++)
        {
            await b.PostMessageAsync(conversationId, token, "question " + i);
        }

        var received = new List<JObject>();
        while (received.Count < 11)
        {
            var frame = await ReceiveAsync(socket, timeout.Token);
            if (frame.Length > 0)
            {
                received.AddRange(((JArray)JObject.Parse(frame)["activities"]!).Cast<JObject>());
            }
        }

        var texts = received.Select(x => (string?)x["text"]).ToList();
        Assert.Equal("Welcome!", texts[0]);
        Assert.Equal(Enumerable.Range(0, 5).SelectMany(i => new[] { "question " + i, "You said: question " + i }), texts.Skip(1));
        Assert.Equal(received.Count, received.Select(x => (string?)x["id"]).Distinct().Count());
    }

    [RedisFact]
    public async Task TheConversationLimitCountsBothInstances()
    {
        await using var a = await StartAsync(("Clippings:DirectLine:MaxConversations", "2"), ("Clippings:DirectLine:EvictableAfter", "01:00:00"));
        await using var b = await StartAsync(("Clippings:DirectLine:MaxConversations", "2"), ("Clippings:DirectLine:EvictableAfter", "01:00:00"));
        await a.StartConversationAsync();
        await b.StartConversationAsync();

        using var generate = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/conversations");
        generate.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DirectLineTestHost.Secret);
        using var refused = await a.Client.SendAsync(generate);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [RedisFact]
    public async Task TheTotalByteBudgetCountsBothInstances()
    {
        var settings = new[] { ("Clippings:DirectLine:MaxActivityBytes", "16384"), ("Clippings:DirectLine:MaxConversationBytes", "131072"), ("Clippings:DirectLine:MaxTotalBytes", "150000") };
        await using var a = await StartAsync(settings);
        await using var b = await StartAsync(settings);
        var (first, firstToken) = await a.StartConversationAsync();
        for (var i = 0; i < 5; i++)
        {
            await a.PostMessageAsync(first, firstToken, new string('a', 6000));
        }

        // Nothing read: on B the budget A's activities hold is full too.
        var (second, secondToken) = await b.StartConversationAsync();
        HttpStatusCode last = HttpStatusCode.OK;
        for (var i = 0; i < 10 && last == HttpStatusCode.OK; i++)
        {
            using var post = await b.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{second}/activities", secondToken, new { type = "message", text = new string('b', 6000) }));
            last = post.StatusCode;
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, last);

        // Once A's reader has read its feed, those activities may go, and B's reader is accepted again.
        var read = await a.GetActivitiesAsync(first, firstToken);
        await a.GetActivitiesAsync(first, firstToken, (string?)read["watermark"]);
        await b.PostMessageAsync(second, secondToken, "room again");
    }

    [RedisFact]
    public async Task RateLimitsAddUpAcrossInstances()
    {
        var limit = ("Clippings:DirectLine:RateLimit:ActivitiesPerConversation", "4");
        await using var a = await StartAsync(limit);
        await using var b = await StartAsync(limit);
        var (conversationId, token) = await a.StartConversationAsync();
        await a.PostMessageAsync(conversationId, token, "1");
        await b.PostMessageAsync(conversationId, token, "2");
        await a.PostMessageAsync(conversationId, token, "3");
        await b.PostMessageAsync(conversationId, token, "4");

        // Four in this minute across both: the fifth is refused wherever it lands.
        using var fifth = await a.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, new { type = "message", text = "5" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        Assert.NotNull(fifth.Headers.RetryAfter);
    }

    [RedisFact]
    public async Task LosingRedisIsA503WithRetryAfterAndTheConversationResumesWhenItReturns()
    {
        await using var a = await StartAsync();
        var (conversationId, token) = await a.StartConversationAsync();
        await a.PostMessageAsync(conversationId, token, "before");

        await _redis!.StopAsync();
        using (var during = await a.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, new { type = "message", text = "during" })))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), during.Headers.RetryAfter?.Delta);
            Assert.Contains("Try again shortly", await during.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await _redis.StartAgainAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var after = await a.Client.SendAsync(DirectLineTestHost.Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, new { type = "message", text = "after" }));
            status = after.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        var texts = ((JArray)(await a.GetActivitiesAsync(conversationId, token))["activities"]!).Select(x => (string?)x["text"]).ToList();
        Assert.Equal(["Welcome!", "before", "You said: before", "after", "You said: after"], texts);
    }

    [RedisFact]
    public async Task AnUnreachableRedisAtStartIsOneClearError()
    {
        await _redis!.StopAsync();
        var error = await Assert.ThrowsAsync<ClippingsException>(() => StartAsync());
        Assert.StartsWith($"Cannot reach Redis at 127.0.0.1:{_redis.Port} (Clippings:State:Redis)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Start Redis or fix the setting", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }
}
