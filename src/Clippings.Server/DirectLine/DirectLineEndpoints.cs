using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.DirectLine;

/// <summary>
/// The Direct Line 3.0 calls Web Chat makes (polling, and the WebSocket stream in DirectLineStream.cs), served by
/// Clippings itself under <c>/v3/directline</c>. Credentials: the configured secret (a publisher's server), or a token
/// bound to one conversation.
/// </summary>
public static partial class DirectLineEndpoints
{
    public const string BasePath = "/v3/directline";
    public const string CorsPolicy = "clippings-directline";

    public static RouteGroupBuilder MapDirectLine(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(BasePath).RequireCors(CorsPolicy);
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (State.StateUnavailableException ex) when (!context.HttpContext.Response.HasStarted)
            {
                // Shared state (Redis) is away: the conversation is kept there, so the client waits and retries.
                return Busy(context.HttpContext, new DirectLineRefusal(ex.Message, State.StateUnavailableException.RetryAfter));
            }
        });
        group.MapPost("/tokens/generate", GenerateTokenAsync);
        group.MapPost("/tokens/refresh", RefreshToken);
        group.MapPost("/conversations", StartConversationAsync);
        group.MapGet("/conversations/{conversationId}", ReconnectAsync);
        group.MapPost("/conversations/{conversationId}/activities", PostActivityAsync);
        group.MapGet("/conversations/{conversationId}/activities", GetActivitiesAsync);
        group.MapGet("/conversations/{conversationId}/stream", StreamAsync);
        return group;
    }

    private static async Task<IResult> GenerateTokenAsync(HttpContext http, DirectLineTokens tokens)
    {
        var caller = Authenticate(http, tokens, openOnLoopback: true);
        if (caller.Failure is not null)
        {
            return caller.Failure;
        }

        if (!caller.IsSecret)
        {
            return Error(HttpStatusCode.Forbidden, "Forbidden", "Generating a token needs the Direct Line secret, not a token.");
        }

        var userId = await ReadUserIdAsync(http).ConfigureAwait(false);
        var conversationId = DirectLineTokens.NewConversationId();
        return Json(StatusCodes.Status200OK, ConversationJson(conversationId, tokens.Issue(conversationId, userId), tokens));
    }

    private static IResult RefreshToken(HttpContext http, DirectLineTokens tokens)
    {
        var caller = Authenticate(http, tokens, openOnLoopback: false);
        if (caller.Failure is not null)
        {
            return caller.Failure;
        }

        if (caller.Token is null)
        {
            return Error(HttpStatusCode.Forbidden, "Forbidden", "Only a token can be refreshed.");
        }

        var conversationId = caller.Token.ConversationId;
        return Json(StatusCodes.Status200OK, ConversationJson(conversationId, tokens.Issue(conversationId, caller.Token.UserId), tokens));
    }

    private static async Task<IResult> StartConversationAsync(
        HttpContext http, DirectLineTokens tokens, IDirectLineConversationStore conversations, DirectLineBotAdapter adapter, IOptions<DirectLineOptions> options)
    {
        var caller = Authenticate(http, tokens, openOnLoopback: true);
        if (caller.Failure is not null)
        {
            return caller.Failure;
        }

        var requestedUser = await ReadUserIdAsync(http).ConfigureAwait(false);
        var conversationId = caller.Token?.ConversationId ?? DirectLineTokens.NewConversationId();
        var userId = caller.Token?.UserId ?? requestedUser;
        var (conversation, created, refusal) = await conversations.GetOrStartAsync(conversationId, userId, http.RequestAborted).ConfigureAwait(false);
        if (conversation is null)
        {
            return Busy(http, refusal!);
        }

        var token = caller.Token is null ? tokens.Issue(conversationId, userId) : http.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
        if (created)
        {
            // Like Azure's Direct Line: the bot hears that the bot and the user joined, and may greet.
            var bot = http.RequestServices.GetRequiredService<IBot>();
            var user = new ChannelAccount(conversation.UserId ?? "user-" + conversationId[..8], role: RoleTypes.User);
            var joined = new Activity(ActivityTypes.ConversationUpdate)
            {
                MembersAdded = [BotAccount(options.Value), user],
            };
            await RunTurnAsync(http, conversation, joined, bot, adapter, options.Value, user).ConfigureAwait(false);
        }

        return Json(created ? StatusCodes.Status201Created : StatusCodes.Status200OK,
            ConversationJson(conversationId, token, tokens, StreamUrl(http, conversationId, token, watermark: null)));
    }

    private static async Task<IResult> ReconnectAsync(string conversationId, string? watermark, HttpContext http, DirectLineTokens tokens, IDirectLineConversationStore conversations)
    {
        var (conversation, caller) = await EnterAsync(http, tokens, conversations, conversationId).ConfigureAwait(false);
        if (conversation is null)
        {
            return caller.Failure!;
        }

        if (!string.IsNullOrEmpty(watermark) && !TryParseWatermark(watermark, out _))
        {
            return BadWatermark();
        }

        // A new stream URL for a client whose socket dropped: it resumes after the watermark it had.
        var token = caller.Token is null ? tokens.Issue(conversationId, null) : http.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
        return Json(StatusCodes.Status200OK, ConversationJson(conversationId, token, tokens, StreamUrl(http, conversationId, token, watermark)));
    }

    private static async Task<IResult> PostActivityAsync(
        string conversationId, HttpContext http, DirectLineTokens tokens, IDirectLineConversationStore conversations,
        DirectLineBotAdapter adapter, IOptions<DirectLineOptions> options, ILoggerFactory loggers)
    {
        var (conversation, caller) = await EnterAsync(http, tokens, conversations, conversationId).ConfigureAwait(false);
        if (conversation is null)
        {
            return caller.Failure!;
        }

        var maxBytes = options.Value.MaxActivityBytes;
        if (http.Request.ContentLength > maxBytes)
        {
            return Error(HttpStatusCode.RequestEntityTooLarge, "MessageSizeTooBig", $"An activity may be at most {maxBytes} bytes.");
        }

        var body = await ReadBodyAsync(http.Request, maxBytes).ConfigureAwait(false);
        if (body is null)
        {
            return Error(HttpStatusCode.RequestEntityTooLarge, "MessageSizeTooBig", $"An activity may be at most {maxBytes} bytes.");
        }

        Activity? activity;
        try
        {
            activity = JsonConvert.DeserializeObject<Activity>(body, DirectLineJson.Settings);
        }
        catch (JsonException)
        {
            activity = null;
        }

        if (activity is null || !IsClientActivityType(activity.Type))
        {
            return Error(HttpStatusCode.BadRequest, "BadArgument", "Post one activity as JSON, of type message, event or typing.");
        }

        if (await conversations.ReserveAsync(body.Length * sizeof(char), http.RequestAborted).ConfigureAwait(false) is { } full)
        {
            return Busy(http, full);
        }

        // The feed's copy is the server's version of the activity: ids, time and accounts are set here, not by the client.
        var user = activity.From ?? new ChannelAccount();
        user.Id = caller.Token?.UserId ?? conversation.UserId ?? (string.IsNullOrWhiteSpace(user.Id) ? "user-" + conversationId[..8] : user.Id);
        user.Role = RoleTypes.User;
        if (conversation.UserId is null)
        {
            await conversation.ClaimUserAsync(user.Id, http.RequestAborted).ConfigureAwait(false);
        }

        activity.From = user;
        activity.Id = null;
        activity.Timestamp = DateTimeOffset.UtcNow;
        var id = await conversation.AppendAsync(Prepare(http, activity, conversation, options.Value), http.RequestAborted).ConfigureAwait(false);
        activity.Id = id;

        if (activity.Type != ActivityTypes.Typing)
        {
            var bot = http.RequestServices.GetRequiredService<IBot>();
            loggers.CreateLogger(typeof(DirectLineEndpoints)).LogDebug("Direct Line {ActivityType} {ActivityId} in conversation {ConversationId}", activity.Type, id, conversationId);
            await RunTurnAsync(http, conversation, activity, bot, adapter, options.Value, user).ConfigureAwait(false);
        }

        return Json(StatusCodes.Status200OK, new JObject { ["id"] = id });
    }

    private static async Task<IResult> GetActivitiesAsync(string conversationId, string? watermark, HttpContext http, DirectLineTokens tokens, IDirectLineConversationStore conversations)
    {
        var (conversation, caller) = await EnterAsync(http, tokens, conversations, conversationId).ConfigureAwait(false);
        if (conversation is null)
        {
            return caller.Failure!;
        }

        if (!TryParseWatermark(watermark, out var after))
        {
            return BadWatermark();
        }

        var (activities, _, newWatermark, ended) = await conversation.ReadAfterAsync(after, http.RequestAborted).ConfigureAwait(false);
        if (ended)
        {
            return ConversationNotFound();
        }

        // The feed holds each activity's JSON text: the answer is assembled around it, not re-serialized.
        var json = "{\"activities\":" + activities + ",\"watermark\":\"" + newWatermark.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}";
        return Results.Content(json, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status200OK);
    }

    private static async Task RunTurnAsync(
        HttpContext http, IDirectLineConversation conversation, Activity activity, IBot bot, DirectLineBotAdapter adapter, DirectLineOptions options, ChannelAccount user)
    {
        activity.From ??= user;
        Prepare(http, activity, conversation, options);
        var turn = await conversation.EnterTurnAsync(http.RequestAborted).ConfigureAwait(false);
        await using (turn.ConfigureAwait(false))
        {
            // The turn goes on when the client disconnects: its replies still belong in the feed.
            await adapter.RunTurnAsync(activity, bot.OnTurnAsync, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static Activity Prepare(HttpContext http, Activity activity, IDirectLineConversation conversation, DirectLineOptions options)
    {
        activity.ChannelId = DirectLineBotAdapter.ChannelId;
        activity.Conversation = new ConversationAccount(id: conversation.Id);
        activity.Recipient = BotAccount(options);
        activity.ServiceUrl = $"{http.Request.Scheme}://{http.Request.Host}{BasePath}";
        activity.Timestamp ??= DateTimeOffset.UtcNow;
        return activity;
    }

    private static ChannelAccount BotAccount(DirectLineOptions options) => new(options.BotId, options.BotName, RoleTypes.Bot);

    private static bool IsClientActivityType(string? type) =>
        type is ActivityTypes.Message or ActivityTypes.Event or ActivityTypes.Typing;

    private static JObject ConversationJson(string conversationId, string token, DirectLineTokens tokens, string? streamUrl = null)
    {
        var json = new JObject
        {
            ["conversationId"] = conversationId,
            ["token"] = token,
            ["expires_in"] = (int)tokens.Lifetime.TotalSeconds,
        };
        if (streamUrl is not null)
        {
            json["streamUrl"] = streamUrl;
        }

        return json;
    }

    /// <summary>No watermark (or Azure's "-") means from the start; otherwise one this endpoint returned.</summary>
    private static bool TryParseWatermark(string? watermark, out long? after)
    {
        after = null;
        if (string.IsNullOrEmpty(watermark) || watermark == "-")
        {
            return true;
        }

        if (!long.TryParse(watermark, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        after = parsed;
        return true;
    }

    private static IResult BadWatermark() =>
        Error(HttpStatusCode.BadRequest, "BadArgument", "The watermark must be one returned by this endpoint.");

    private static async Task<string?> ReadUserIdAsync(HttpContext http)
    {
        if (http.Request.ContentLength is null or 0 && http.Request.Headers.TransferEncoding.Count == 0)
        {
            return null;
        }

        var body = await ReadBodyAsync(http.Request, 4096).ConfigureAwait(false);
        try
        {
            var id = body is null ? null : JObject.Parse(body).SelectToken("user.id")?.ToString();
            return string.IsNullOrWhiteSpace(id) || id.Length > 128 ? null : id;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The body as text, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, int maxBytes)
    {
        var buffer = new byte[maxBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        return read > maxBytes ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    private readonly record struct Caller(bool IsSecret, DirectLineToken? Token, IResult? Failure);

    /// <summary>The live conversation this caller may use, or (null, the caller with its 401/403/404 failure).</summary>
    private static async Task<(IDirectLineConversation? Conversation, Caller Caller)> EnterAsync(HttpContext http, DirectLineTokens tokens, IDirectLineConversationStore conversations, string conversationId)
    {
        var caller = AuthenticateFor(http, tokens, conversationId);
        if (caller.Failure is not null)
        {
            return (null, caller);
        }

        var conversation = await conversations.FindAsync(conversationId, http.RequestAborted).ConfigureAwait(false);
        return conversation is null ? (null, caller with { Failure = ConversationNotFound() }) : (conversation, caller);
    }

    /// <summary>A caller allowed into this conversation: the secret, or an unexpired token issued for it (403 otherwise).</summary>
    private static Caller AuthenticateFor(HttpContext http, DirectLineTokens tokens, string conversationId, string? credential = null)
    {
        var caller = Authenticate(http, tokens, openOnLoopback: false, credential);
        if (caller.Failure is null && caller.Token is not null && !string.Equals(caller.Token.ConversationId, conversationId, StringComparison.Ordinal))
        {
            return caller with { Failure = Error(HttpStatusCode.Forbidden, "Forbidden", "This token belongs to another conversation.") };
        }

        return caller;
    }

    /// <summary>The caller by its <c>Authorization: Bearer</c> header, or by <paramref name="credential"/> (a stream URL's <c>t</c>).</summary>
    private static Caller Authenticate(HttpContext http, DirectLineTokens tokens, bool openOnLoopback, string? credential = null)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(credential) && !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // With no secret configured, the secret-level calls are open to this machine only (a development setup).
            return openOnLoopback && !tokens.HasSecret && IsLoopback(http)
                ? new Caller(true, null, null)
                : new Caller(false, null, Error(HttpStatusCode.Unauthorized, "Unauthorized",
                    tokens.HasSecret ? "Send 'Authorization: Bearer <secret or token>'." : "Send 'Authorization: Bearer <token>'; tokens come from /webchat/token."));
        }

        credential = string.IsNullOrEmpty(credential) ? header["Bearer ".Length..].Trim() : credential;
        if (tokens.IsSecret(credential))
        {
            return new Caller(true, null, null);
        }

        if (!tokens.TryRead(credential, out var token) || token is null)
        {
            return new Caller(false, null, Error(HttpStatusCode.Forbidden, "TokenInvalid", "The token is not valid here."));
        }

        return tokens.IsExpired(token)
            ? new Caller(false, null, Error(HttpStatusCode.Forbidden, "TokenExpired", "The token has expired; get a new one."))
            : new Caller(false, token, null);
    }

    /// <summary>A caller on this machine, by the server's one forwarded-headers policy.</summary>
    internal static bool IsLoopback(HttpContext http) => Hosting.ClientAddress.IsLoopback(http);

    /// <summary>503 with Retry-After: the server is at a budget, and nothing live was dropped to make room.</summary>
    private static IResult Busy(HttpContext http, DirectLineRefusal refusal)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(refusal.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", refusal.Reason);
    }

    private static IResult ConversationNotFound() =>
        Error(HttpStatusCode.NotFound, "BadArgument", "This conversation has ended or expired; start a new one.");

    private static IResult Error(HttpStatusCode status, string code, string message) =>
        Json((int)status, new JObject { ["error"] = new JObject { ["code"] = code, ["message"] = message } });

    private static IResult Json(int status, JToken body) =>
        Results.Content(body.ToString(Formatting.None), "application/json", System.Text.Encoding.UTF8, status);
}
