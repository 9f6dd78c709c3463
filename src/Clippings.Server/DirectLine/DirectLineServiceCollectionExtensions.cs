using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clippings.Server.DirectLine;

public static class DirectLineServiceCollectionExtensions
{
    /// <summary>
    /// The local Direct Line endpoint: tokens, the in-memory conversations and the adapter that runs the host's
    /// <c>IBot</c> for them (the bot itself is registered by the host). Map it with <see cref="DirectLineEndpoints.MapDirectLine"/>.
    /// </summary>
    public static IServiceCollection AddDirectLine(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(DirectLineOptions.SectionName);
        services.AddOptions<DirectLineOptions>().Bind(section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DirectLineTokens>();
        services.TryAddSingleton<DirectLineConversations>();
        services.TryAddSingleton<DirectLineBotAdapter>();

        var origins = section.GetSection(nameof(DirectLineOptions.AllowedOrigins)).Get<string[]>() ?? [];
        services.AddCors(cors => cors.AddPolicy(DirectLineEndpoints.CorsPolicy, policy =>
        {
            // Web Chat sends these headers; browsers cache the preflight for ten minutes.
            policy.WithHeaders("authorization", "content-type", "x-ms-bot-agent", "x-requested-with")
                .WithMethods("GET", "POST", "OPTIONS")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
            if (origins.Length == 0)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }
        }));
        return services;
    }
}
