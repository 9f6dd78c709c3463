using Clippings.Server.Api;
using Clippings.Server.Bot;
using Clippings.Server.Hosting;
using Clippings.Server.State;
using Clippings.Server.Website;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Core;

namespace Clippings.Server;

/// <summary>
/// The service's one public entry: <see cref="Build"/> for hosts (the <c>serve</c> verb, tests), or
/// <see cref="AddClippingsServer"/> + <see cref="MapClippingsServer"/> to compose it into another app.
/// </summary>
public static class ClippingsServer
{
    private const int WorkerThreadsPerCore = 16;

    /// <summary>
    /// Builds the web application from <paramref name="configuration"/> (added over ASP.NET Core's defaults).
    /// <paramref name="configure"/> runs before the services are added (tests use it for a test server or extra settings).
    /// </summary>
    public static WebApplication Build(IConfiguration? configuration = null, Action<WebApplicationBuilder>? configure = null, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ApplicationName = typeof(ClippingsServer).Assembly.GetName().Name,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        configure?.Invoke(builder);
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
            // Extra sinks registered as services (e.g. by tests or an embedding host) receive the same events.
            foreach (var sink in services.GetServices<ILogEventSink>())
            {
                logger.WriteTo.Sink(sink);
            }
        }, preserveStaticLogger: true); // this app's logger, not the process-wide Log.Logger: several apps may share a process
        builder.Services.AddClippingsServer(builder.Configuration);

        var app = builder.Build();
        app.MapClippingsServer();
        EnsureWorkerThreads();
        return app;
    }

    /// <summary>
    /// Answers run synchronous CPU work on pool threads (ONNX inference, SQLite reads), and the thread pool adds threads
    /// slowly once they are all busy, so short requests (health checks, pages, scripts) queued behind answers. Starting
    /// with <see cref="WorkerThreadsPerCore"/> threads per core keeps them prompt: `bench load` measured health p95 at
    /// 8–32 clients drop from 95–122 ms to 4–7 ms at the same throughput.
    /// </summary>
    private static void EnsureWorkerThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        var wanted = Environment.ProcessorCount * WorkerThreadsPerCore;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, completionPorts);
        }
    }

    /// <summary>The core, the bot, the JSON API and the website (Direct Line + Web Chat), configured from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddClippingsServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddClippings(configuration);
        services.AddClientAddressPolicy(configuration);
        // Problem responses carry the request's correlation id, the key to its log events.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["correlationId"] = context.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ClippingsExceptionHandler>();
        // Before the bot and the website: their in-process stores are the defaults when no shared one is registered.
        services.AddClippingsState(configuration);
        services.AddClippingsBot(configuration);
        services.AddClippingsApi(configuration);
        services.AddClippingsWeb(configuration);
        services.AddHostedService<ArchiveWarmUpService>();
        services.AddSingleton<SyncStatus>();
        services.AddHostedService<SiteSyncService>();
        return services;
    }

    private static bool IsRoutine(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v3/directline/conversations", StringComparison.OrdinalIgnoreCase) && path.Value!.EndsWith("/activities", StringComparison.OrdinalIgnoreCase);

    /// <summary>Middleware and endpoints: correlation ids, request logging, errors as ProblemDetails, bot, API, health, website.</summary>
    public static WebApplication MapClippingsServer(this WebApplication app)
    {
        // First: every later rule (loopback checks, rate-limit partitions, logs) sees the client the trusted proxies name.
        app.UseForwardedHeaders();
        app.UseMiddleware<CorrelationIdMiddleware>();
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0} ms";
            options.Logger = app.Services.GetService<Serilog.ILogger>();
            // Web Chat polls its conversation about once a second and monitors poll /health: successful ones are Debug,
            // or one reader would fill the log with a line a second. Errors and slow requests keep their levels.
            options.GetLevel = (context, elapsedMs, exception) =>
                exception is not null || context.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
                : context.Response.StatusCode < 400 && elapsedMs < 1000 && HttpMethods.IsGet(context.Request.Method) && IsRoutine(context.Request.Path)
                    ? Serilog.Events.LogEventLevel.Debug
                    : Serilog.Events.LogEventLevel.Information;
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseClippingsApi();
        app.MapBotEndpoint();
        app.MapClippingsApi();
        app.MapClippingsWeb();
        return app;
    }
}
