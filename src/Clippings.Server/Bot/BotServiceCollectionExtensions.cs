using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Bot;

public static class BotServiceCollectionExtensions
{
    /// <summary>
    /// The bot (<see cref="IBot"/>), its <see cref="CloudAdapter"/> with <see cref="ConfigurationBotFrameworkAuthentication"/>
    /// (MicrosoftAppType/AppId/AppPassword/AppTenantId at the configuration root) and its state store
    /// (<c>Clippings:Bot:StateStore</c>: memory or sqlite).
    /// </summary>
    public static IServiceCollection AddClippingsBot(this IServiceCollection services, IConfiguration configuration)
    {
        // An unknown state store used to give 503 on every answer while /health said ok: refuse it at start.
        services.BindValidated<BotOptions>(configuration, BotOptions.SectionName, rules => rules
            .OneOf(nameof(BotOptions.StateStore), o => o.StateStore, "memory", "sqlite", "")
            .Rule(o => string.Equals(o.StateStore.Trim(), "sqlite", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(o.StatePath)
                ? $"{BotOptions.SectionName}:StatePath is ''; allowed: a file path such as data/bot-state.db." : null)
            .Range(nameof(BotOptions.SuggestedActions), o => o.SuggestedActions, 0, 10)
            .Range(nameof(BotOptions.StreamUpdateIntervalMs), o => o.StreamUpdateIntervalMs, 0, 60_000)
            .Range(nameof(BotOptions.MaxRequestBytes), o => o.MaxRequestBytes, 4096, 4 * 1024 * 1024)
            .Rule(o => o.AllowedServiceUrls.FirstOrDefault(h => string.IsNullOrWhiteSpace(h) || h.Contains('/', StringComparison.Ordinal) || h.Contains(':', StringComparison.Ordinal)) is { } bad
                ? $"{BotOptions.SectionName}:AllowedServiceUrls holds '{bad}'; allowed: host names such as botframework.com (a host matches itself and its subdomains)." : null));
        services.AddHttpClient();
        services.TryAddSingleton<BotFrameworkAuthentication>(sp => new ConfigurationBotFrameworkAuthentication(
            configuration,
            httpClientFactory: sp.GetRequiredService<IHttpClientFactory>(),
            logger: sp.GetRequiredService<ILogger<ConfigurationBotFrameworkAuthentication>>()));
        services.TryAddSingleton<ClippingsBotAdapter>();
        services.TryAddSingleton<CloudAdapter>(sp => sp.GetRequiredService<ClippingsBotAdapter>());
        services.TryAddSingleton<IBotFrameworkHttpAdapter>(sp => sp.GetRequiredService<ClippingsBotAdapter>());
        services.TryAddSingleton<IStorage>(sp => CreateStorage(sp.GetRequiredService<IOptions<BotOptions>>().Value));
        services.TryAddSingleton<ConversationState>();
        services.TryAddSingleton<FeedbackStore>();
        services.TryAddTransient<IBot, ClippingsBot>();
        return services;
    }

    /// <summary><c>POST /api/messages</c>: the Bot Framework endpoint Teams, Azure Bot Service and the Emulator call.</summary>
    public static IEndpointRouteBuilder MapBotEndpoint(this IEndpointRouteBuilder endpoints)
    {
        var configuration = endpoints.ServiceProvider.GetRequiredService<IConfiguration>();
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Clippings.Server.Bot");
        var authenticated = BotAuthentication.IsConfigured(configuration);
        if (!authenticated)
        {
            logger.LogWarning("No MicrosoftAppId configured: /api/messages answers unauthenticated callers on this machine with a loopback serviceUrl only (Emulator style). Configure MicrosoftAppType, MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId for Teams and Azure Bot Service.");
        }

        var guard = new BotRequestGuard(authenticated, endpoints.ServiceProvider.GetRequiredService<IOptions<BotOptions>>().Value, logger);
        var keysUnavailableUntil = DateTimeOffset.MinValue;
        endpoints.MapPost("/api/messages", async (HttpContext context, IBotFrameworkHttpAdapter adapter, IBot bot) =>
        {
            // Refused before the adapter runs: it would otherwise parse any body and post replies to any serviceUrl.
            if (await guard.CheckAsync(context) is { } refusal)
            {
                context.Response.StatusCode = refusal.Status;
                await context.Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = refusal.Status, Title = "Request refused", Detail = refusal.Detail });
                return;
            }

            if (authenticated && DateTimeOffset.UtcNow < keysUnavailableUntil)
            {
                // Microsoft's signing keys were unreachable moments ago: do not fetch them again for every forged token.
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            try
            {
                await adapter.ProcessAsync(context.Request, context.Response, bot, context.RequestAborted);
            }
            catch (Exception ex) when (authenticated && !context.Response.HasStarted && IsAuthenticationFailure(ex))
            {
                // A malformed Bearer token (IDX12729 and kin) or unreachable signing keys escape ProcessAsync instead of giving a 401.
                if (ex is HttpRequestException or IOException or TaskCanceledException || ex.InnerException is HttpRequestException or IOException)
                {
                    keysUnavailableUntil = DateTimeOffset.UtcNow.AddSeconds(30);
                }

                logger.LogWarning("Rejected a Bot Framework request whose token could not be verified: {Reason}", ex.Message);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
        })
        .WithName("BotMessages")
        .ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>What token validation throws for a bad token or unreachable keys (a turn's own errors are handled by the adapter).</summary>
    private static bool IsAuthenticationFailure(Exception ex) =>
        ex is ArgumentException or HttpRequestException or IOException or TaskCanceledException or InvalidOperationException
            or UnauthorizedAccessException or Microsoft.IdentityModel.Tokens.SecurityTokenException;

    private static IStorage CreateStorage(BotOptions options) => options.StateStore.Trim().ToLowerInvariant() switch
    {
        "memory" or "" => new MemoryStorage(),
        "sqlite" => new SqliteStorage(options.StatePath),
        _ => throw new ClippingsException($"Clippings:Bot:StateStore is '{options.StateStore}'; use 'memory' or 'sqlite'."),
    };
}

/// <summary>Whether Bot Framework authentication is on: it is as soon as an app id is configured.</summary>
public static class BotAuthentication
{
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[MicrosoftAppCredentials.MicrosoftAppIdKey]);
}
