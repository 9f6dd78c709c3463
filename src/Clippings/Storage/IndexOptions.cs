namespace Clippings.Storage;

/// <summary>Bound from <c>Clippings:Index</c>.</summary>
public sealed class IndexOptions
{
    public const string SectionName = "Clippings:Index";

    /// <summary><c>sqlite</c> (embedded, the default) or <c>qdrant</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite file path (relative paths are relative to the working directory).</summary>
    public string Path { get; set; } = "data/clippings.db";

    /// <summary>Qdrant gRPC endpoint, e.g. http://localhost:6334.</summary>
    public string? Url { get; set; }
    public string? ApiKey { get; set; }
    public string Collection { get; set; } = "clippings";

    public QdrantScaleOptions Qdrant { get; set; } = new();
}

/// <summary>Collection settings passed to Qdrant at creation: scale-out and memory trade-offs.</summary>
public sealed class QdrantScaleOptions
{
    public uint? ShardNumber { get; set; }
    public uint? ReplicationFactor { get; set; }
    public uint? WriteConsistencyFactor { get; set; }
    public bool OnDiskVectors { get; set; }
    /// <summary>Payloads of both collections on disk (passage texts included).</summary>
    public bool OnDiskPayload { get; set; }
    /// <summary>Payload of the docs collection (article texts) on disk; on by default.</summary>
    public bool DocsOnDiskPayload { get; set; } = true;
    /// <summary>int8 scalar quantization of the dense vectors (rescored with the originals).</summary>
    public bool ScalarQuantization { get; set; }
    public int TimeoutSeconds { get; set; } = 30;
    public int MaxRetries { get; set; } = 4;
}
