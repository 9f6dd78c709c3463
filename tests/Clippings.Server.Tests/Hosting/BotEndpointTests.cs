using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clippings.Server.Tests.TestSupport;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Hosting;

/// <summary><c>POST /api/messages</c> through the real host: authentication off (Emulator style) and on.</summary>
public sealed class BotEndpointTests
{
    private static StringContent Activity(string text, string conversationId, string deliveryMode = "expectReplies", string serviceUrl = "http://127.0.0.1:9/") => new(
        new JObject
        {
            ["type"] = "message",
            ["id"] = "m-" + Guid.NewGuid().ToString("N"),
            ["text"] = text,
            ["channelId"] = "emulator",
            ["serviceUrl"] = serviceUrl,
            ["deliveryMode"] = deliveryMode,
            ["conversation"] = new JObject { ["id"] = conversationId },
            ["from"] = new JObject { ["id"] = "user-1" },
            ["recipient"] = new JObject { ["id"] = "bot" },
        }.ToString(),
        Encoding.UTF8,
        "application/json");

    [Fact]
    public async Task WithoutAnAppIdUnauthenticatedTrafficIsAnsweredAndCorrelated()
    {
        await using var host = await ServerHost.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Activity("Who writes the food column?", "c-open") };
        request.Headers.Add("X-Correlation-Id", "corr-bot-1");
        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("corr-bot-1", response.Headers.GetValues("X-Correlation-Id").Single());
        var replies = JObject.Parse(await response.Content.ReadAsStringAsync())["activities"]!.Children<JObject>().ToList();
        var answer = Assert.Single(replies, a => (string?)a["type"] == "message");
        Assert.Contains("Tobias Achterberg", (string?)answer["text"], StringComparison.Ordinal);

        Assert.True(host.Log.Events.Any(e => e.MessageTemplate.Text.StartsWith("No MicrosoftAppId configured", StringComparison.Ordinal)), string.Join("\n", host.Log.Events.Select(e => e.MessageTemplate.Text)));
        // The request log, the bot's event and the core's event of this request share its correlation id.
        Assert.True(await host.Log.WaitForAsync(e => CapturedLog.Property(e, "CorrelationId") == "corr-bot-1" && CapturedLog.Property(e, "SourceContext") == "Serilog.AspNetCore.RequestLoggingMiddleware"));
        var correlated = host.Log.Events.Where(e => CapturedLog.Property(e, "CorrelationId") == "corr-bot-1").ToList();
        Assert.Contains(correlated, e => CapturedLog.Property(e, "SourceContext") == "Clippings.Server.Bot.ClippingsBot");
        Assert.Contains(correlated, e => CapturedLog.Property(e, "SourceContext") == "Clippings.Answering.ArchiveAssistant");
        Assert.Contains(correlated, e => CapturedLog.Property(e, "SourceContext") == "Serilog.AspNetCore.RequestLoggingMiddleware");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl")]
    public async Task WithAnAppIdRequestsWithoutAValidTokenGet401(string? authorization)
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["MicrosoftAppType"] = "MultiTenant",
            ["MicrosoftAppId"] = "00000000-0000-0000-0000-00000000a11d",
            ["MicrosoftAppPassword"] = "not-used-in-this-test",
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Activity("hello", "c-closed", "normal", "https://smba.trafficmanager.net/emea/") };
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(host.Log.Events, e => e.MessageTemplate.Text.StartsWith("No MicrosoftAppId configured", StringComparison.Ordinal));
    }
}
