using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Clippings.Server.Tests.TestSupport;

/// <summary>
/// The real service (<see cref="ClippingsServer.Build"/>) on an in-memory test server over the sample index.
/// A request may claim a remote address with <see cref="RemoteIpHeader"/> (a test server has none), to act as a non-loopback client.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    public const string RemoteIpHeader = "X-Test-Remote-Ip";

    private ServerHost(WebApplication app, CapturedLog log)
    {
        App = app;
        Log = log;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public CapturedLog Log { get; }

    public static async Task<ServerHost> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Clippings"] = "Information",
            ["Serilog:MinimumLevel:Override:Serilog.AspNetCore"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var log = new CapturedLog();
        var configuration = SampleArchiveIndex.Configuration(await SampleArchiveIndex.PathAsync(), values);
        var app = ClippingsServer.Build(configuration, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<ILogEventSink>(log);
            builder.Services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>();
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new ServerHost(app, log);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[RemoteIpHeader].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Every log event the server wrote, with its properties.</summary>
public sealed class CapturedLog : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToList();

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>The request log line is written after the response reaches the client: wait for it briefly.</summary>
    public async Task<bool> WaitForAsync(Func<LogEvent, bool> predicate, int milliseconds = 5000)
    {
        for (var waited = 0; waited < milliseconds; waited += 50)
        {
            if (_events.Any(predicate))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    public static string? Property(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var value) ? (value as ScalarValue)?.Value?.ToString() : null;
}

/// <summary>
/// Stands in for the network under every HttpClient the host makes: it records each request and answers it itself
/// (a 200 with <c>{}</c> for loopback hosts, a connection failure for any other), so nothing ever leaves the machine.
/// </summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Uri> _requests = new();

    public IReadOnlyList<Uri> Requests => [.. _requests];

    public void Install(IServiceCollection services) =>
        services.ConfigureAll<Microsoft.Extensions.Http.HttpClientFactoryOptions>(options =>
            options.HttpMessageHandlerBuilderActions.Add(builder => builder.PrimaryHandler = this));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request.RequestUri!);
        if (!request.RequestUri!.IsLoopback)
        {
            throw new HttpRequestException("RecordingHandler: no traffic leaves the machine in tests.");
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
    }
}
