using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.DirectLine;

/// <summary>
/// The Direct Line 3.0 WebSocket stream (<c>GET /conversations/{id}/stream?watermark=&amp;t=TOKEN</c>), which Web Chat
/// and botframework-directlinejs use by default: frames <c>{"activities":[…],"watermark":"…"}</c> as the feed grows,
/// empty frames while idle, closed when the token expires or the conversation ends (the client then reconnects).
/// </summary>
public static partial class DirectLineEndpoints
{
    /// <summary>What a client may send on the stream: directlinejs pings with empty messages; anything large is abuse.</summary>
    private const int MaxClientMessageBytes = 4096;

    private static readonly byte[] KeepAliveFrame = [];

    /// <summary>The <c>streamUrl</c> of start conversation and reconnect: ws(s) on the host the client called, token in <c>t</c>.</summary>
    private static string StreamUrl(HttpContext http, string conversationId, string token, string? watermark)
    {
        var scheme = http.Request.IsHttps ? "wss" : "ws";
        var url = new StringBuilder()
            .Append(scheme).Append("://").Append(http.Request.Host.ToUriComponent()).Append(http.Request.PathBase.ToUriComponent())
            .Append(BasePath).Append("/conversations/").Append(Uri.EscapeDataString(conversationId)).Append("/stream?");
        if (!string.IsNullOrEmpty(watermark))
        {
            url.Append("watermark=").Append(Uri.EscapeDataString(watermark)).Append('&');
        }

        return url.Append("t=").Append(Uri.EscapeDataString(token)).ToString();
    }

    private static async Task StreamAsync(
        string conversationId, string? watermark, string? t, HttpContext http, DirectLineTokens tokens, IDirectLineConversationStore conversations,
        IOptions<DirectLineOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Error(HttpStatusCode.BadRequest, "BadArgument", "Connect with a WebSocket to the streamUrl; or poll /activities.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        // Browsers do not apply CORS to WebSockets, so the page-origin rule is checked here.
        var origin = http.Request.Headers.Origin.ToString();
        var allowed = options.Value.AllowedOrigins;
        if (allowed.Count > 0 && origin.Length > 0 && !allowed.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)))
        {
            await Error(HttpStatusCode.Forbidden, "Forbidden", "This page's origin may not use the chat.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        if (!string.IsNullOrEmpty(t) && tokens.IsSecret(t))
        {
            // URLs end up in proxy logs: the secret travels in a header only; stream URLs carry tokens.
            await Error(HttpStatusCode.Forbidden, "Forbidden", "Use a token in t, never the secret.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        // Same rules as polling: a token bound to this conversation and unexpired (from t, or the Authorization header).
        var caller = AuthenticateFor(http, tokens, conversationId, t);
        var conversation = caller.Failure is null ? await conversations.FindAsync(conversationId, http.RequestAborted).ConfigureAwait(false) : null;
        if (conversation is null)
        {
            await (caller.Failure ?? ConversationNotFound()).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        if (!TryParseWatermark(watermark, out var after))
        {
            await BadWatermark().ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var max = options.Value.MaxStreamsPerConversation;
        if (!conversation.TryOpenStream(max))
        {
            http.Response.Headers.RetryAfter = "5";
            await Error(HttpStatusCode.TooManyRequests, "TooManyStreams", $"At most {max} streams may be open on one conversation.").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        var logger = loggers.CreateLogger(typeof(DirectLineEndpoints));
        try
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            logger.LogDebug("Direct Line stream opened on conversation {ConversationId} after watermark {Watermark}", conversationId, after);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            var expiresAt = caller.Token?.ExpiresAt ?? DateTimeOffset.MaxValue;
            var reason = await PumpAsync(socket, conversation, conversations, after, expiresAt, options.Value.StreamKeepAlive, time, stop.Token).ConfigureAwait(false);
            logger.LogDebug("Direct Line stream on conversation {ConversationId} closed: {Reason}", conversationId, reason);
        }
        catch (State.StateUnavailableException e)
        {
            // Redis went away mid-stream: the socket drops, the client reconnects and gets 503 until Redis returns.
            logger.LogWarning("Direct Line stream on conversation {ConversationId} dropped: {Error}", conversationId, e.Message);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away or the server is stopping: nothing is lost, the feed keeps what was not sent.
            logger.LogDebug("Direct Line stream on conversation {ConversationId} dropped: {Error}", conversationId, e.Message);
        }
        finally
        {
            conversation.CloseStream();
        }
    }

    /// <summary>Sends the feed after <paramref name="after"/> as it grows, until the client leaves, the token expires or the conversation ends.</summary>
    private static async Task<string> PumpAsync(
        WebSocket socket, IDirectLineConversation conversation, IDirectLineConversationStore conversations, long? after, DateTimeOffset expiresAt,
        TimeSpan keepAlive, TimeProvider time, CancellationToken cancellationToken)
    {
        var receiving = ReceiveUntilClosedAsync(socket, cancellationToken);
        try
        {
            return await PumpFramesAsync(socket, conversation, conversations, after, expiresAt, keepAlive, time, receiving, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The reader fails once the socket is gone; observed here so it is not reported as an unobserved task error.
            _ = receiving.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static async Task<string> PumpFramesAsync(
        WebSocket socket, IDirectLineConversation conversation, IDirectLineConversationStore conversations, long? after, DateTimeOffset expiresAt,
        TimeSpan keepAlive, TimeProvider time, Task<WebSocketCloseStatus> receiving, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before the read: an activity added after the read completes this task.
            var changed = conversation.Changed;

            // Reading with the last watermark sent confirms it, like a poll: the byte budgets may then drop those activities.
            var (activities, count, watermark, ended) = await conversation.ReadAfterAsync(after, cancellationToken).ConfigureAwait(false);
            if (ended)
            {
                return await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "ConversationEnded", cancellationToken).ConfigureAwait(false);
            }

            if (count > 0)
            {
                var frame = "{\"activities\":" + activities + ",\"watermark\":\"" + watermark.ToString(CultureInfo.InvariantCulture) + "\"}";
                await socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }

            after = watermark;
            var left = expiresAt - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, "TokenExpired", cancellationToken).ConfigureAwait(false);
            }

            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(left < keepAlive ? left : keepAlive, time, tick.Token);
            var woke = await Task.WhenAny(changed, receiving, delay).ConfigureAwait(false);
            await tick.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (woke == receiving)
            {
                var closedBy = await receiving.ConfigureAwait(false);
                return closedBy == WebSocketCloseStatus.MessageTooBig
                    ? await CloseAsync(socket, WebSocketCloseStatus.MessageTooBig, "MessageTooBig", cancellationToken).ConfigureAwait(false)
                    : await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "ClientClosed", cancellationToken).ConfigureAwait(false);
            }

            if (woke == delay && time.GetUtcNow() < expiresAt)
            {
                // An open stream keeps its conversation alive as polling does; Find forgets one idle past its timeout.
                if (await conversations.FindAsync(conversation.Id, cancellationToken).ConfigureAwait(false) is null)
                {
                    return await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "ConversationEnded", cancellationToken).ConfigureAwait(false);
                }

                await socket.SendAsync(KeepAliveFrame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads and drops what the client sends (pings) until it closes; MessageTooBig when a message is over the limit.</summary>
    private static async Task<WebSocketCloseStatus> ReceiveUntilClosedAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        var messageBytes = 0;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return WebSocketCloseStatus.NormalClosure;
            }

            messageBytes = received.EndOfMessage ? 0 : messageBytes + received.Count;
            if (messageBytes > MaxClientMessageBytes)
            {
                return WebSocketCloseStatus.MessageTooBig;
            }
        }
    }

    private static async Task<string> CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason, CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
        }

        return reason;
    }
}
