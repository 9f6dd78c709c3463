using Clippings.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Clippings.Server.Hosting;

/// <summary>
/// Errors a caller or operator can act on become ProblemDetails with their clear message: an unreachable index
/// or model (503), a malformed or oversized request (its status). Anything else stays a generic 500.
/// </summary>
internal sealed class ClippingsExceptionHandler : IExceptionHandler
{
    private readonly IProblemDetailsService _problems;
    private readonly ILogger<ClippingsExceptionHandler> _logger;

    public ClippingsExceptionHandler(IProblemDetailsService problems, ILogger<ClippingsExceptionHandler> logger)
    {
        _problems = problems;
        _logger = logger;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request"),
            IndexUnavailableException or IndexMismatchException => (StatusCodes.Status503ServiceUnavailable, "The archive index is unavailable"),
            State.StateUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Conversations are unavailable for a moment"),
            ClippingsException => (StatusCodes.Status503ServiceUnavailable, "The service cannot answer right now"),
            _ => (0, ""),
        };
        if (status == 0)
        {
            return false;
        }

        _logger.LogWarning("{Title}: {Reason}", title, exception.Message);
        httpContext.Response.StatusCode = status;
        if (exception is State.StateUnavailableException)
        {
            httpContext.Response.Headers.RetryAfter = ((int)State.StateUnavailableException.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await _problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = exception.Message },
        });
    }
}
