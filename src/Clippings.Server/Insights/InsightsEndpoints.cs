using Clippings.Insights;
using Clippings.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clippings.Server.Insights;

/// <summary>
/// Editors' insights: <c>GET /api/insights</c> (JSON) and the page <c>GET /insights</c>, both under the editors' API
/// access rule (an API key, or a loopback client while none is configured) and its rate limit.
/// </summary>
internal static class InsightsEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/insights", GetAsync)
            .WithMetadata(EditorApiEndpoint.Instance)
            .RequireRateLimiting(ApiEndpoints.RateLimitPolicy)
            .WithTags("Editors' API")
            .WithName("Insights")
            .WithSummary("What readers asked (since, until: yyyy-mm-dd; channel): counts per day and channel, refused questions grouped however they were typed, answers rated down, topics, most cited pieces.")
            .Produces<InsightsReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        endpoints.MapGet("/insights", PageAsync)
            .WithMetadata(EditorApiEndpoint.Instance)
            .RequireRateLimiting(ApiEndpoints.RateLimitPolicy)
            .ExcludeFromDescription();
    }

    private static async Task<IResult> GetAsync(string? since, string? until, string? channel, InsightsReporter reporter, CancellationToken cancellationToken)
    {
        if (!reporter.Enabled)
        {
            return ApiEndpoints.Problem(StatusCodes.Status404NotFound, "Insights are off", InsightsReporter.OffMessage);
        }

        InsightsQuery query;
        try
        {
            query = reporter.Query(since, until, channel);
        }
        catch (ClippingsException ex)
        {
            return ApiEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid period", ex.Message);
        }

        return Results.Json(await reporter.BuildAsync(query, cancellationToken), InsightsReport.JsonOptions);
    }

    private static async Task<IResult> PageAsync(string? since, string? until, string? channel, HttpContext http, InsightsReporter reporter, CancellationToken cancellationToken)
    {
        // Everything is drawn on the server (the chart is inline SVG): the page runs no script at all.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-store";
        if (!reporter.Enabled)
        {
            return Html(InsightsPage.Message("Insights are off", InsightsReporter.OffMessage), StatusCodes.Status404NotFound);
        }

        InsightsQuery query;
        try
        {
            query = reporter.Query(since, until, channel);
        }
        catch (ClippingsException ex)
        {
            return Html(InsightsPage.Message("Invalid period", ex.Message), StatusCodes.Status400BadRequest);
        }

        return Html(InsightsPage.Render(await reporter.BuildAsync(query, cancellationToken), query), StatusCodes.Status200OK);
    }

    private static IResult Html(string html, int status) => Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
}
