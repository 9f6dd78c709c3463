using System.Net;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Tests.Hosting;

/// <summary>Issue 10, medium: one forwarded-headers policy for every loopback rule and limiter; settings checked at start.</summary>
public sealed class ForwardingAndSettingsTests
{
    private static HttpRequestMessage Search(string? remote, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/search?q=ferry");
        if (remote is not null)
        {
            request.Headers.Add(ServerHost.RemoteIpHeader, remote);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    [Fact]
    public async Task ByDefaultNoProxyIsTrustedAndAForwardedRequestIsNotLocal()
    {
        await using var host = await ServerHost.StartAsync();
        using (var direct = await host.Client.SendAsync(Search("127.0.0.1", null)))
        {
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        }

        // A same-host proxy or dev tunnel forwarding someone else: the editors' API no longer answers everyone.
        using var proxied = await host.Client.SendAsync(Search("127.0.0.1", "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Forbidden, proxied.StatusCode);
    }

    [Fact]
    public async Task AConfiguredProxyNamesTheClientForLoopbackRulesAndRateLimits()
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:Network:KnownProxies:0"] = "127.0.0.1",
            ["Clippings:DirectLine:RateLimit:TokensPerAddress"] = "2",
        });
        using (var remote = await host.Client.SendAsync(Search("127.0.0.1", "203.0.113.5")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, remote.StatusCode);
        }

        using (var local = await host.Client.SendAsync(Search("127.0.0.1", "127.0.0.1")))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        // /webchat/token is limited per client address, the address the proxy names.
        async Task<HttpStatusCode> TokenAsync(string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webchat/token");
            request.Headers.Add(ServerHost.RemoteIpHeader, "127.0.0.1");
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await host.Client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }

            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await TokenAsync("198.51.100.1"));
        Assert.Equal(HttpStatusCode.OK, await TokenAsync("198.51.100.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await TokenAsync("198.51.100.1"));
        Assert.Equal(HttpStatusCode.OK, await TokenAsync("198.51.100.2"));
    }

    [Theory]
    [InlineData("Clippings:Retrieval:CandidatePassages", "0", "Clippings:Retrieval:CandidatePassages is '0'; allowed: 1 to 1000.")]
    [InlineData("Clippings:Retrieval:RelevanceThreshold", "5", "Clippings:Retrieval:RelevanceThreshold is '5'; allowed: -1 to 1 (a cosine).")]
    [InlineData("Clippings:Bot:StateStore", "redis", "Clippings:Bot:StateStore is 'redis'; allowed: 'memory' or 'sqlite'.")]
    [InlineData("Clippings:DirectLine:TokenLifetime", "-00:10:00", "Clippings:DirectLine:TokenLifetime is '-00:10:00'; allowed: 00:16:00 to 1.00:00:00.")]
    [InlineData("Clippings:Api:MaxRequestBodyBytes", "-1", "Clippings:Api:MaxRequestBodyBytes is '-1'; allowed: 256 to 16777216.")]
    [InlineData("Clippings:Network:KnownProxies:0", "not-an-ip", "Clippings:Network:KnownProxies holds an entry that is not an IP address")]
    public async Task InvalidSettingsStopTheServerAtStartWithOneSentence(string key, string value, string expected)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAndStopAsync(new Dictionary<string, string?> { [key] = value }));
        var message = SettingErrors.Describe(failure);
        Assert.NotNull(message);
        Assert.StartsWith(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AValueOfTheWrongTypeIsNamedWithWhatIsAllowed()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAndStopAsync(new Dictionary<string, string?> { ["Clippings:Retrieval:CandidatePassages"] = "many" }));
        Assert.Equal("Clippings:Retrieval:CandidatePassages is 'many'; allowed: a whole number.", SettingErrors.Describe(failure));
        Assert.IsNotType<OptionsValidationException>(failure);
    }

    private static async Task StartAndStopAsync(Dictionary<string, string?> settings)
    {
        await using var host = await ServerHost.StartAsync(settings);
    }
}
