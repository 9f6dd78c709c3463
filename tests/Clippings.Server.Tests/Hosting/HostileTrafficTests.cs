using System.Net;
using System.Text;
using Clippings.Server.Tests.TestSupport;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Hosting;

/// <summary>
/// Issue 10, high: <c>/api/messages</c> must not be a way to make the server send requests anywhere (SSRF). Every
/// HttpClient of the host goes through a <see cref="RecordingHandler"/>, so the tests see each outbound request the
/// server attempts and none leaves the machine.
/// </summary>
public sealed class HostileTrafficTests
{
    private static StringContent Activity(string serviceUrl, string deliveryMode = "normal") => new(
        new JObject
        {
            ["type"] = "message",
            ["id"] = "m-" + Guid.NewGuid().ToString("N"),
            ["text"] = "help",
            ["channelId"] = "emulator",
            ["serviceUrl"] = serviceUrl,
            ["deliveryMode"] = deliveryMode,
            ["conversation"] = new JObject { ["id"] = "c-ssrf" },
            ["from"] = new JObject { ["id"] = "user-1" },
            ["recipient"] = new JObject { ["id"] = "bot" },
        }.ToString(),
        Encoding.UTF8,
        "application/json");

    private static Task<ServerHost> StartAsync(RecordingHandler recorder, IDictionary<string, string?>? settings = null) =>
        ServerHost.StartAsync(settings, recorder.Install);

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("https://attacker.example/")]
    [InlineData("http://localhost.attacker.example/")]
    [InlineData("file:///etc/passwd")]
    public async Task WithoutAnAppIdAForeignServiceUrlIsRefusedBeforeAnyOutboundCall(string serviceUrl)
    {
        var recorder = new RecordingHandler();
        await using var host = await StartAsync(recorder);
        using var response = await host.Client.PostAsync("/api/messages", Activity(serviceUrl));

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}");
        Assert.Contains("serviceUrl", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task WithoutAnAppIdARemoteCallerIsRefusedEvenNamingLoopback()
    {
        var recorder = new RecordingHandler();
        await using var host = await StartAsync(recorder);
        foreach (var (header, value) in new[] { (ServerHost.RemoteIpHeader, "203.0.113.9"), ("X-Forwarded-For", "203.0.113.9") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Activity("http://127.0.0.1:9/") };
            request.Headers.Add(header, value);
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task WithoutAnAppIdTheEmulatorOnThisMachineIsStillAnswered()
    {
        var recorder = new RecordingHandler();
        await using var host = await StartAsync(recorder);
        using var response = await host.Client.PostAsync("/api/messages", Activity("http://127.0.0.1:9/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The reply went (to the recorder standing in for) the Emulator's loopback address, nowhere else.
        Assert.NotEmpty(recorder.Requests);
        Assert.All(recorder.Requests, uri => Assert.True(uri.IsLoopback, uri.ToString()));
    }

    [Fact]
    public async Task OversizedBodiesAreRefusedUnread()
    {
        var recorder = new RecordingHandler();
        await using var host = await StartAsync(recorder, new Dictionary<string, string?> { ["Clippings:Bot:MaxRequestBytes"] = "8192" });
        using var big = new StringContent("{\"type\":\"message\",\"text\":\"" + new string('a', 20_000) + "\"}", Encoding.UTF8, "application/json");
        using var response = await host.Client.PostAsync("/api/messages", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(recorder.Requests);
    }

    private static Dictionary<string, string?> WithAppId(string? allowed = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MicrosoftAppType"] = "MultiTenant",
            ["MicrosoftAppId"] = "00000000-0000-0000-0000-00000000a11d",
            ["MicrosoftAppPassword"] = "not-a-real-secret",
        };
        if (allowed is not null)
        {
            settings["Clippings:Bot:AllowedServiceUrls:0"] = allowed;
        }

        return settings;
    }

    [Fact]
    public async Task WithAnAppIdARequestWithoutATokenIsRefusedUnreadAndAForeignServiceUrlBeforeValidation()
    {
        var recorder = new RecordingHandler();
        await using var host = await StartAsync(recorder, WithAppId());
        using (var response = await host.Client.PostAsync("/api/messages", Activity("https://attacker.example/")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Activity("https://attacker.example/") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ForgedToken());
        using var refused = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("AllowedServiceUrls", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(recorder.Requests);
    }

    [Fact]
    public async Task AForgedTokenWithTheKeyEndpointUnreachableIs401AndKeysAreNotFetchedPerRequest()
    {
        var recorder = new RecordingHandler();
        await using var host = await StartAsync(recorder, WithAppId());
        var counts = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = Activity("https://smba.trafficmanager.net/emea/") };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ForgedToken());
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            counts.Add(recorder.Requests.Count);
        }

        // Whatever the first attempt fetched (through the recorder, which fails it), the next ones fetched nothing more.
        Assert.Equal(counts[0], counts[^1]);
        Assert.All(recorder.Requests, uri => Assert.DoesNotContain("trafficmanager", uri.Host, StringComparison.Ordinal));
    }

    /// <summary>A JWT with Bot Framework's issuer and a made-up signature: it passes the issuer check, so validation wants the keys.</summary>
    private static string ForgedToken()
    {
        static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return B64("{\"alg\":\"RS256\",\"kid\":\"forged\",\"typ\":\"JWT\"}") + "." +
            B64($"{{\"iss\":\"https://api.botframework.com\",\"aud\":\"00000000-0000-0000-0000-00000000a11d\",\"exp\":{exp},\"nbf\":{exp - 7200},\"serviceurl\":\"https://smba.trafficmanager.net/emea/\"}}") + "." +
            B64("not-a-signature");
    }
}
