using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Clippings.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Registers the archive loader, chunker and the ingest pipeline.</summary>
    public static IServiceCollection AddClippingsIngestion(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ArchiveLoader(sp.GetService<ILogger<ArchiveLoader>>()));
        services.TryAddSingleton(new PassageChunker());
        services.TryAddSingleton<ArchiveIngestor>();
        return services;
    }
}
