using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Clippings.Embeddings;

/// <summary>
/// Remembers the embedding of each single text (a question) so that asking it again costs no model call; batches
/// (passages at ingest) pass straight through. Registered by <see cref="EmbeddingServiceCollectionExtensions.AddQueryEmbeddingCache"/>.
/// </summary>
public sealed class QueryEmbeddingCache : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, Embedding<float>> _cache = new(StringComparer.Ordinal);

    public QueryEmbeddingCache(IEmbeddingGenerator<string, Embedding<float>> inner)
        : base(inner)
    {
    }

    /// <summary>Distinct texts embedded so far, each by one model call.</summary>
    public int CachedTexts => _cache.Count;

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        if (texts.Count != 1 || options is not null)
        {
            return await base.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
        }

        if (!_cache.TryGetValue(texts[0], out var embedding))
        {
            var generated = await base.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
            embedding = _cache.GetOrAdd(texts[0], generated[0]);
        }

        return new GeneratedEmbeddings<Embedding<float>>([embedding]);
    }
}
