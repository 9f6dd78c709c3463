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
}
