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

    /// <summary>Conversations kept in memory; past this the least recently active one is forgotten.</summary>
    public int MaxConversations { get; set; } = 5000;

    /// <summary>Largest activity a client may post, in bytes.</summary>
    public int MaxActivityBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// Origins of pages allowed to call the endpoint from a browser (the pages that paste embed.js).
    /// Empty: any origin (tokens travel in headers, never in cookies).
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>The bot's account in the conversation.</summary>
    public string BotId { get; set; } = "clippings";

    public string BotName { get; set; } = "Clippings";
}
