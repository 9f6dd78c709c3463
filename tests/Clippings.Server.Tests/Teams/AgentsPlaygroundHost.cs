using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Clippings.Server.Tests.DirectLine;
using Clippings.Server.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Serilog.Core;

namespace Clippings.Server.Tests.Teams;

/// <summary>
/// The bot on Kestrel (127.0.0.1, a free port) over the sample index, and Microsoft's local Teams client, the
/// Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground, installed in the tests' clients folder),
/// started headless against it: no browser of its own, telemetry off, and bound to 127.0.0.1.
/// </summary>
/// <remarks>
/// The playground has no option or variable for its address (it calls <c>server.listen(port)</c>, all interfaces), so
/// Node preloads <c>clients/loopback-only.cjs</c>, which gives a listen call without a host 127.0.0.1 and refuses
/// connections and name look-ups off loopback; the fixture then checks in /proc/net that the port is bound to
/// loopback only, before any page opens it.
/// </remarks>
public sealed partial class AgentsPlaygroundHost : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "clippings-playground-tests", Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _playgroundOutput = new();
    private WebApplication? _bot;
    private Process? _playground;

    public static string PlaygroundCli => Path.Combine(NodeTools.ClientsDirectory, "node_modules", "@microsoft", "m365agentsplayground", "cli.js");

    public string BotUrl { get; private set; } = "";

    public string PlaygroundUrl { get; private set; } = "";

    public int PlaygroundPort { get; private set; }

    public CapturedLog BotLog { get; } = new();

    /// <summary>What the bot sent the playground's connector and what it answered.</summary>
    public ConcurrentQueue<ConnectorCall> Connector { get; } = new();

    public IServiceProvider BotServices => _bot!.Services;

    public List<string> SetupLog { get; } = [];

    /// <summary>Why the playground tests cannot run here, or null.</summary>
    public static string? MissingReason() =>
        NodeTools.MissingReason()
        ?? (File.Exists(Browser.WebsiteHost.ChromiumPath) ? null : $"{Browser.WebsiteHost.ChromiumPath} is absent (apt-get install chromium): the playground's page is driven in Chromium.");

    /// <summary>What the playground printed so far (its own log goes to a file in its folder).</summary>
    public string PlaygroundOutput
    {
        get
        {
            lock (_playgroundOutput)
            {
                return _playgroundOutput.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        if (MissingReason() is not null)
        {
            return;
        }

        SetupLog.AddRange(await NodeTools.EnsureClientsInstalledAsync());
        Assert.True(File.Exists(PlaygroundCli), $"npm ci did not install the Agents Playground ({PlaygroundCli})");
        Directory.CreateDirectory(_directory);

        var configuration = SampleArchiveIndex.Configuration(await SampleArchiveIndex.PathAsync(), new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Clippings:Bot:StateStore"] = "memory",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Clippings"] = "Information",
        });
        _bot = ClippingsServer.Build(configuration, builder =>
        {
            builder.Services.AddSingleton<ILogEventSink>(BotLog);
            // Each HttpClient pipeline gets its own recorder (a handler instance serves one pipeline), all writing to one log.
            builder.Services.ConfigureAll<HttpClientFactoryOptions>(options =>
                options.HttpMessageHandlerBuilderActions.Add(handlers => handlers.AdditionalHandlers.Add(new ConnectorRecorder(Connector))));
        });
        await _bot.StartAsync();
        BotUrl = _bot.Urls.Single().TrimEnd('/');

        PlaygroundPort = FreeLoopbackPort();
        await StartPlaygroundAsync();
        PlaygroundUrl = $"http://127.0.0.1:{PlaygroundPort}";
        AssertListensOnLoopbackOnly(PlaygroundPort);
    }

    private async Task StartPlaygroundAsync()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--require", Path.Combine(NodeTools.ClientsDirectory, "loopback-only.cjs"),
            PlaygroundCli,
            "--app-endpoint", BotUrl + "/api/messages",
            "--channel-id", "msteams",
            "--port", PlaygroundPort.ToString(CultureInfo.InvariantCulture),
            // Its connector address as the bot sees it (the default names localhost, which may resolve to ::1 first).
            "--service-url", $"http://127.0.0.1:{PlaygroundPort}/_connector",
            "--disable-telemetry",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // No browser of its own (the test drives Chromium), its log file in its own folder, no proxy (it only talks to
        // the bot on loopback), and no Application Insights statsbeat, which probes the cloud metadata address
        // 169.254.169.254 even with telemetry off (the preload refuses that connection anyway).
        start.Environment["TEAMSAPPTESTER_BROWSER"] = "none";
        start.Environment["APPLICATION_INSIGHTS_NO_STATSBEAT"] = "true";
        start.Environment["M365_AGENTS_PLAYGROUND_LOGFILE"] = Path.Combine(_directory, "playground.log");
        foreach (var proxy in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            start.Environment.Remove(proxy);
        }

        _playground = Process.Start(start)!;
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_playgroundOutput)
            {
                _playgroundOutput.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        _playground.OutputDataReceived += (_, e) => Read(e.Data);
        _playground.ErrorDataReceived += (_, e) => Read(e.Data);
        _playground.BeginOutputReadLine();
        _playground.BeginErrorReadLine();
        _playground.EnableRaisingEvents = true;
        _playground.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The Agents Playground exited:\n" + PlaygroundOutput));

        var port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(port == PlaygroundPort, $"The playground listens on {port}, not the port asked for ({PlaygroundPort}):\n{PlaygroundOutput}");
    }

    /// <summary>Reads the kernel's socket tables: the port must be listened on at 127.0.0.1 and on no other address.</summary>
    private static void AssertListensOnLoopbackOnly(int port)
    {
        var listeners = ListeningAddresses(port);
        Assert.True(listeners.Count > 0, $"nothing listens on port {port}");
        Assert.All(listeners, address => Assert.True(IPAddress.IsLoopback(address), $"port {port} is listened on at {address}"));
    }

    internal static List<IPAddress> ListeningAddresses(int port)
    {
        const string listen = "0A";
        var addresses = new List<IPAddress>();
        foreach (var (table, bytes) in new[] { ("/proc/net/tcp", 4), ("/proc/net/tcp6", 16) })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] != listen || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }

                // The kernel prints each 32-bit word of the address in host (little-endian) order.
                var raw = Convert.FromHexString(local[0]);
                for (var word = 0; word < bytes; word += 4)
                {
                    Array.Reverse(raw, word, 4);
                }

                addresses.Add(new IPAddress(raw));
            }
        }

        return addresses;
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (_playground is { HasExited: false })
        {
            _playground.Kill(entireProcessTree: true);
            await _playground.WaitForExitAsync();
        }

        _playground?.Dispose();
        if (_bot is not null)
        {
            await _bot.StopAsync();
            await _bot.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The playground's log may still be open; the temp folder is cleaned by the system.
        }
    }

    [GeneratedRegex(@"Listening on (\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>One request the bot made (to the playground's connector) and its response.</summary>
public sealed record ConnectorCall(string Method, Uri Url, string RequestBody, int Status, string ResponseBody);

/// <summary>Records the bot's outgoing calls and refuses any that would leave the machine.</summary>
internal sealed class ConnectorRecorder(ConcurrentQueue<ConnectorCall> calls) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.RequestUri!.IsLoopback)
        {
            throw new HttpRequestException($"The bot under test called {request.RequestUri.Host}: only loopback is allowed.");
        }

        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        var answer = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
        calls.Enqueue(new ConnectorCall(request.Method.Method, request.RequestUri, body, (int)response.StatusCode, answer));
        return response;
    }
}

/// <summary>A test that drives the Agents Playground: skipped, saying why, without node/npm or Chromium.</summary>
public sealed class AgentsPlaygroundFactAttribute : FactAttribute
{
    public AgentsPlaygroundFactAttribute()
    {
        Skip = AgentsPlaygroundHost.MissingReason();
    }
}
