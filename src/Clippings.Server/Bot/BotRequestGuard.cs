using System.Net;
using Clippings.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Bot;

/// <summary>
/// Checks a <c>/api/messages</c> request before the Bot Framework adapter sees it, because the adapter posts the bot's
/// replies to whatever <c>serviceUrl</c> the activity names. Without an app id (Emulator style) only callers on this
/// machine naming a loopback <c>serviceUrl</c> get through; with one, a request without a bearer token is refused
/// unread and the <c>serviceUrl</c> host must be on the allow-list (the token's own check follows in the adapter).
/// </summary>
internal sealed class BotRequestGuard
{
    private readonly bool _authenticated;
    private readonly BotOptions _options;
    private readonly ILogger _logger;

    public BotRequestGuard(bool authenticated, BotOptions options, ILogger logger)
    {
        _authenticated = authenticated;
        _options = options;
        _logger = logger;
    }

    /// <summary>Null when the request may go on (its body buffered and rewound), else the refusal: status and reason.</summary>
    public async Task<(int Status, string Detail)?> CheckAsync(HttpContext context)
    {
        if (_authenticated && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status401Unauthorized, "Send the Bot Framework token in 'Authorization: Bearer …'.");
        }

        if (!_authenticated && !ClientAddress.IsLoopback(context))
        {
            _logger.LogWarning("Refused /api/messages from {RemoteIp}: no MicrosoftAppId is configured, so only this machine may call it", context.Connection.RemoteIpAddress);
            return (StatusCodes.Status403Forbidden, "This bot endpoint has no MicrosoftAppId configured and answers callers on this machine only.");
        }

        if (context.Request.ContentLength > _options.MaxRequestBytes)
        {
            return (StatusCodes.Status413PayloadTooLarge, $"An activity may be at most {_options.MaxRequestBytes} bytes.");
        }

        context.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: _options.MaxRequestBytes + 1L);
        string body;
        try
        {
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var buffer = new char[_options.MaxRequestBytes + 1];
            var read = await reader.ReadBlockAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            if (read > _options.MaxRequestBytes)
            {
                return (StatusCodes.Status413PayloadTooLarge, $"An activity may be at most {_options.MaxRequestBytes} bytes.");
            }

            body = new string(buffer, 0, read);
        }
        catch (IOException)
        {
            // The buffer limit stopped the read.
            return (StatusCodes.Status413PayloadTooLarge, $"An activity may be at most {_options.MaxRequestBytes} bytes.");
        }

        context.Request.Body.Position = 0;
        string? serviceUrl;
        try
        {
            serviceUrl = JObject.Parse(body, new JsonLoadSettings { DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error })["serviceUrl"]?.ToString();
        }
        catch (JsonException)
        {
            return (StatusCodes.Status400BadRequest, "Post one Bot Framework activity as a JSON object.");
        }

        if (string.IsNullOrEmpty(serviceUrl))
        {
            return null;   // nothing to call back (e.g. deliveryMode expectReplies)
        }

        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return (StatusCodes.Status400BadRequest, "The activity's serviceUrl is not an http(s) URL.");
        }

        var allowed = _authenticated ? IsAllowedChannelHost(uri) : IsLoopbackHost(uri);
        if (!allowed)
        {
            _logger.LogWarning("Refused /api/messages naming serviceUrl host {ServiceUrlHost}: not an allowed reply host", uri.Host);
            return (StatusCodes.Status403Forbidden, _authenticated
                ? $"The serviceUrl host '{uri.Host}' is not allowed (Clippings:Bot:AllowedServiceUrls)."
                : "Without a MicrosoftAppId the bot replies only to a serviceUrl on this machine (the Emulator's).");
        }

        return null;
    }

    private bool IsAllowedChannelHost(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps && _options.EffectiveServiceUrlHosts.Any(host =>
            uri.Host.Equals(host, StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith("." + host.TrimStart('.'), StringComparison.OrdinalIgnoreCase));

    private static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
