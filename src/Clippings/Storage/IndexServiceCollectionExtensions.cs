using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Storage;

public static class IndexServiceCollectionExtensions
{
    /// <summary>Interim registration until the SQLite and Qdrant indexes land (branch sqlite owns this file).</summary>
    public static IServiceCollection AddArchiveIndex(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IndexOptions>().Bind(configuration.GetSection(IndexOptions.SectionName));
        return services;
    }
}
