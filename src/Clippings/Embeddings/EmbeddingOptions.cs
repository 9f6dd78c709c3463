namespace Clippings.Embeddings;

/// <summary>Bound from <c>Clippings:Embeddings</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string SectionName = "Clippings:Embeddings";

    /// <summary><c>local</c> (snowflake-arctic-embed-xs, offline; the default), <c>openai</c>, <c>azure-openai</c> or <c>openai-compatible</c>.</summary>
    public string Provider { get; set; } = "local";

    /// <summary>Model id for OpenAI / deployment name for Azure OpenAI.</summary>
    public string? Model { get; set; }
    public string? Endpoint { get; set; }
    public string? ApiKey { get; set; }

    /// <summary>Vector size requested from providers that support shortening (OpenAI text-embedding-3-*).</summary>
    public int? Dimensions { get; set; }

    /// <summary>Prefix added to queries (the Arctic family expects one; documents get none).</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>How many passages are sent to the encoder at once.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Longest wait for one embedding call to a remote provider.</summary>
    public double TimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// Embed each passage with its article's title, authors and section in front ("title — authors. section.").
    /// Off by default: measured on three archives it lifts the plain dense baseline a lot but not the full pipeline on every
    /// archive (README, Evaluation). A different embedding text is a different embedding space: turn it on for a new index.
    /// </summary>
    public bool PassageContext { get; set; }

    /// <summary>ONNX Runtime intra-op threads for the local model; 0 = one per core.</summary>
    public int Threads { get; set; }
}
