using Clippings.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clippings.Embeddings;

public static class EmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedding generator chosen by <c>Clippings:Embeddings:Provider</c> (local ONNX by default)
    /// and the <see cref="ArchiveEmbedder"/> over it.
    /// </summary>
    public static IServiceCollection AddClippingsEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindValidated<EmbeddingOptions>(configuration, EmbeddingOptions.SectionName, rules => rules
            .Range(nameof(EmbeddingOptions.BatchSize), o => o.BatchSize, 1, 2048)
            .Range(nameof(EmbeddingOptions.TimeoutSeconds), o => o.TimeoutSeconds, 1, 3600)
            .Range(nameof(EmbeddingOptions.Threads), o => o.Threads, 0, 256, "0 (one per core) to 256")
            .Rule(o => o.Dimensions is <= 0 or > 65536 ? $"{EmbeddingOptions.SectionName}:Dimensions is '{o.Dimensions}'; allowed: 1 to 65536, or unset." : null));
        services.AddSingleton(sp => EmbeddingGeneratorFactory.Create(sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<EmbeddingGeneratorFactory.Created>().Generator);
        services.AddSingleton(sp =>
        {
            var created = sp.GetRequiredService<EmbeddingGeneratorFactory.Created>();
            var options = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            return new ArchiveEmbedder(created.Generator, created.Space, options.QueryPrefix ?? created.DefaultQueryPrefix, options.BatchSize, options.PassageContext);
        });
        return services;
    }
}
