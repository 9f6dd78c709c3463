using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>The editors' API: keys, per-client rate limiting (<c>Clippings:Api</c>), conversations and the OpenAPI document.</summary>
    public static IServiceCollection AddClippingsApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindValidated<ApiOptions>(configuration, ApiOptions.SectionName, rules => rules
            .Range("RateLimit:PermitsPerMinute", o => o.RateLimit.PermitsPerMinute, 0, 1_000_000, "0 (off) to 1000000")
            // -1 used to reject every request as too large.
            .Range(nameof(ApiOptions.MaxRequestBodyBytes), o => o.MaxRequestBodyBytes, 256, 16 * 1024 * 1024)
            .Range(nameof(ApiOptions.MaxSearchResults), o => o.MaxSearchResults, 1, 1000)
            .Rule(o => o.Keys.FirstOrDefault(k => string.IsNullOrWhiteSpace(k.Sha256) || k.Sha256.Trim().Length != 64 || !k.Sha256.Trim().All(Uri.IsHexDigit)) is { } bad
                ? $"{ApiOptions.SectionName}:Keys entry '{bad.Name}' has Sha256 '{bad.Sha256}'; allowed: 64 hex digits (make one with `clippings api-key`)." : null));
        // A parameter that does not bind (limit=abc) throws, so the exception handler answers with a detail saying which.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.TryAddSingleton<ApiKeys>();
        services.TryAddSingleton<ApiConversationStore>();
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            // Say how the editors' endpoints authenticate: the X-Api-Key header.
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeys.HeaderName] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.ApiKey,
                In = Microsoft.OpenApi.ParameterLocation.Header,
                Name = ApiKeys.HeaderName,
                Description = "An API key (clippings api-key). Required once any key is configured; without keys the API answers loopback callers only.",
            };
            return Task.CompletedTask;
        }).AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<EditorApiEndpoint>().Any())
            {
                operation.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference(ApiKeys.HeaderName, context.Document)] = [] }];
            }

            return Task.CompletedTask;
        }));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(ApiEndpoints.RateLimitPolicy, context =>
            {
                var permits = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimit.PermitsPerMinute;
                if (permits <= 0)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var client = context.RequestServices.GetRequiredService<ApiKeys>().ClientId(context);
                return State.SharedRateLimits.PerMinute(context, "api:" + client, permits);
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retry.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await ApiAccessMiddleware.ProblemAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This client may make {rejected.HttpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimit.PermitsPerMinute} requests a minute; retry after {Math.Ceiling(retry.TotalSeconds)} s.");
            };
        });
        return services;
    }

    /// <summary>Rate limiting and the API's access checks (after routing, before the endpoints run).</summary>
    public static IApplicationBuilder UseClippingsApi(this IApplicationBuilder app)
    {
        var keys = app.ApplicationServices.GetRequiredService<ApiKeys>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Clippings.Server.Api");
        if (!keys.Required)
        {
            logger.LogWarning("No API key configured (Clippings:Api:Keys): the editors' API answers loopback clients only. Make a key with `clippings api-key`.");
        }

        var permits = app.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.RateLimit.PermitsPerMinute;
        logger.LogInformation("Editors' API rate limit: {PermitsPerMinute} requests per minute per client (0 = off)", permits);
        app.UseRateLimiter();
        app.UseMiddleware<ApiAccessMiddleware>();
        return app;
    }

    /// <summary>The editors' endpoints under <c>/api</c>, the insights page <c>/insights</c>, <c>/health</c> and the OpenAPI document at <c>/openapi/v1.json</c>.</summary>
    public static IEndpointRouteBuilder MapClippingsApi(this IEndpointRouteBuilder endpoints)
    {
        ApiEndpoints.Map(endpoints);
        Insights.InsightsEndpoints.Map(endpoints);
        endpoints.MapOpenApi();
        return endpoints;
    }
}
