using Clippings.Ingestion.Web;
using Clippings.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>The named HttpClient website sync uses.</summary>
    public const string SyncHttpClient = "Clippings.Sync";

    /// <summary>Registers the archive loader, chunker and the ingest pipeline.</summary>
    public static IServiceCollection AddClippingsIngestion(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ArchiveLoader(sp.GetService<ILogger<ArchiveLoader>>()));
        services.TryAddSingleton(new PassageChunker());
        services.TryAddSingleton<ArchiveIngestor>();
        return services;
    }

    /// <summary>Registers website sync (<c>Clippings:Sync</c>): the polite HTTP client, the per-URL state store and <see cref="WebSync"/>.</summary>
    public static IServiceCollection AddClippingsSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindValidated<SyncOptions>(configuration, SyncOptions.SectionName, rules => rules
            .Range(nameof(SyncOptions.MaxConcurrentRequestsPerHost), o => o.MaxConcurrentRequestsPerHost, 1, 16)
            .Range(nameof(SyncOptions.MaxRetries), o => o.MaxRetries, 0, 10)
            .Range(nameof(SyncOptions.MaxPages), o => o.MaxPages, 1, 10_000_000)
            .Range(nameof(SyncOptions.RequestTimeout), o => o.RequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10))
            .Range(nameof(SyncOptions.RetryDelay), o => o.RetryDelay, TimeSpan.Zero, TimeSpan.FromMinutes(5))
            .Range(nameof(SyncOptions.MaxRetryDelay), o => o.MaxRetryDelay, TimeSpan.Zero, TimeSpan.FromMinutes(30))
            .Range(nameof(SyncOptions.MaxCrawlDelay), o => o.MaxCrawlDelay, TimeSpan.Zero, TimeSpan.FromMinutes(10))
            .Range(nameof(SyncOptions.Interval), o => o.Interval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30))
            .Rule(o => o.ContactUrl is { Length: > 0 } contact && !WebSync.IsWebAddress(contact)
                ? $"{SyncOptions.SectionName}:ContactUrl is '{contact}'; allowed: an http(s) address where site operators can reach you." : null)
            .Rule(o => o.Sources.FirstOrDefault(s => !WebSync.IsWebAddress(s)) is { } bad
                ? $"{SyncOptions.SectionName}:Sources has '{bad}'; allowed: http(s) addresses of sitemaps, feeds or WordPress sites." : null));
        services.AddHttpClient(SyncHttpClient, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxAutomaticRedirections = 10,
            });
        services.TryAddSingleton(sp => new SyncStateStore(StatePath(sp.GetRequiredService<IOptions<SyncOptions>>().Value, sp.GetRequiredService<IOptions<IndexOptions>>().Value)));
        services.TryAddSingleton(sp => new WebSync(
            sp.GetRequiredService<ArchiveIngestor>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SyncHttpClient),
            sp.GetRequiredService<IOptions<SyncOptions>>().Value,
            sp.GetRequiredService<SyncStateStore>(),
            sp.GetRequiredService<ILogger<WebSync>>()));
        return services;
    }

    /// <summary>The state file: the setting, else beside the SQLite index (clippings.db → clippings.sync.db), else data/sync-state.db.</summary>
    public static string StatePath(SyncOptions sync, IndexOptions index) =>
        !string.IsNullOrWhiteSpace(sync.StatePath) ? sync.StatePath
        : string.Equals(index.Provider.Trim(), "qdrant", StringComparison.OrdinalIgnoreCase) ? Path.Combine("data", "sync-state.db")
        : Path.ChangeExtension(index.Path, ".sync.db");
}
