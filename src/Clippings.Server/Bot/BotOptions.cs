namespace Clippings.Server.Bot;

/// <summary>Bound from <c>Clippings:Bot</c>.</summary>
public sealed class BotOptions
{
    public const string SectionName = "Clippings:Bot";

    /// <summary>Where conversation state lives: <c>memory</c> (default, lost on restart) or <c>sqlite</c> (a file that survives restarts).</summary>
    public string StateStore { get; set; } = "memory";

    /// <summary>The SQLite file for <c>StateStore = sqlite</c>.</summary>
    public string StatePath { get; set; } = "data/bot-state.db";

    /// <summary>Follow-up questions offered as buttons under an answer.</summary>
    public int SuggestedActions { get; set; } = 3;

    /// <summary>Teams streaming: the least time between two updates of a streamed answer (Teams throttles faster senders).</summary>
    public int StreamUpdateIntervalMs { get; set; } = 1500;

    /// <summary>
    /// Hosts the bot may send replies to (a <c>serviceUrl</c> host equal to one of these or under it) when an app id is
    /// configured. Empty: <see cref="DefaultServiceUrlHosts"/>, the Bot Framework and Teams channels' hosts.
    /// </summary>
    public IList<string> AllowedServiceUrls { get; } = [];

    /// <summary>Largest <c>/api/messages</c> body read, checked before the body is parsed (413 above it).</summary>
    public int MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>The channels' reply hosts (public cloud and US government): where Azure Bot Service and Teams send from.</summary>
    public static IReadOnlyList<string> DefaultServiceUrlHosts { get; } =
        ["botframework.com", "trafficmanager.net", "teams.microsoft.com", "botframework.us", "botframework.azure.us", "infra.gov.teams.microsoft.us"];

    /// <summary>The configured hosts, else the defaults (the binder appends to a pre-filled list, so defaults live apart).</summary>
    public IReadOnlyList<string> EffectiveServiceUrlHosts => AllowedServiceUrls.Count > 0 ? [.. AllowedServiceUrls] : DefaultServiceUrlHosts;
}
