using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clippings.Server.Tests.TestSupport;
using Clippings.Testing;

namespace Clippings.Server.Tests.State;

/// <summary>The whole server (sample index) with Clippings:State:Provider = redis: API conversations shared, and what still works while Redis is away.</summary>
public sealed class SharedStateServerTests : IAsyncLifetime
{
    private const string Question = "How much eel grass did the divers find in Calder Sound?";
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

    private Task<ServerHost> StartAsync() => ServerHost.StartAsync(new Dictionary<string, string?>
    {
        ["Clippings:State:Provider"] = "redis",
        ["Clippings:State:Redis"] = _redis!.ConnectionString,
    });

    [RedisFact]
    public async Task AnApiConversationAskedOnOneInstanceContinuesOnTheOther()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        using (var first = await a.Client.PostAsJsonAsync("/api/ask", new { question = Question, conversationId = "c-1" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var followUp = await b.Client.PostAsJsonAsync("/api/ask", new { question = "What else did they find?", conversationId = "c-1" });
        Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
        using var answer = JsonDocument.Parse(await followUp.Content.ReadAsStringAsync());
        var citations = answer.RootElement.GetProperty("citations").EnumerateArray().ToList();
        Assert.NotEmpty(citations);
        Assert.All(citations, c => Assert.Equal("https://harbourreview.example/tidelines/2022/06/tidelines-eel-grass", c.GetProperty("url").GetString()));

        using var health = JsonDocument.Parse(await b.Client.GetStringAsync("/health"));
        Assert.Equal(("ok", "redis"), (health.RootElement.GetProperty("status").GetString(), health.RootElement.GetProperty("state").GetString()));
    }

    [RedisFact]
    public async Task WhileRedisIsAwayStatelessAnswersWorkConversationsGet503AndHealthSaysWhy()
    {
        await using var host = await StartAsync();
        await _redis!.StopAsync();

        // At once, before the connection has noticed: the rate limit (counted in Redis) falls back to this instance.
        using (var stateless = await host.Client.PostAsJsonAsync("/api/ask", new { question = Question }))
        {
            Assert.Equal(HttpStatusCode.OK, stateless.StatusCode);
        }

        await WaitUntilAsync(async () => (await host.Client.GetStringAsync("/health")).Contains("degraded", StringComparison.Ordinal));
        using (var stateless = await host.Client.PostAsJsonAsync("/api/ask", new { question = Question }))
        {
            Assert.Equal(HttpStatusCode.OK, stateless.StatusCode);
        }

        using (var withConversation = await host.Client.PostAsJsonAsync("/api/ask", new { question = Question, conversationId = "c-2" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, withConversation.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), withConversation.Headers.RetryAfter?.Delta);
        }

        using (var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health")))
        {
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            var reason = health.RootElement.GetProperty("reason").GetString()!;
            Assert.Contains("Redis", reason, StringComparison.Ordinal);
            Assert.DoesNotContain(_redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), reason, StringComparison.Ordinal);
        }

        await _redis.StartAgainAsync();
        await WaitUntilAsync(async () => (await host.Client.GetStringAsync("/health")).Contains("\"ok\"", StringComparison.Ordinal));
        using var recovered = await host.Client.PostAsJsonAsync("/api/ask", new { question = Question, conversationId = "c-2" });
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(100);
        }
    }
}
