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
        services.AddSingleton(sp => CreateArchiveEmbedder(sp, generator => generator));
        return services;
    }

    /// <summary>
    /// Makes the <see cref="ArchiveEmbedder"/> remember the vector of every single text it embeds (questions), for runs that
    /// ask the same questions many times over (`clippings calibrate`). Unbounded: not for a server.
    /// </summary>
    public static IServiceCollection AddQueryEmbeddingCache(this IServiceCollection services)
    {
        services.AddSingleton(sp => CreateArchiveEmbedder(sp, generator => new QueryEmbeddingCache(generator)));
        return services;
    }

    private static ArchiveEmbedder CreateArchiveEmbedder(IServiceProvider sp, Func<IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingGenerator<string, Embedding<float>>> wrap)
    {
        var created = sp.GetRequiredService<EmbeddingGeneratorFactory.Created>();
        var options = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
        return new ArchiveEmbedder(wrap(created.Generator), created.Space, options.QueryPrefix ?? created.DefaultQueryPrefix, options.BatchSize, options.PassageContext);
    }
}
