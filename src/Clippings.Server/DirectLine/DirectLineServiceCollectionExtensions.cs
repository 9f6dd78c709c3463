using System.Globalization;
using System.Threading.RateLimiting;
using Clippings.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
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
        services.BindValidated<DirectLineOptions>(configuration, DirectLineOptions.SectionName, rules => rules
            // Web Chat refreshes its token every 15 minutes: a shorter lifetime ends every chat.
            .Range(nameof(DirectLineOptions.TokenLifetime), o => o.TokenLifetime, TimeSpan.FromMinutes(16), TimeSpan.FromDays(1))
            .Range(nameof(DirectLineOptions.ConversationIdleTimeout), o => o.ConversationIdleTimeout, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7))
            .Range(nameof(DirectLineOptions.EvictableAfter), o => o.EvictableAfter, TimeSpan.Zero, TimeSpan.FromDays(1))
            .Range(nameof(DirectLineOptions.MaxActivitiesPerConversation), o => o.MaxActivitiesPerConversation, 1, 10_000)
            .Range(nameof(DirectLineOptions.MaxConversations), o => o.MaxConversations, 1, 1_000_000)
            .Range(nameof(DirectLineOptions.MaxActivityBytes), o => o.MaxActivityBytes, 1024, 1024 * 1024)
            .Rule(o => o.MaxConversationBytes < 2L * o.MaxActivityBytes || o.MaxConversationBytes > 64 * 1024 * 1024
                ? $"{DirectLineOptions.SectionName}:MaxConversationBytes is '{o.MaxConversationBytes}'; allowed: 2 × MaxActivityBytes ({2L * o.MaxActivityBytes}) to {64 * 1024 * 1024}." : null)
            .Rule(o => o.MaxTotalBytes < o.MaxConversationBytes || o.MaxTotalBytes > 64L * 1024 * 1024 * 1024
                ? $"{DirectLineOptions.SectionName}:MaxTotalBytes is '{o.MaxTotalBytes}'; allowed: MaxConversationBytes ({o.MaxConversationBytes}) to {64L * 1024 * 1024 * 1024}." : null)
            .Range(nameof(DirectLineOptions.MaxStreamsPerConversation), o => o.MaxStreamsPerConversation, 1, 100)
            .Range(nameof(DirectLineOptions.StreamKeepAlive), o => o.StreamKeepAlive, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5))
            .Range("RateLimit:ActivitiesPerConversation", o => o.RateLimit.ActivitiesPerConversation, 0, 100_000, "0 (off) to 100000")
            .Range("RateLimit:ActivitiesPerAddress", o => o.RateLimit.ActivitiesPerAddress, 0, 1_000_000, "0 (off) to 1000000")
            .Range("RateLimit:TokensPerAddress", o => o.RateLimit.TokensPerAddress, 0, 1_000_000, "0 (off) to 1000000")
            .Rule(o => o.AllowedOrigins.FirstOrDefault(origin => !Uri.TryCreate(origin, UriKind.Absolute, out var u) || u.AbsolutePath != "/") is { } bad
                ? $"{DirectLineOptions.SectionName}:AllowedOrigins holds '{bad}'; allowed: origins such as https://news.example.org (scheme, host, optional port)." : null));
        services.AddRateLimiter(limiter =>
        {
            // Global, so each request passes both its per-conversation and its per-address window (endpoint policies pick one).
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(PerConversation),
                PartitionedRateLimiter.Create<HttpContext, string>(PerAddress));
            var previous = limiter.OnRejected;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                if (Kind(rejected.HttpContext) is null && previous is not null)
                {
                    await previous(rejected, cancellationToken).ConfigureAwait(false);
                    return;
                }

                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
                rejected.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                rejected.HttpContext.Response.ContentType = "application/json";
                await rejected.HttpContext.Response.WriteAsync(
                    $"{{\"error\":{{\"code\":\"TooManyRequests\",\"message\":\"Too many requests; retry after {seconds} s.\"}}}}", cancellationToken).ConfigureAwait(false);
            };
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => DirectLineSigningKey.Random());
        services.TryAddSingleton<DirectLineTokens>();
        services.TryAddSingleton<DirectLineConversations>();
        services.TryAddSingleton<IDirectLineConversationStore>(sp => sp.GetRequiredService<DirectLineConversations>());
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

    private enum LimitKind { Activity, Token }

    /// <summary>Which Direct Line limit a request counts against, or null for the rest of the server.</summary>
    private static LimitKind? Kind(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            return null;
        }

        var path = http.Request.Path;
        if (path.StartsWithSegments(DirectLineEndpoints.BasePath + "/conversations", out var rest) && rest.Value?.EndsWith("/activities", StringComparison.Ordinal) == true)
        {
            return LimitKind.Activity;
        }

        return path.Equals("/webchat/token", StringComparison.OrdinalIgnoreCase)
            || path.Equals(DirectLineEndpoints.BasePath + "/tokens/generate", StringComparison.OrdinalIgnoreCase)
            || path.Equals(DirectLineEndpoints.BasePath + "/conversations", StringComparison.OrdinalIgnoreCase)
            ? LimitKind.Token
            : null;
    }

    private static RateLimitPartition<string> PerConversation(HttpContext http)
    {
        var permits = http.RequestServices.GetRequiredService<IOptions<DirectLineOptions>>().Value.RateLimit.ActivitiesPerConversation;
        // Only a valid token for this conversation gets past authentication, so the route's id stands for the token.
        return Kind(http) == LimitKind.Activity && permits > 0 && http.Request.RouteValues["conversationId"] is string conversation
            ? Window(http, "conversation:" + conversation, permits)
            : RateLimitPartition.GetNoLimiter("none");
    }

    private static RateLimitPartition<string> PerAddress(HttpContext http)
    {
        var limits = http.RequestServices.GetRequiredService<IOptions<DirectLineOptions>>().Value.RateLimit;
        return Kind(http) switch
        {
            LimitKind.Activity when limits.ActivitiesPerAddress > 0 => Window(http, "activities:" + ClientAddress.Key(http), limits.ActivitiesPerAddress),
            LimitKind.Token when limits.TokensPerAddress > 0 => Window(http, "tokens:" + ClientAddress.Key(http), limits.TokensPerAddress),
            _ => RateLimitPartition.GetNoLimiter("none"),
        };
    }

    private static RateLimitPartition<string> Window(HttpContext http, string key, int permits) => State.SharedRateLimits.PerMinute(http, key, permits);
}
