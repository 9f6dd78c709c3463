using Clippings.Server.DirectLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clippings.Server.Website;

public static class WebsiteServiceCollectionExtensions
{
    /// <summary>
    /// Everything readers use: the local Direct Line endpoint, the Web Chat token issuer (local or Azure) and the
    /// embedded web assets. The host registers the bot (<c>IBot</c>) and the core; map with <see cref="MapClippingsWeb"/>.
    /// </summary>
    public static IServiceCollection AddClippingsWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDirectLine(configuration);
        services.BindValidated<WebChatOptions>(configuration, WebChatOptions.SectionName, rules => rules
            .OneOf(nameof(WebChatOptions.DirectLine), o => o.DirectLine, "local", "azure")
            .Rule(o => o.UsesAzure && !(Uri.TryCreate(o.AzureEndpoint, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps)
                ? $"{WebChatOptions.SectionName}:AzureEndpoint is '{o.AzureEndpoint}'; allowed: an https URL such as {WebChatOptions.AzureDefaultEndpoint}." : null));
        services.AddHttpClient(WebChatTokenIssuer.AzureHttpClient, client => client.Timeout = TimeSpan.FromSeconds(15));
        services.TryAddSingleton<WebChatTokenIssuer>();
        services.TryAddSingleton<WebAssets>();
        return services;
    }

    /// <summary>Maps <c>/v3/directline/*</c>, <c>/</c>, <c>/embed.js</c>, <c>/assets/*</c> and <c>/webchat/token</c> (with CORS for pages on other sites).</summary>
    public static WebApplication MapClippingsWeb(this WebApplication app)
    {
        // The Direct Line stream (Web Chat's default transport) upgrades its GET to a WebSocket.
        app.UseWebSockets();
        app.UseCors();
        app.MapDirectLine();
        app.MapWebsite();
        return app;
    }
}
