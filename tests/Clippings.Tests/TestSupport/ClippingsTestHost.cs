using Clippings.Evaluation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.TestSupport;

/// <summary>The real core services over an index file, configured as a host would (no mocks).</summary>
public static class ClippingsTestHost
{
    public static ServiceProvider Create(string indexPath, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Clippings:Index:Provider"] = "sqlite",
            ["Clippings:Index:Path"] = indexPath,
            ["Clippings:Embeddings:Provider"] = "local",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddClippings(configuration);
        services.AddSingleton<ArchiveEvaluator>();
        return services.BuildServiceProvider();
    }

    public static string TempIndexPath(string name) =>
        Path.Combine(Path.GetTempPath(), "clippings-tests", $"{name}-{Guid.NewGuid():N}.db");
}
