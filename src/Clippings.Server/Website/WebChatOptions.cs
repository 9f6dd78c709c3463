namespace Clippings.Server.Website;

/// <summary>The reader-facing website: demo page, embed snippet and which Direct Line Web Chat talks to (<c>Clippings:WebChat</c>).</summary>
public sealed class WebChatOptions
{
    public const string SectionName = "Clippings:WebChat";

    public const string AzureDefaultEndpoint = "https://directline.botframework.com/v3/directline";

    /// <summary><c>local</c> (the endpoint Clippings serves itself) or <c>azure</c> (Azure Bot Service's Direct Line).</summary>
    public string DirectLine { get; set; } = "local";

    /// <summary>The Azure Bot Service Direct Line secret (Azure portal → the bot → Channels → Direct Line); kept on the server.</summary>
    public string? AzureSecret { get; set; }

    /// <summary>Azure's Direct Line base URL; a regional one (e.g. europe.directline.botframework.com) when the bot needs it.</summary>
    public string AzureEndpoint { get; set; } = AzureDefaultEndpoint;

    /// <summary>The publication name on the demo page; by default the publication most articles in the index name.</summary>
    public string? PublicationName { get; set; }

    public bool UsesAzure => string.Equals(DirectLine, "azure", StringComparison.OrdinalIgnoreCase);
}
