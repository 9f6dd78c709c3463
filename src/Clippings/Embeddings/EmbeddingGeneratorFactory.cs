using Clippings.Storage;
using Microsoft.Extensions.AI;

namespace Clippings.Embeddings;

/// <summary>Builds the configured embedding generator and names its embedding space.</summary>
public static class EmbeddingGeneratorFactory
{
    public sealed record Created(IEmbeddingGenerator<string, Embedding<float>> Generator, EmbeddingSpace Space, string DefaultQueryPrefix);

    public static Created Create(EmbeddingOptions options)
    {
        return options.Provider.Trim().ToLowerInvariant() switch
        {
            "local" or "" => CreateLocal(options),
            var other => throw new ClippingsException(
                $"Unknown embedding provider '{other}' in Clippings:Embeddings:Provider. Use 'local', 'openai' or 'azure-openai'."),
        };
    }

    private static Created CreateLocal(EmbeddingOptions options) =>
        new(new ArcticEmbeddingGenerator(options.Threads, options.BatchSize), ArcticEmbeddingGenerator.Space, ArcticEmbeddingGenerator.QueryPrefix);
}
