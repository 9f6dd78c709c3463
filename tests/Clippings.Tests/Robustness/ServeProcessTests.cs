using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Robustness;

/// <summary>
/// `clippings serve` as a real process, the way the README's quickstart runs it: a fresh index is filled from
/// samples/archive, the service answers on 127.0.0.1, and SIGTERM stops it cleanly.
/// </summary>
public sealed partial class ServeProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-serve-").FullName;

    [Fact]
    public async Task ServeIngestsTheSamplesAnswersAndStopsOnSigterm()
    {
        using var process = StartServe("http://127.0.0.1:0");
        var stderr = new StderrLog(process);

        var serving = await stderr.WaitForAsync(ServingLine(), TimeSpan.FromMinutes(4));
        Assert.True(serving is not null, $"serve did not start listening within 4 minutes. stderr:\n{stderr}");
        Assert.Contains("ingesting the sample archive", stderr.ToString(), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(serving.Groups["url"].Value), Timeout = TimeSpan.FromSeconds(60) };

        using (var health = await http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var document = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            Assert.True(document.RootElement.GetProperty("passages").GetInt32() > 0);
        }

        using (var ask = await http.PostAsJsonAsync(new Uri("/api/ask", UriKind.Relative), new { question = "How many passengers did the night bus trial carry?" }))
        {
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
            using var document = JsonDocument.Parse(await ask.Content.ReadAsStringAsync());
            Assert.False(document.RootElement.GetProperty("refused").GetBoolean());
            var citations = document.RootElement.GetProperty("citations").EnumerateArray().ToList();
            Assert.Contains(citations, c => c.GetProperty("title").GetString() == "Night Buses, Counted");
        }

        using (var page = await http.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }

        // Graceful stop, as a service manager or Ctrl+C does it.
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(exited.Token);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task ABusyAddressIsOneClearErrorNotAStackTrace()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        // A non-empty index is not needed to fail fast on the address, but the samples must ingest first: give it time.
        using var process = StartServe($"http://127.0.0.1:{port}");
        var stderr = new StderrLog(process);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        var text = await stderr.CompletedAsync();
        Assert.Contains($"error: Cannot listen on http://127.0.0.1:{port}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A child still closing its files: the temp folder is left for the OS to clean.
        }
    }

    private Process StartServe(string urls)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // From the repository, as the quickstart runs it: that is where samples/archive is found.
            WorkingDirectory = SharedCorpus.RepoRoot,
        };
        foreach (var argument in new[] { CliBinary.Path, "serve", "--urls", urls, "--index", Path.Combine(_folder, "index.db") })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Clippings__Bot__StatePath"] = Path.Combine(_folder, "bot-state.db");
        var process = Process.Start(start)!;
        process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    [GeneratedRegex(@"Clippings is serving on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ServingLine();

    /// <summary>The child's stderr collected line by line, with a wait for a line matching a pattern.</summary>
    private sealed class StderrLog
    {
        private readonly Lock _lock = new();
        private readonly List<string> _lines = [];
        private readonly Task _reading;

        public StderrLog(Process process)
        {
            _reading = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (_lock)
                    {
                        _lines.Add(line);
                    }
                }
            });
        }

        public async Task<Match?> WaitForAsync(Regex pattern, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                lock (_lock)
                {
                    foreach (var line in _lines)
                    {
                        if (pattern.Match(line) is { Success: true } match)
                        {
                            return match;
                        }
                    }
                }

                if (_reading.IsCompleted)
                {
                    return null;
                }

                await Task.Delay(100);
            }

            return null;
        }

        public async Task<string> CompletedAsync()
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(10));
            return ToString();
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}
