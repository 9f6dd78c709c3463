using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Context;

namespace Clippings.Server.Api;

/// <summary>Marks the editors' endpoints: they need an API key (or, with none configured, a loopback client).</summary>
public sealed class EditorApiEndpoint
{
    public static readonly EditorApiEndpoint Instance = new();
}

/// <summary>
/// Guards the editors' endpoints before their bodies are read: API key (or loopback when no key is configured)
/// and the request size limit. The client's name goes to the log context and to <see cref="ClientName"/>.
/// </summary>
internal sealed class ApiAccessMiddleware
{
    private const string ClientItem = "Clippings.ApiClient";

    private readonly RequestDelegate _next;

    public ApiAccessMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public static string ClientName(HttpContext context) => context.Items[ClientItem] as string ?? "local";

    public async Task InvokeAsync(HttpContext context, ApiKeys keys, IOptions<ApiOptions> options, ILogger<ApiAccessMiddleware> logger)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<EditorApiEndpoint>() is null)
        {
            await _next(context);
            return;
        }

        string client;
        if (keys.Required)
        {
            var name = keys.Identify(context.Request);
            if (name is null)
            {
                logger.LogWarning("Editors' API request without a valid API key from {RemoteIp}", context.Connection.RemoteIpAddress);
                context.Response.Headers.WWWAuthenticate = $"{ApiKeys.HeaderName}";
                await ProblemAsync(context, StatusCodes.Status401Unauthorized, "API key required", $"Send a valid key in the {ApiKeys.HeaderName} header.");
                return;
            }

            client = name;
        }
        else if (ApiKeys.IsLocal(context))
        {
            client = "local";
        }
        else
        {
            logger.LogWarning("Refused a non-loopback editors' API request from {RemoteIp}: no API key is configured", context.Connection.RemoteIpAddress);
            await ProblemAsync(context, StatusCodes.Status403Forbidden, "API keys not configured",
                "This server answers the editors' API on loopback only until an API key is configured (Clippings:Api:Keys; make one with `clippings api-key`).");
            return;
        }

        var max = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > max)
        {
            await ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large", $"The body is {context.Request.ContentLength} bytes; this API accepts at most {max}.");
            return;
        }

        if (context.Request.ContentLength is null && await ExceedsAsync(context.Request, max, context.RequestAborted))
        {
            await ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large", $"The body is larger than this API accepts ({max} bytes).");
            return;
        }

        context.Items[ClientItem] = client;
        context.RequestServices.GetService<IDiagnosticContext>()?.Set("ApiClient", client);   // onto the request log line
        using (LogContext.PushProperty("ApiClient", client))
        {
            await _next(context);
        }
    }

    /// <summary>A body sent without a length (chunked) is buffered up to the limit, then rewound for the endpoint.</summary>
    private static async Task<bool> ExceedsAsync(HttpRequest request, long max, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method) && !HttpMethods.IsPatch(request.Method))
        {
            return false;
        }

        request.EnableBuffering(bufferThreshold: (int)Math.Min(max + 1, 1024 * 1024), bufferLimit: max + 1);
        var buffer = new byte[8192];
        long total = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > max)
                {
                    return true;
                }
            }
        }
        catch (IOException) when (total >= max)
        {
            // The buffer limit itself stopped the read: too large.
            return true;
        }

        request.Body.Position = 0;
        return false;
    }

    internal static async Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetService(typeof(IProblemDetailsService)) as IProblemDetailsService;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title, Detail = detail };
        if (problems is null || !await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem);
        }
    }
}
