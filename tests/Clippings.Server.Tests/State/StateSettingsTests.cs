using Clippings.Server.Tests.TestSupport;

namespace Clippings.Server.Tests.State;

/// <summary>A wrong Clippings:State setting stops the server at start with one sentence naming what is allowed.</summary>
public sealed class StateSettingsTests
{
    [Theory]
    [InlineData("bogus", null, "Clippings:State:Provider is 'bogus'; allowed: 'memory' or 'sqlite' or 'redis'.")]
    [InlineData("redis", null, "Clippings:State:Redis is ''; allowed: a StackExchange.Redis connection string naming at least one host")]
    [InlineData("redis", "password=secret", "Clippings:State:Redis is 'password=…'; allowed:")]
    public async Task AWrongStateSettingIsOneSentence(string provider, string? redis, string expected)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var host = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Clippings:State:Provider"] = provider, ["Clippings:State:Redis"] = redis });
        });
        var message = SettingErrors.Describe(failure);
        Assert.NotNull(message);
        Assert.StartsWith(expected, message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", message, StringComparison.Ordinal);
    }
}
