using System.Net.WebSockets;
using System.Text;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.DirectLine;

/// <summary>The Direct Line WebSocket stream on the test server, through its WebSocket client.</summary>
public sealed class DirectLineStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task StartAndReconnectReturnStreamUrls()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token, streamUrl) = await StartAsync(host);
        Assert.Equal($"ws://localhost/v3/directline/conversations/{conversationId}/stream?t={Uri.EscapeDataString(token)}", streamUrl);

        var reconnect = await host.SendJsonAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}?watermark=3", token));
        Assert.Equal($"ws://localhost/v3/directline/conversations/{conversationId}/stream?watermark=3&t={Uri.EscapeDataString(token)}", (string?)reconnect["streamUrl"]);
    }

    [Fact]
    public async Task HistoryThenEachNewActivityArriveAsFramesInOrderWithoutDuplicates()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token, streamUrl) = await StartAsync(host);
        using var timeout = new CancellationTokenSource(Bound);
        using var socket = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);

        var history = JObject.Parse(await ReceiveTextAsync(socket, timeout.Token));
        Assert.Equal("Welcome!", (string?)Assert.Single((JArray)history["activities"]!)["text"]);
        Assert.Equal("1", (string?)history["watermark"]);

        var posted = (string)(await host.PostMessageAsync(conversationId, token, "hello"))["id"]!;
        var received = new List<JToken>();
        var watermarks = new List<long>();
        while (!received.Any(a => (string?)a["text"] == "You said: hello"))
        {
            var frame = await ReceiveTextAsync(socket, timeout.Token);
            if (frame.Length == 0)
            {
                continue;   // a keep-alive
            }

            var set = JObject.Parse(frame);
            received.AddRange((JArray)set["activities"]!);
            watermarks.Add(long.Parse((string)set["watermark"]!, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal([posted, conversationId + "|0000003"], received.Select(a => (string)a["id"]!));
        Assert.Equal(watermarks.Order(), watermarks);
        Assert.Equal(3, watermarks[^1]);
    }

    [Fact]
    public async Task AStreamResumesAfterItsWatermark()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationId, token, _) = await StartAsync(host);
        var watermark = (string)(await host.GetActivitiesAsync(conversationId, token))["watermark"]!;
        await host.PostMessageAsync(conversationId, token, "while offline");

        var reconnect = await host.SendJsonAsync(DirectLineTestHost.Request(HttpMethod.Get, $"/v3/directline/conversations/{conversationId}?watermark={watermark}", token));
        using var timeout = new CancellationTokenSource(Bound);
        using var socket = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri((string)reconnect["streamUrl"]!), timeout.Token);
        var frame = JObject.Parse(await ReceiveTextAsync(socket, timeout.Token));
        var texts = ((JArray)frame["activities"]!).Select(a => (string?)a["text"]).ToList();
        Assert.Equal(["while offline", "You said: while offline"], texts);
    }

    [Fact]
    public async Task TheUpgradeChecksTheTokenAsPollingDoes()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (conversationA, tokenA, _) = await StartAsync(host);
        var (conversationB, _, _) = await StartAsync(host);

        var otherConversation = await RefusedAsync(host, $"ws://localhost/v3/directline/conversations/{conversationB}/stream?t={Uri.EscapeDataString(tokenA)}");
        Assert.Contains("403", otherConversation, StringComparison.Ordinal);
        var none = await RefusedAsync(host, $"ws://localhost/v3/directline/conversations/{conversationA}/stream");
        Assert.Contains("401", none, StringComparison.Ordinal);
        var secretInUrl = await RefusedAsync(host, $"ws://localhost/v3/directline/conversations/{conversationA}/stream?t={DirectLineTestHost.Secret}");
        Assert.Contains("403", secretInUrl, StringComparison.Ordinal);
        var forged = await RefusedAsync(host, $"ws://localhost/v3/directline/conversations/{conversationA}/stream?t={Uri.EscapeDataString(tokenA[..^3] + "AAA")}");
        Assert.Contains("403", forged, StringComparison.Ordinal);

        host.Clock.Advance(TimeSpan.FromMinutes(31));
        var expired = await RefusedAsync(host, $"ws://localhost/v3/directline/conversations/{conversationA}/stream?t={Uri.EscapeDataString(tokenA)}");
        Assert.Contains("403", expired, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIdleStreamSendsKeepAlivesAndClosesWhenItsTokenExpires()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:StreamKeepAlive"] = "00:00:01" });
        var (_, _, streamUrl) = await StartAsync(host);
        using var timeout = new CancellationTokenSource(Bound);
        using var socket = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);
        Assert.NotEmpty(await ReceiveTextAsync(socket, timeout.Token));
        Assert.Equal("", await ReceiveTextAsync(socket, timeout.Token));

        host.Clock.Advance(TimeSpan.FromMinutes(31));
        var closed = await ReceiveUntilCloseAsync(socket, timeout.Token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, closed.CloseStatus);
        Assert.Equal("TokenExpired", closed.CloseStatusDescription);
    }

    [Fact]
    public async Task AStreamClosesWhenItsConversationEnds()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:DirectLine:StreamKeepAlive"] = "00:00:01",
            ["Clippings:DirectLine:TokenLifetime"] = "1.00:00:00",
            ["Clippings:DirectLine:ConversationIdleTimeout"] = "00:01:00",
        });
        var (_, _, streamUrl) = await StartAsync(host);
        using var timeout = new CancellationTokenSource(Bound);
        using var socket = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var closed = await ReceiveUntilCloseAsync(socket, timeout.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, closed.CloseStatus);
        Assert.Equal("ConversationEnded", closed.CloseStatusDescription);
    }

    [Fact]
    public async Task StreamsPerConversationAreLimited()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:MaxStreamsPerConversation"] = "1" });
        var (_, _, streamUrl) = await StartAsync(host);
        using var timeout = new CancellationTokenSource(Bound);
        var first = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);
        Assert.Contains("429", await RefusedAsync(host, streamUrl), StringComparison.Ordinal);

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        first.Dispose();
        // The server counts the socket closed once its loop ends; the next one is then admitted.
        WebSocket? second = null;
        while (second is null)
        {
            try
            {
                second = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);
            }
            catch (InvalidOperationException) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        Assert.Equal(WebSocketState.Open, second.State);
        second.Dispose();
    }

    [Fact]
    public async Task WithAllowedOriginsAnUpgradeFromAnotherPageIsRefused()
    {
        await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:AllowedOrigins:0"] = "https://news.example.org" });
        var (_, _, streamUrl) = await StartAsync(host);
        using var timeout = new CancellationTokenSource(Bound);

        var elsewhere = host.Server.CreateWebSocketClient();
        elsewhere.ConfigureRequest = request => request.Headers.Origin = "https://evil.example";
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => elsewhere.ConnectAsync(new Uri(streamUrl), timeout.Token));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        var publisher = host.Server.CreateWebSocketClient();
        publisher.ConfigureRequest = request => request.Headers.Origin = "https://news.example.org";
        using var socket = await publisher.ConnectAsync(new Uri(streamUrl), timeout.Token);
        Assert.Contains("Welcome!", await ReceiveTextAsync(socket, timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALargeMessageFromTheClientClosesTheStream()
    {
        await using var host = await DirectLineTestHost.StartAsync();
        var (_, _, streamUrl) = await StartAsync(host);
        using var timeout = new CancellationTokenSource(Bound);
        using var socket = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(streamUrl), timeout.Token);
        await ReceiveTextAsync(socket, timeout.Token);

        await socket.SendAsync(Encoding.UTF8.GetBytes(""), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);   // directlinejs's ping is fine
        await socket.SendAsync(new byte[8192], WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
        var closed = await ReceiveUntilCloseAsync(socket, timeout.Token);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, closed.CloseStatus);
    }

    [Fact]
    public async Task StreamSettingsAreValidated()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await DirectLineTestHost.StartAsync(new Dictionary<string, string?> { ["Clippings:DirectLine:MaxStreamsPerConversation"] = "0" });
        });
        Assert.Contains("MaxStreamsPerConversation", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<(string ConversationId, string Token, string StreamUrl)> StartAsync(DirectLineTestHost host)
    {
        using var start = DirectLineTestHost.Request(HttpMethod.Post, "/v3/directline/conversations", DirectLineTestHost.Secret);
        var started = await host.SendJsonAsync(start);
        return ((string)started["conversationId"]!, (string)started["token"]!, (string)started["streamUrl"]!);
    }

    /// <summary>The handshake's failure (the test client names the status code), asserting the upgrade was refused.</summary>
    private static async Task<string> RefusedAsync(DirectLineTestHost host, string url)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Server.CreateWebSocketClient().ConnectAsync(new Uri(url), timeout.Token));
        return error.Message;
    }

    private static async Task<string> ReceiveTextAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private static async Task<WebSocketReceiveResult> ReceiveUntilCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result;
            }
        }
    }
}
