using Clippings.Server.Bot;
using Clippings.Server.DirectLine;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Bot.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Clippings.Server.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>
    /// Where conversation state lives (<c>Clippings:State</c>). With <c>redis</c>: the bot's <see cref="IStorage"/>
    /// (conversation state, API conversations, feedback), Direct Line conversations, the token signing key, the
    /// data-protection keys and the rate-limit counters are shared by every instance. Call before the bot and the
    /// website are added: their in-process defaults are registered only when nothing is.
    /// </summary>
    public static IServiceCollection AddClippingsState(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindValidated<StateOptions>(configuration, StateOptions.SectionName, rules => rules
            .OneOf(nameof(StateOptions.Provider), o => o.Provider, "memory", "sqlite", "redis")
            .Rule(o => o.UsesRedis && !IsConnectionString(o.Redis)
                ? $"{StateOptions.SectionName}:Redis is '{Masked(o.Redis)}'; allowed: a StackExchange.Redis connection string naming at least one host, such as redis.internal:6379 or 127.0.0.1:6379,password=…." : null)
            .Rule(o => string.IsNullOrWhiteSpace(o.KeyPrefix) || o.KeyPrefix.Length > 64
                ? $"{StateOptions.SectionName}:KeyPrefix is '{o.KeyPrefix}'; allowed: 1 to 64 characters, such as clippings:." : null)
            .Range(nameof(StateOptions.StoredStateLifetime), o => o.StoredStateLifetime, TimeSpan.FromHours(1), TimeSpan.FromDays(3650)));

        var options = configuration.GetSection(StateOptions.SectionName).Get<StateOptions>() ?? new StateOptions();
        if (options.UsesSqlite)
        {
            services.TryAddSingleton<IStorage>(sp => new SqliteStorage(sp.GetRequiredService<IOptions<BotOptions>>().Value.StatePath));
        }

        if (!options.UsesRedis)
        {
            return services;
        }

        services.TryAddSingleton<RedisState>();
        services.TryAddSingleton<IStorage>(sp => new RedisStorage(sp.GetRequiredService<RedisState>(), sp.GetRequiredService<IOptions<StateOptions>>().Value.StoredStateLifetime));
        services.TryAddSingleton<RedisDirectLineConversations>();
        services.TryAddSingleton<IDirectLineConversationStore>(sp => sp.GetRequiredService<RedisDirectLineConversations>());
        services.TryAddSingleton(sp => new DirectLineSigningKey(sp.GetRequiredService<RedisState>().SharedSecret("dl:token-key", 32)));

        // Anything protected with ASP.NET Core data protection on one instance can be read on another.
        services.AddDataProtection().SetApplicationName("Clippings");
        services.AddOptions<KeyManagementOptions>().Configure<RedisState>((keys, redis) =>
            keys.XmlRepository = new RedisXmlRepository(() => redis.Database, redis.Key("data-protection-keys")));
        services.AddHostedService<RedisStateStartup>();
        return services;
    }

    private static bool IsConnectionString(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        try
        {
            return ConfigurationOptions.Parse(value).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The setting as shown in an error: without its password.</summary>
    private static string Masked(string? value) =>
        string.Join(',', (value ?? "").Split(',').Select(part => part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=…" : part));
}

/// <summary>
/// At start, before the server listens: Redis must answer (one clear error otherwise), the shared signing key is read,
/// and this instance subscribes to conversation changes.
/// </summary>
internal sealed class RedisStateStartup(RedisState redis, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.EnsureReachableAsync(cancellationToken).ConfigureAwait(false);
        _ = services.GetRequiredService<DirectLineSigningKey>();
        await services.GetRequiredService<RedisDirectLineConversations>().SubscribeAsync().ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
