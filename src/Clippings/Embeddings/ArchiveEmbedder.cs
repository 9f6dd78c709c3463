using Clippings.Storage;
using Microsoft.Extensions.AI;

namespace Clippings.Embeddings;

/// <summary>
/// Embeds passages and queries through the configured <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>,
/// adding the model family's query prefix to queries only, and names the embedding space an index is built in.
/// </summary>
public sealed class ArchiveEmbedder
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly string _queryPrefix;
    private readonly int _batchSize;

    public ArchiveEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, EmbeddingSpace space, string? queryPrefix, int batchSize = 32, bool passageContext = false)
    {
        _generator = generator;
        // Passages embedded with their context live in another space: an index built one way refuses the other.
        Space = passageContext ? space with { EmbedderId = space.EmbedderId + "+" + Ingestion.PassageContext.Version } : space;
        PassageContext = passageContext;
        _queryPrefix = queryPrefix ?? "";
        _batchSize = Math.Max(1, batchSize);
    }

    public EmbeddingSpace Space { get; }

    /// <summary>Passages are embedded with their article's title, authors and section in front (see <see cref="Ingestion.PassageContext"/>).</summary>
    public bool PassageContext { get; }

    public IEmbeddingGenerator<string, Embedding<float>> Generator => _generator;

    public int BatchSize => _batchSize;

    /// <summary>The model family's query prefix, put in front of every query.</summary>
    public string QueryPrefix => _queryPrefix;

    public async Task<ReadOnlyMemory<float>> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        // One question is embedded more than once on its way through (its kind is voted on, then it is searched): the
        // recent ones are remembered, a bounded few, since the model gives the same text the same vector.
        if (_recentQueries.TryGetValue(query, out var known))
        {
            return known;
        }

        var result = await _generator.GenerateAsync([_queryPrefix + query], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (_recentQueries.Count >= RecentQueries)
        {
            _recentQueries.Clear();
        }

        _recentQueries[query] = result[0].Vector;
        return result[0].Vector;
    }

    private const int RecentQueries = 256;

    /// <summary>Benchmarks time a question as new, its embedding included.</summary>
    internal void ForgetRecentQueries() => _recentQueries.Clear();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ReadOnlyMemory<float>> _recentQueries = new(StringComparer.Ordinal);

    /// <summary>Embeds document texts (no prefix), in the generator's batches; order is preserved.</summary>
    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedPassagesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
        {
            return [];
        }

        var result = await _generator.GenerateAsync(texts, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Count != texts.Count)
        {
            throw new ClippingsException($"The embedding model returned {result.Count} vectors for {texts.Count} texts. Check the embedding provider configuration (Clippings:Embeddings).");
        }

        return result.Select(e => e.Vector).ToList();
    }
}
