using Clippings.ModelServices;
using Clippings.Storage;
using Microsoft.Extensions.AI;

namespace Clippings.Embeddings;

/// <summary>Builds the configured embedding generator and names its embedding space.</summary>
public static class EmbeddingGeneratorFactory
{
    public sealed record Created(IEmbeddingGenerator<string, Embedding<float>> Generator, EmbeddingSpace Space, string DefaultQueryPrefix);

    private const string Allowed = "'local', 'openai', 'azure-openai' or 'openai-compatible'";

    /// <summary>Vector sizes of the OpenAI embedding models, so the index can be checked before the first call.</summary>
    private static readonly Dictionary<string, int> KnownDimensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text-embedding-3-small"] = 1536,
        ["text-embedding-3-large"] = 3072,
        ["text-embedding-ada-002"] = 1536,
    };

    public static Created Create(EmbeddingOptions options)
    {
        var provider = options.Provider.Trim().ToLowerInvariant();
        return provider switch
        {
            "local" or "" => CreateLocal(options),
            "openai" or "azure-openai" or "openai-compatible" => CreateRemote(provider, options),
            _ => throw new ClippingsException($"Unknown embedding provider '{options.Provider}' in Clippings:Embeddings:Provider. Use {Allowed}."),
        };
    }

    private static Created CreateLocal(EmbeddingOptions options) =>
        new(new ArcticEmbeddingGenerator(options.Threads, options.BatchSize), ArcticEmbeddingGenerator.Space, ArcticEmbeddingGenerator.QueryPrefix);

    /// <summary>
    /// OpenAI / Azure OpenAI / compatible embeddings through Microsoft.Extensions.AI. The space is
    /// "provider:model" with the configured or known vector size, so an index built with another model is refused.
    /// </summary>
    private static Created CreateRemote(string provider, EmbeddingOptions options)
    {
        var endpoint = new ModelEndpoint(EmbeddingOptions.SectionName, provider, options.Endpoint, options.Model, options.ApiKey, Allowed);
        var client = OpenAIClientFactory.Create(endpoint, TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)), sdkRetries: null);
        var dimensions = options.Dimensions
            ?? (KnownDimensions.TryGetValue(options.Model!, out var known) ? known : (int?)null)
            ?? throw new ClippingsException($"Clippings:Embeddings:Dimensions is not set and the vector size of model '{options.Model}' is not known. Set it to the size the model returns (e.g. 768 for nomic-embed-text).");

        // Only ask for a size when one was configured: older models reject the parameter.
        var generator = client.GetEmbeddingClient(options.Model).AsIEmbeddingGenerator(options.Dimensions);
        return new Created(generator, new EmbeddingSpace($"{provider}:{options.Model}", dimensions), "");
    }
}
