using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Server.Api;

public static class ApiServiceCollectionExtensions
{
    public static IServiceCollection AddClippingsApi(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }

    public static IApplicationBuilder UseClippingsApi(this IApplicationBuilder app) => app;

    public static IEndpointRouteBuilder MapClippingsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => Microsoft.AspNetCore.Http.Results.Ok(new { status = "ok" }));
        return endpoints;
    }
}
