using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Clippings.Server;
using Clippings.Server.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// Several instances behind one address: two servers (the <c>serve</c> host, Kestrel on 127.0.0.1) sharing a
/// redis-server this bench starts (random port, temporary folder, stopped by PID), asked alternately, against one
/// server with memory state in the same run on the same index and traffic. Each client keeps a conversation
/// (<c>POST /api/ask</c> with a conversation id: state read and written per answer) and the per-client rate limit is on
/// (counted in Redis when shared). Redis round trips per answer: commands Redis processed (INFO stats) ÷ answers.
/// </summary>
internal sealed class SharedStateLoadBenchmark(string indexPath, LoadSettings load, TextWriter log)
{
    private const int Clients = 8;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var redisServer = FindRedisServer();
        if (redisServer is null)
        {
            const string missing = "## Shared state (two instances and Redis)\n\nNot measured: redis-server is not installed (apt-get install redis-server).\n";
            await log.WriteLineAsync("shared-state: redis-server not found; skipped");
            return missing;
        }

        var folder = Directory.CreateTempSubdirectory("clippings-bench-redis-").FullName;
        var port = FreePort();
        using var redis = StartRedis(redisServer, port, folder);
        try
        {
            await WaitForRedisAsync(port, cancellationToken);
            await using var memory = await StartServerAsync(null, cancellationToken);
            await using var first = await StartServerAsync($"127.0.0.1:{port}", cancellationToken);
            await using var second = await StartServerAsync($"127.0.0.1:{port}", cancellationToken);
            var questions = await LoadBenchmark.QuestionsAsync(memory.Services, cancellationToken);
            await log.WriteLineAsync($"shared-state: memory server {memory.Urls.First()}, shared servers {first.Urls.First()} and {second.Urls.First()}, Redis on 127.0.0.1:{port}");

            using var memoryClient = Client(memory);
            using var firstClient = Client(first);
            using var secondClient = Client(second);
            // The bench's own connection, allowed INFO (the servers' connections are not admin connections).
            await using var redisInfo = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true");

            // Warm-up, not recorded: each path once per question.
            foreach (var client in new[] { memoryClient, firstClient, secondClient })
            {
                await RunLevelAsync([client], questions, "warmup", Math.Min(load.MaxRequests, questions.Count * 2), cancellationToken);
            }

            var memoryResult = await RunLevelAsync([memoryClient], questions, "memory", load.MaxRequests, cancellationToken);
            await log.WriteLineAsync($"shared-state: memory, {Clients} clients: {memoryResult.Requests} requests, {memoryResult.Errors} errors, p95 {Stats.F(memoryResult.Latency.P95)} ms");
            var connections = new[] { first, second }.Select(app => app.Services.GetRequiredService<RedisState>().Connection).ToList();
            var operationsBefore = connections.Sum(c => c.GetCounters().Interactive.OperationCount);
            var before = await CommandCountsAsync(redisInfo);
            var sharedResult = await RunLevelAsync([firstClient, secondClient], questions, "shared", load.MaxRequests, cancellationToken);
            var after = await CommandCountsAsync(redisInfo);
            var roundTrips = connections.Sum(c => c.GetCounters().Interactive.OperationCount) - operationsBefore;
            var byCommand = after.Select(c => (Command: c.Key, Calls: c.Value - before.GetValueOrDefault(c.Key)))
                .Where(c => c.Calls > 0 && c.Command != "info").OrderByDescending(c => c.Calls).ToList();
            var commands = byCommand.Sum(c => c.Calls);
            await log.WriteLineAsync($"shared-state: two instances + Redis, {Clients} clients: {sharedResult.Requests} requests, {sharedResult.Errors} errors, p95 {Stats.F(sharedResult.Latency.P95)} ms, {commands} Redis commands");
            return Report(questions.Count, memoryResult, sharedResult, roundTrips, commands, byCommand);
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<WebApplication> StartServerAsync(string? redis, CancellationToken cancellationToken)
    {
        var overrides = CommonOptions.Overrides(indexPath);
        overrides["urls"] = "http://127.0.0.1:0";
        overrides["Serilog:MinimumLevel:Default"] = "Warning";
        // On, and far above what the bench sends: the limiter's counting is part of what is measured.
        overrides["Clippings:Api:RateLimit:PermitsPerMinute"] = "1000000";
        if (redis is not null)
        {
            overrides["Clippings:State:Provider"] = "redis";
            overrides["Clippings:State:Redis"] = redis;
        }

        var app = ClippingsServer.Build(CliHost.BuildConfiguration(overrides));
        await SampleArchive.IngestIfEmptyAsync(app.Services, log, cancellationToken);
        await app.StartAsync(cancellationToken);
        return new Uri(app.Urls.First()).IsLoopback ? app : throw new ClippingsException("bench load: a server listens beyond 127.0.0.1.");
    }

    private static HttpClient Client(WebApplication app) => new() { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary><see cref="Clients"/> clients, each with its own conversation, request n going to server n mod count.</summary>
    private async Task<LoadLevelResult> RunLevelAsync(HttpClient[] servers, IReadOnlyList<string> questions, string run, int maxRequests, CancellationToken cancellationToken)
    {
        var recorder = new LoadLevelRecorder(Clients, maxRequests, load.Duration);
        recorder.Start();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var conversation = $"bench-{run}-{client}-{Guid.NewGuid():N}";
            while (recorder.TryTakeRequest(out var sequence))
            {
                var stopwatch = Stopwatch.StartNew();
                string? error = null;
                try
                {
                    using var response = await servers[sequence % servers.Length].PostAsJsonAsync("/api/ask",
                        new { question = questions[sequence % questions.Count], conversationId = conversation }, cancellationToken);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    if (!response.IsSuccessStatusCode)
                    {
                        error = $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 200)]}";
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    error = $"{ex.GetType().Name}: {ex.Message}";
                }

                recorder.RecordRequest(stopwatch.Elapsed.TotalMilliseconds, error);
            }
        }, cancellationToken)));
        recorder.Stop();
        return recorder.Result();
    }

    /// <summary>Calls per command Redis has processed (INFO commandstats: <c>cmdstat_get: calls=12,usec=…</c>).</summary>
    private static async Task<Dictionary<string, long>> CommandCountsAsync(ConnectionMultiplexer redis)
    {
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var stats = await server.InfoAsync("commandstats");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in stats.SelectMany(group => group))
        {
            var calls = value.Split(',').FirstOrDefault(part => part.StartsWith("calls=", StringComparison.Ordinal));
            if (key.StartsWith("cmdstat_", StringComparison.Ordinal) && calls is not null)
            {
                counts[key["cmdstat_".Length..]] = long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
            }
        }

        return counts;
    }

    private string Report(int questions, LoadLevelResult memory, LoadLevelResult shared, long roundTrips, long commands, IReadOnlyList<(string Command, long Calls)> byCommand)
    {
        var md = new StringBuilder();
        md.AppendLine("## Shared state (two instances and Redis)").AppendLine();
        md.AppendLine("Two servers (the `serve` host, Kestrel on 127.0.0.1) with `Clippings:State:Provider = redis` sharing one local redis-server");
        md.AppendLine("(started by the bench, no persistence), requests alternating between them, against one server with memory state");
        md.AppendLine(CultureInfo.InvariantCulture, $"in the same run, same index and traffic: {Clients} clients back to back, each with its own conversation (`POST /api/ask` with a");
        md.AppendLine(CultureInfo.InvariantCulture, $"`conversationId`: the state is read and written per answer), cycling through {questions} questions; the API rate limit on (1,000,000 a");
        md.AppendLine(CultureInfo.InvariantCulture, $"minute: counted, never reached). Each run {load.Duration.TotalSeconds:0} s or {load.MaxRequests:N0} requests. All three servers run in this one process on the");
        md.AppendLine("same 2 cores, so two instances add no CPU: the ratio is the cost of shared state, not the gain of scaling out.");
        md.AppendLine();
        md.AppendLine("| state | requests | errors | req/s | p50 | p95 | p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| memory, one instance (baseline) | {memory.Requests:N0} | {memory.Errors} | {Stats.F(memory.Throughput)} | {Stats.F(memory.Latency.P50)} | {Stats.F(memory.Latency.P95)} | {Stats.F(memory.Latency.P99)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Redis, two instances alternating | {shared.Requests:N0} | {shared.Errors} | {Stats.F(shared.Throughput)} | {Stats.F(shared.Latency.P50)} | {Stats.F(shared.Latency.P95)} | {Stats.F(shared.Latency.P99)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| ratio (Redis ÷ memory) | | | {shared.Throughput / memory.Throughput:F2}× | {shared.Latency.P50 / memory.Latency.P50:F2}× | {shared.Latency.P95 / memory.Latency.P95:F2}× | {shared.Latency.P99 / memory.Latency.P99:F2}× |");
        md.AppendLine();
        var answers = Math.Max(1, shared.Requests);
        md.AppendLine(CultureInfo.InvariantCulture, $"Redis round trips during the shared run (operations the two servers' connections sent, StackExchange.Redis counters): {roundTrips:N0},");
        md.AppendLine(CultureInfo.InvariantCulture, $"**{(double)roundTrips / answers:F1} per answer**. Commands Redis ran (INFO commandstats, counting those inside scripts; the bench's own INFO left out): {commands:N0},");
        md.AppendLine(CultureInfo.InvariantCulture, $"{(double)commands / answers:F1} per answer: {string.Join(", ", byCommand.Select(c => $"`{c.Command}` {(double)c.Calls / answers:F2}"))}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Errors (target 0): memory {memory.Errors}, shared {shared.Errors}.");
        foreach (var sample in memory.ErrorSamples.Concat(shared.ErrorSamples).Take(5))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{sample.ReplaceLineEndings(" ")}`");
        }

        return md.ToString();
    }

    private static string? FindRedisServer() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin")
            .Select(folder => Path.Combine(folder, "redis-server")).FirstOrDefault(File.Exists);

    private static Process StartRedis(string executable, int port, string folder)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no", "--logfile", "" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new ClippingsException("bench load: redis-server did not start.");
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    private static async Task WaitForRedisAsync(int port, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new ClippingsException($"bench load: redis-server did not answer on 127.0.0.1:{port}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
