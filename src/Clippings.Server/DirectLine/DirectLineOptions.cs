namespace Clippings.Server.DirectLine;

/// <summary>The local Direct Line 3.0 endpoint (<c>Clippings:DirectLine</c>).</summary>
public sealed class DirectLineOptions
{
    public const string SectionName = "Clippings:DirectLine";

    /// <summary>
    /// The secret a publisher's server uses for <c>POST /tokens/generate</c> and <c>POST /conversations</c>.
    /// When empty, those two calls are open to loopback clients only.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>How long a token lives; Web Chat refreshes it every 15 minutes, so keep it longer than that.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A conversation with no activity for this long is forgotten (its tokens then get 404).</summary>
    public TimeSpan ConversationIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Activities kept per conversation; older ones drop off the feed.</summary>
    public int MaxActivitiesPerConversation { get; set; } = 200;

    /// <summary>
    /// Conversations kept in memory; past this the least recently active one idle for <see cref="EvictableAfter"/> is
    /// forgotten, and when none is, a new conversation is refused (503 with Retry-After) rather than ending a live one.
    /// </summary>
    public int MaxConversations { get; set; } = 5000;

    /// <summary>A conversation active more recently than this is never evicted to make room for a new one.</summary>
    public TimeSpan EvictableAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest activity a client may post, in bytes (413 above it).</summary>
    public int MaxActivityBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// Bytes of activities kept per conversation (as stored JSON text); past it the oldest activities the client has
    /// already read go first, then the oldest of all.
    /// </summary>
    public int MaxConversationBytes { get; set; } = 512 * 1024;

    /// <summary>
    /// Bytes of activities kept across all conversations; past it already-read activities of the least recently active
    /// conversations are dropped, and while it is still exceeded new activities get 503 with Retry-After.
    /// </summary>
    public long MaxTotalBytes { get; set; } = 256L * 1024 * 1024;

    public DirectLineRateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// WebSocket streams open at once on one conversation; one more is refused (429). Azure allows one; two leave room
    /// for a client's reconnect while the server has not yet seen its old socket drop.
    /// </summary>
    public int MaxStreamsPerConversation { get; set; } = 2;

    /// <summary>An idle stream sends an empty frame this often, so proxies and clients see the socket is alive.</summary>
    public TimeSpan StreamKeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Origins of pages allowed to call the endpoint from a browser (the pages that paste embed.js).
    /// Empty: any origin (tokens travel in headers, never in cookies).
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>The bot's account in the conversation.</summary>
    public string BotId { get; set; } = "clippings";

    public string BotName { get; set; } = "Clippings";
}

/// <summary>Per-minute limits (fixed one-minute windows; 0 disables one); over a limit: 429 with Retry-After.</summary>
public sealed class DirectLineRateLimitOptions
{
    /// <summary>Activities posted per minute into one conversation (that is, per token).</summary>
    public int ActivitiesPerConversation { get; set; } = 20;

    /// <summary>Activities posted per minute from one client address, across its conversations.</summary>
    public int ActivitiesPerAddress { get; set; } = 60;

    /// <summary>New tokens and conversations (<c>/webchat/token</c>, <c>tokens/generate</c>, <c>conversations</c>) per minute per client address.</summary>
    public int TokensPerAddress { get; set; } = 20;
}
