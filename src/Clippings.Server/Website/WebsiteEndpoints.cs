using Clippings.Server.DirectLine;
using Clippings.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Website;

/// <summary>The reader-facing pages: <c>/</c> (demo article page with the chat), <c>/embed.js</c>, <c>/assets/*</c>, <c>POST /webchat/token</c>.</summary>
public static class WebsiteEndpoints
{
    private const int MoreArticles = 8;

    public static IEndpointRouteBuilder MapWebsite(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", RenderDemoPageAsync);
        endpoints.MapGet("/embed.js", (HttpContext http, WebAssets assets) => assets.Serve(http, "embed.js", TimeSpan.FromMinutes(5)));
        endpoints.MapGet("/assets/{name}", (string name, HttpContext http, WebAssets assets) => assets.Serve(http, name, TimeSpan.FromHours(1)));
        endpoints.MapPost("/webchat/token", IssueTokenAsync).RequireCors(DirectLineEndpoints.CorsPolicy);
        return endpoints;
    }

    private static async Task<IResult> IssueTokenAsync(WebChatTokenIssuer issuer, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await issuer.IssueAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (ClippingsException ex)
        {
            loggers.CreateLogger(typeof(WebsiteEndpoints)).LogError("Web Chat token not issued: {Reason}", ex.Message);
            return Results.Problem(title: "The chat is unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> RenderDemoPageAsync(string? article, HttpContext http, IArchiveIndex index, IOptions<WebChatOptions> options, CancellationToken cancellationToken)
    {
        var all = await index.ListArticlesAsync(SearchFilter.None, cancellationToken).ConfigureAwait(false);
        var chosen = string.IsNullOrEmpty(article) ? all.FirstOrDefault() : all.FirstOrDefault(a => string.Equals(a.Id, article, StringComparison.Ordinal));
        if (chosen is null && !string.IsNullOrEmpty(article))
        {
            // A browser asked: answer with a page, not a JSON string.
            return Results.Content(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Article not found</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head>" +
                "<body><main><h1>Article not found</h1><p>The archive holds no article with that id. <a href=\"/\">Read the newest article</a>.</p></main></body></html>",
                "text/html; charset=utf-8", System.Text.Encoding.UTF8, StatusCodes.Status404NotFound);
        }

        var full = chosen is null ? null : await index.GetArticleAsync(chosen.Id, cancellationToken).ConfigureAwait(false);
        var more = all.Where(a => !string.Equals(a.Id, chosen?.Id, StringComparison.Ordinal))
            .OrderByDescending(a => string.Equals(a.Section, chosen?.Section, StringComparison.OrdinalIgnoreCase))
            .Take(MoreArticles)
            .ToList();
        var settings = options.Value;
        var publication = settings.PublicationName
            ?? all.Where(a => !string.IsNullOrWhiteSpace(a.Publication)).GroupBy(a => a.Publication!).MaxBy(g => g.Count())?.Key
            ?? "Clippings";

        // Defence in depth: even if archive text ever reached the page as markup, no inline script could run.
        var connect = settings.UsesAzure ? "'self' " + new Uri(settings.AzureEndpoint).GetLeftPart(UriPartial.Authority) : "'self'";
        http.Response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; font-src 'self' data:; " +
            $"connect-src {connect}; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        return Results.Content(DemoPage.Render(publication, full, more, "/embed.js"), "text/html; charset=utf-8");
    }
}
