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
        services.AddOptions<BotOptions>().Bind(configuration.GetSection(BotOptions.SectionName));
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
            logger.LogWarning("No MicrosoftAppId configured: /api/messages accepts unauthenticated traffic (Emulator style). Configure MicrosoftAppType, MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId before exposing it.");
        }

        endpoints.MapPost("/api/messages", async (HttpContext context, IBotFrameworkHttpAdapter adapter, IBot bot) =>
        {
            try
            {
                await adapter.ProcessAsync(context.Request, context.Response, bot, context.RequestAborted);
            }
            catch (ArgumentException ex) when (authenticated && !context.Response.HasStarted)
            {
                // A malformed Bearer token (IDX12729 and kin) escapes ProcessAsync instead of giving a 401.
                logger.LogWarning("Rejected a Bot Framework request with an unreadable token: {Reason}", ex.Message);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
        })
        .WithName("BotMessages")
        .ExcludeFromDescription();
        return endpoints;
    }

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
