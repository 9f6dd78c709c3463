using Microsoft.AspNetCore.Http;
using Serilog.Context;

namespace Clippings.Server.Hosting;

/// <summary>
/// Gives every request a correlation id (the caller's <c>X-Correlation-Id</c> when it is sane, else the trace
/// identifier), echoes it in the response, and pushes it onto Serilog's LogContext so the request log, the bot's
/// events and the core's events of that request all carry the same <c>CorrelationId</c>.
/// </summary>
internal sealed class CorrelationIdMiddleware
{
    public const string HeaderName = "X-Correlation-Id";
    private const int MaxLength = 64;

    private readonly RequestDelegate _next;

    public CorrelationIdMiddleware(RequestDelegate next)
    {
        _next = next;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var id = FromHeader(context.Request.Headers[HeaderName].ToString()) ?? context.TraceIdentifier;
        context.TraceIdentifier = id;
        context.Response.Headers[HeaderName] = id;
        using (LogContext.PushProperty("CorrelationId", id))
        {
            await _next(context);
        }
    }

    /// <summary>Only short ids of letters, digits, '-', '_', '.' and ':' are kept: a header must not inject log text.</summary>
    private static string? FromHeader(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':') ? value : null;
}
