using Clippings.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Storage;

public static class IndexServiceCollectionExtensions
{
    /// <summary>
    /// Registers the archive index chosen by <c>Clippings:Index:Provider</c>: <c>sqlite</c> (embedded file, the default)
    /// or <c>qdrant</c> (a Qdrant server or cluster).
    /// </summary>
    public static IServiceCollection AddArchiveIndex(this IServiceCollection services, IConfiguration configuration)
    {
        services.BindValidated<IndexOptions>(configuration, IndexOptions.SectionName, rules => rules
            .OneOf(nameof(IndexOptions.Provider), o => o.Provider, "sqlite", "qdrant", "")
            .Rule(o => !string.Equals(o.Provider.Trim(), "qdrant", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(o.Path)
                ? $"{IndexOptions.SectionName}:Path is ''; allowed: a file path such as data/clippings.db." : null)
            .Range("Qdrant:TimeoutSeconds", o => o.Qdrant.TimeoutSeconds, 1, 3600)
            .Range("Qdrant:MaxRetries", o => o.Qdrant.MaxRetries, 0, 20));
        services.AddSingleton<IArchiveIndex>(sp => Create(sp.GetRequiredService<IOptions<IndexOptions>>().Value, sp));
        return services;
    }

    public static IArchiveIndex Create(IndexOptions options, IServiceProvider services) =>
        options.Provider.Trim().ToLowerInvariant() switch
        {
            "sqlite" or "" => new FaultReportingIndex(new SqliteArchiveIndex(options.Path, services.GetService<ILogger<SqliteArchiveIndex>>())),
            "qdrant" => Qdrant.QdrantIndexFactory.Create(options, services),
            var other => throw new ClippingsException($"Unknown index provider '{other}' in Clippings:Index:Provider. Use 'sqlite' (embedded) or 'qdrant'."),
        };
}
