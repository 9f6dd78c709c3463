using Clippings.Evaluation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;

namespace Clippings.Cli;

/// <summary>
/// Builds configuration (appsettings.json, then <c>Clippings__…</c> environment variables, then command options)
/// and the core's services for one command. Logs go to stderr so stdout stays clean for answers and JSON.
/// </summary>
internal static class CliHost
{
    public static IConfigurationRoot BuildConfiguration(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        foreach (var file in SettingsFiles())
        {
            builder.AddJsonFile(file, optional: true, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables();
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides.Where(o => o.Value is not null));
        }

        return builder.Build();
    }

    /// <param name="configure">Registrations a command adds to (or overrides in) the core's.</param>
    public static ServiceProvider BuildServices(IConfiguration configuration, bool verbose, Action<IServiceCollection>? configure = null)
    {
        var logger = CreateLogger(configuration, verbose);
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(logging => logging.AddSerilog(logger, dispose: true));
        services.AddClippings(configuration);
        services.AddSingleton<ArchiveEvaluator>();
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
        // What a host's ValidateOnStart does: every option checked before the command runs (CliRunner prints the failure).
        provider.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
        return provider;
    }

    public static Serilog.ILogger CreateLogger(IConfiguration configuration, bool verbose)
    {
        var loggerConfiguration = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .MinimumLevel.Override("Clippings", verbose ? LogEventLevel.Information : LogEventLevel.Warning)
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: "[{Level:u3}] {Message:lj}{NewLine}{Exception}");
        return loggerConfiguration.CreateLogger();
    }

    /// <summary>appsettings.json of the install folder, then of the working directory (which wins).</summary>
    private static IEnumerable<string> SettingsFiles()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"),
        };
        return candidates.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Where(File.Exists);
    }

    /// <summary>Where the bundled sample archive is: beside the working directory or up from the install folder.</summary>
    public static string? FindSampleArchive() => FindRepositoryFolder("samples", "archive");

    /// <summary>A folder of the repository (samples/archive, teams): in the working directory or a parent, else up from the install folder.</summary>
    public static string? FindRepositoryFolder(params string[] parts)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null)
            {
                var candidate = Path.Combine([dir.FullName, .. parts]);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }

                dir = dir.Parent;
            }
        }

        return null;
    }
}
