using System.Diagnostics;
using Clippings.Ingestion;
using Clippings.Retrieval;
using Clippings.Server.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;

namespace Clippings.Server.Tests.DirectLine;

/// <summary>
/// Microsoft's Direct Line JS client (botframework-directlinejs 0.15.8, in Node) against the real host on
/// 127.0.0.1: with its default options (the WebSocket stream) and with polling.
/// </summary>
public sealed class DirectLineRealClientTests : IClassFixture<DirectLineClientHost>
{
    private const string Question = "How many oysters will the cooperative harvest each year?";
    private const string OysterArticleUrl = "https://harbourreview.example/table-talk/2025/10/table-talk-oyster-season";
    private readonly DirectLineClientHost _host;
    private readonly ITestOutputHelper _output;

    public DirectLineRealClientTests(DirectLineClientHost host, ITestOutputHelper output)
    {
        _host = host;
        _output = output;
    }

    [NodeFact]
    public async Task DirectLineJsWithDefaultOptionsAnswersOverTheStream()
    {
        var lines = await AskAsync(mode: null);
        var opened = lines.Select(l => (string?)l["websocket"]).OfType<string>().ToList();
        Assert.NotEmpty(opened);
        Assert.All(opened, url => Assert.StartsWith(_host.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/v3/directline/conversations/", url, StringComparison.Ordinal));
        var reply = lines.Single(l => l["reply"] is not null);
        Assert.True((bool)reply["webSocket"]!);
        AssertCitedAnswer(reply);
    }

    [NodeFact]
    public async Task DirectLineJsReconnectsAfterItsSocketDropsAndResumesAfterItsWatermark()
    {
        var lines = await AskAsync(mode: "reconnect");
        var opened = lines.Select(l => (string?)l["websocket"]).OfType<string>().ToList();
        // The second socket comes from the reconnect call: its streamUrl carries the watermark the client had.
        Assert.True(opened.Count >= 2, string.Join('\n', opened));
        Assert.DoesNotContain("watermark=", opened[0], StringComparison.Ordinal);
        Assert.Contains("watermark=", opened[^1], StringComparison.Ordinal);
        var replies = lines.Where(l => l["reply"] is not null).ToList();
        Assert.Equal([1, 2], replies.Select(r => (int)r["round"]!));
        Assert.All(replies, AssertCitedAnswer);
        Assert.Equal(0, (int)replies[^1]["duplicates"]!);
    }

    [NodeFact]
    public async Task DirectLineJsWithPollingAnswersToo()
    {
        var lines = await AskAsync(mode: "poll");
        Assert.DoesNotContain(lines, l => l["websocket"] is not null);
        var reply = lines.Single(l => l["reply"] is not null);
        Assert.False((bool)reply["webSocket"]!);
        AssertCitedAnswer(reply);
    }

    [Browser.ChromiumFact]
    public async Task WebChatCreatedAsMicrosoftDocumentsItAnswersOverTheStreamWithAQuotePopUp()
    {
        var token = await GenerateTokenAsync();
        // Microsoft's documented embedding: createDirectLine with a token and a domain, nothing else (WebSocket on).
        var html = $$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Web Chat defaults</title></head>
            <body style="margin:0"><div id="webchat" style="height:100vh"></div>
            <script src="{{_host.BaseUrl}}/assets/webchat.js"></script>
            <script>
              window.WebChat.renderWebChat({
                directLine: window.WebChat.createDirectLine({ token: '{{token}}', domain: '{{_host.BaseUrl}}/v3/directline' })
              }, document.getElementById('webchat'));
            </script></body></html>
            """;
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Browser.WebsiteHost.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 900, Height = 900 } });
        var sockets = new List<string>();
        page.WebSocket += (_, socket) =>
        {
            sockets.Add(socket.Url);
            socket.FrameReceived += (_, frame) => _output.WriteLine("frame: " + (frame.Text?.Length > 200 ? frame.Text[..200] : frame.Text));
            socket.Close += (_, _) => _output.WriteLine("socket closed");
        };
        page.Console += (_, message) => _output.WriteLine("console " + message.Type + ": " + message.Text);
        // A page loaded from the host (so on loopback: Chromium blocks a page it deems public, such as one Playwright
        // fulfils itself, from opening a loopback socket), then given the documented snippet.
        await page.GotoAsync(_host.BaseUrl + "/health");
        await page.SetContentAsync(html);

        // The welcome arrives over the stream before the reader types.
        var bot = page.Locator(".webchat__bubble:not(.webchat__bubble--from-user)");
        await Microsoft.Playwright.Assertions.Expect(bot.First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var input = page.Locator("[data-id='webchat-sendbox-input']");
        await input.FillAsync(Question);
        await input.PressAsync("Enter");
        var answer = bot.Filter(new() { HasText = "10,000" });
        try
        {
            await Microsoft.Playwright.Assertions.Expect(answer.First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        }
        finally
        {
            await ScreenshotAsync(page, "webchat-defaults-stream");
        }

        Assert.Contains(sockets, url => url.Contains("/v3/directline/conversations/", StringComparison.Ordinal) && url.Contains("/stream?", StringComparison.Ordinal));

        // No embed.js here: the bot's own activities make Web Chat open the quote, with the article linked inside it.
        var marker = answer.First.Locator("button.webchat__render-markdown__citation").First;
        await Microsoft.Playwright.Assertions.Expect(marker).ToHaveTextAsync("1");
        await marker.ClickAsync();
        // [1] quotes the first harvest.
        var dialog = page.GetByRole(Microsoft.Playwright.AriaRole.Dialog).Filter(new() { HasText = "2,300 oysters" });
        try
        {
            await Microsoft.Playwright.Assertions.Expect(dialog).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Microsoft.Playwright.Assertions.Expect(dialog.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Read the article" }))
                .ToHaveAttributeAsync("href", OysterArticleUrl);
        }
        finally
        {
            await ScreenshotAsync(page, "webchat-defaults-citation");
        }
    }

    private async Task ScreenshotAsync(Microsoft.Playwright.IPage page, string name)
    {
        Directory.CreateDirectory(Browser.WebsiteHost.ScreenshotDirectory);
        var screenshot = Path.Combine(Browser.WebsiteHost.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new() { Path = screenshot });
        _output.WriteLine("screenshot: " + screenshot);
    }

    private async Task<string> GenerateTokenAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl) };
        // No secret is configured: tokens/generate is open to this machine, as for a local `serve`.
        using var generated = await http.PostAsync(new Uri("/v3/directline/tokens/generate", UriKind.Relative), null);
        return (string)JObject.Parse(await generated.Content.ReadAsStringAsync())["token"]!;
    }

    private static void AssertCitedAnswer(JObject reply)
    {
        Assert.Contains("10,000", (string)reply["reply"]!, StringComparison.Ordinal);
        var message = ((JArray)reply["entities"]!).Single(e => (string?)e["type"] == "https://schema.org/Message");
        var claims = (JArray)message["citation"]!;
        Assert.NotEmpty(claims);
        Assert.All(claims, claim => Assert.Equal("Claim", (string?)claim["@type"]));
    }

    private async Task<List<JObject>> AskAsync(string? mode)
    {
        foreach (var line in _host.SetupLog)
        {
            _output.WriteLine(line);
        }

        var token = await GenerateTokenAsync();
        string[] arguments = ["ask.js", _host.BaseUrl + "/v3/directline", token, Question, .. mode is null ? Array.Empty<string>() : [mode]];
        var (exitCode, output) = await NodeTools.RunAsync("node", arguments, DirectLineClientHost.ClientsDirectory, TimeSpan.FromSeconds(120));
        _output.WriteLine(output);
        Assert.True(exitCode == 0, $"node ask.js exited {exitCode}:\n{output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{'))
            .Select(JObject.Parse)
            .ToList();
    }
}

/// <summary>The real host on Kestrel (127.0.0.1, a free port) over samples/archive, and the Node clients installed with npm ci.</summary>
public sealed class DirectLineClientHost : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "clippings-client-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public static string ClientsDirectory => NodeTools.ClientsDirectory;

    public string BaseUrl { get; private set; } = "";

    /// <summary>What setting up did (the npm install), for the tests' output.</summary>
    public List<string> SetupLog { get; } = [];

    public async Task InitializeAsync()
    {
        if (NodeTools.MissingReason() is null)
        {
            SetupLog.AddRange(await NodeTools.EnsureClientsInstalledAsync());
        }

        Directory.CreateDirectory(_directory);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Clippings:Index:Provider"] = "sqlite",
            ["Clippings:Index:Path"] = Path.Combine(_directory, "index.db"),
            ["Clippings:Embeddings:Provider"] = "local",
            ["Clippings:Bot:StateStore"] = "memory",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }).Build();
        _app = ClippingsServer.Build(configuration);
        var ingestor = _app.Services.GetRequiredService<ArchiveIngestor>();
        var summary = await ingestor.IngestAsync([Path.Combine(SampleArchiveIndex.RepoRoot, "samples", "archive")], new IngestOptions(), null, CancellationToken.None);
        Assert.True(summary.Failed == 0, summary.ToLine());
        _app.Services.GetRequiredService<ArchiveCatalogProvider>().Invalidate();
        await _app.StartAsync();
        BaseUrl = _app.Urls.Single().TrimEnd('/');
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file briefly; the temp folder is cleaned by the system.
        }
    }
}

/// <summary>A test that runs Node clients: skipped, saying why, when node or npm is not on PATH.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        Skip = NodeTools.MissingReason();
    }
}

internal static class NodeTools
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>The tests' own npm folder: the Direct Line client, the Agents Playground, the Teams manifest schema.</summary>
    public static string ClientsDirectory { get; } = Path.Combine(SampleArchiveIndex.RepoRoot, "tests", "Clippings.Server.Tests", "clients");

    /// <summary>
    /// npm ci into <see cref="ClientsDirectory"/>, once for all fixtures (again when package-lock.json is newer than the
    /// install); returns what it did, for the tests' output. No install scripts run.
    /// </summary>
    public static async Task<IReadOnlyList<string>> EnsureClientsInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var installed = Path.Combine(ClientsDirectory, "node_modules", ".package-lock.json");
            var lockFile = Path.Combine(ClientsDirectory, "package-lock.json");
            if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(lockFile))
            {
                return [$"Test clients already installed in {ClientsDirectory}/node_modules."];
            }

            var log = new List<string> { $"Installing the test clients (botframework-directlinejs, ws, xhr2, @microsoft/m365agentsplayground, @microsoft/app-manifest) with `npm ci --ignore-scripts --no-audit --no-fund` in {ClientsDirectory}…" };
            var (exitCode, output) = await RunAsync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], ClientsDirectory, TimeSpan.FromMinutes(5));
            log.Add(output);
            Assert.True(exitCode == 0, $"npm ci in {ClientsDirectory} exited {exitCode}:\n{output}");
            return log;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    public static string? MissingReason()
    {
        var missing = new[] { "node", "npm" }.Where(tool => !OnPath(tool)).ToList();
        return missing.Count == 0 ? null : $"{string.Join(" and ", missing)} not on PATH (apt-get install nodejs npm): the real-client tests run botframework-directlinejs in Node.";
    }

    /// <summary>Runs a tool to completion within <paramref name="timeout"/> (killed past it), returning its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IReadOnlyList<string> arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bounded = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{tool} timed out after {timeout}\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
}
