using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Clippings.Answering;
using Clippings.Retrieval;
using Clippings.Server;
using Clippings.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Benchmarks;

/// <summary>How hard <c>bench load</c> pushes: the concurrency levels, and each level's duration and request cap.</summary>
internal sealed record LoadSettings(IReadOnlyList<int> Clients, TimeSpan Duration, int MaxRequests);

/// <summary>
/// The real server (the same host as <c>serve</c>) started in this process on 127.0.0.1 with a random port, asked
/// <c>POST /api/ask</c> by 1, 8, 32 and 64 concurrent clients for a bounded time each, while <c>GET /health</c> is polled
/// every 250 ms. Baselines in the same run: the 1-client level for throughput, and <c>ArchiveAssistant.AskAsync</c>
/// called in-process (no HTTP) on the same questions for the HTTP overhead.
/// </summary>
internal sealed class LoadBenchmark(BenchSettings settings, LoadSettings load, TextWriter log)
{
    private static readonly TimeSpan HealthInterval = TimeSpan.FromMilliseconds(250);
    private const int MaxQuestions = 24;

    public Task<string> RunAsync(CancellationToken cancellationToken) => WithIndexAsync(path => RunOnAsync(path, cancellationToken));

    /// <summary>Anonymous Direct Line traffic on the same kind of index (see <see cref="DirectLineLoadBenchmark"/>).</summary>
    public Task<string> RunDirectLineAsync(CancellationToken cancellationToken) =>
        WithIndexAsync(path => new DirectLineLoadBenchmark(path, load, log).RunAsync(cancellationToken));

    /// <summary>Two instances sharing Redis against one with memory state (see <see cref="SharedStateLoadBenchmark"/>).</summary>
    public Task<string> RunSharedStateAsync(CancellationToken cancellationToken) =>
        WithIndexAsync(path => new SharedStateLoadBenchmark(path, load, log).RunAsync(cancellationToken));

    private async Task<string> WithIndexAsync(Func<string, Task<string>> run)
    {
        var temporaryIndex = settings.CorpusIndexPath is null ? Path.Combine(settings.WorkFolder, $"load-samples-{Environment.ProcessId}.db") : null;
        var indexPath = temporaryIndex ?? (File.Exists(settings.CorpusIndexPath) ? Path.GetFullPath(settings.CorpusIndexPath!) : throw new ClippingsException($"--corpus-index: no index at {settings.CorpusIndexPath}."));
        try
        {
            return await run(indexPath);
        }
        finally
        {
            if (temporaryIndex is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var file in new[] { temporaryIndex, temporaryIndex + "-wal", temporaryIndex + "-shm" }.Where(File.Exists))
                {
                    File.Delete(file);
                }
            }
        }
    }

    private async Task<string> RunOnAsync(string indexPath, CancellationToken cancellationToken)
    {
        var overrides = CommonOptions.Overrides(indexPath);
        overrides["urls"] = "http://127.0.0.1:0";
        overrides["Clippings:Api:RateLimit:PermitsPerMinute"] = "0"; // the bench measures the service, not the limiter
        overrides["Serilog:MinimumLevel:Default"] = "Warning"; // no per-request log lines on the console while timing
        await using var app = ClippingsServer.Build(CliHost.BuildConfiguration(overrides));
        await SampleArchive.IngestIfEmptyAsync(app.Services, log, cancellationToken);
        await app.StartAsync(cancellationToken);
        var baseAddress = new Uri(app.Urls.First());
        if (!baseAddress.IsLoopback)
        {
            throw new ClippingsException($"bench load: the server listens on {baseAddress}, not on 127.0.0.1.");
        }

        var stats = await app.Services.GetRequiredService<IArchiveIndex>().GetStatsAsync(cancellationToken);
        var questions = await QuestionsAsync(app.Services, cancellationToken);
        await log.WriteLineAsync($"load: server on {baseAddress} over {stats.Articles} articles, {stats.Passages:N0} passages; {questions.Count} questions");

        var inProcess = await AskInProcessAsync(app.Services.GetRequiredService<ArchiveAssistant>(), questions, cancellationToken);

        // Ask and health traffic on separate connection pools, so health checks never queue behind ask connections.
        using var askClient = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var healthClient = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 3; i++)
        {
            // Warm-up of the HTTP path (routing, JSON, connection), not recorded.
            using var response = await askClient.PostAsJsonAsync("/api/ask", new { question = questions[i % questions.Count] }, cancellationToken);
        }

        var levels = new List<(LoadLevelResult Result, double LoadAverage)>();
        foreach (var clients in load.Clients)
        {
            var result = await RunLevelAsync(askClient, healthClient, questions, clients, cancellationToken);
            var loadAverage = LoadAverage();
            levels.Add((result, loadAverage));
            await log.WriteLineAsync($"load: {clients} clients: {result.Requests} requests, {result.Errors} errors, {Stats.F(result.Throughput)} req/s, p95 {Stats.F(result.Latency.P95)} ms; health p95 {Stats.F(result.HealthLatency.P95)} ms, {result.HealthFailures} failures; load average {loadAverage:F1}");
        }

        await app.StopAsync(cancellationToken);
        return Report(stats, questions, inProcess, levels);
    }

    private async Task<LoadLevelResult> RunLevelAsync(HttpClient askClient, HttpClient healthClient, IReadOnlyList<string> questions, int clients, CancellationToken cancellationToken)
    {
        var recorder = new LoadLevelRecorder(clients, load.MaxRequests, load.Duration);
        recorder.Start();
        var health = PollHealthAsync(healthClient, recorder, cancellationToken);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => ClientAsync(askClient, recorder, questions, cancellationToken), cancellationToken)));
        recorder.Stop();
        await health;
        return recorder.Result();
    }

    private static async Task ClientAsync(HttpClient http, LoadLevelRecorder recorder, IReadOnlyList<string> questions, CancellationToken cancellationToken)
    {
        while (recorder.TryTakeRequest(out var sequence))
        {
            var stopwatch = Stopwatch.StartNew();
            string? error = null;
            try
            {
                using var response = await http.PostAsJsonAsync("/api/ask", new { question = questions[sequence % questions.Count] }, cancellationToken);
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
    }

    private static async Task PollHealthAsync(HttpClient http, LoadLevelRecorder recorder, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HealthInterval);
        while (recorder.Running)
        {
            var stopwatch = Stopwatch.StartNew();
            bool ok;
            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                await response.Content.ReadAsStringAsync(cancellationToken);
                ok = response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ok = false;
            }

            recorder.RecordHealth(stopwatch.Elapsed.TotalMilliseconds, ok);
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    /// <summary>The same questions asked of the assistant directly, one at a time: the answer without HTTP, JSON or hosting.</summary>
    private async Task<LatencySummary> AskInProcessAsync(ArchiveAssistant assistant, IReadOnlyList<string> questions, CancellationToken cancellationToken)
    {
        var count = Math.Max(100, questions.Count * 3);
        await log.WriteLineAsync($"load: in-process baseline, {count} answers");
        var samples = new List<double>();
        for (var i = -3; i < count; i++)
        {
            // The first three warm up (catalog, vector cache, JIT) and are not recorded.
            var stopwatch = Stopwatch.StartNew();
            await assistant.AskAsync(new AskRequest(questions[(i + questions.Count) % questions.Count]), cancellationToken);
            if (i >= 0)
            {
                samples.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        return LatencySummary.Of(samples);
    }

    /// <summary>
    /// General questions about what the index holds (not the dev questions): the assistant's own sample questions, then
    /// who is / what has … written for the authors with most pieces, and what is … about / who wrote … for titles spread
    /// over the catalog. Fixed for a given index.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> QuestionsAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var catalog = await services.GetRequiredService<ArchiveCatalogProvider>().GetAsync(cancellationToken);
        var questions = new List<string>(await services.GetRequiredService<ArchiveAssistant>().SampleQuestionsAsync(3, cancellationToken));
        var authors = catalog.Authors.OrderByDescending(a => a.ArticleCount).ThenBy(a => a.Name, StringComparer.Ordinal).Take(6).ToList();
        var step = Math.Max(1, catalog.Articles.Count / 10);
        var titles = catalog.Articles.Where((_, i) => i % step == 0).Take(10).Select(a => ArchiveCatalog.StripSeriesPrefix(a.Title).Trim()).ToList();
        for (var i = 0; i < Math.Max(authors.Count, titles.Count); i++)
        {
            if (i < authors.Count)
            {
                questions.Add(i % 2 == 0 ? $"Who is {authors[i].Name}?" : $"What has {authors[i].Name} written about?");
            }

            if (i < titles.Count)
            {
                questions.Add(i % 2 == 0 ? $"What is \"{titles[i]}\" about?" : $"Who wrote \"{titles[i]}\"?");
            }
        }

        var distinct = questions.Distinct(StringComparer.Ordinal).Take(MaxQuestions).ToList();
        return distinct.Count > 0 ? distinct : throw new ClippingsException("bench load: the index has no articles to ask about.");
    }

    private string Report(IndexStats stats, IReadOnlyList<string> questions, LatencySummary inProcess, IReadOnlyList<(LoadLevelResult Result, double LoadAverage)> levels)
    {
        var baseline = levels.FirstOrDefault(l => l.Result.Clients == 1).Result ?? levels[0].Result;
        var md = new StringBuilder();
        md.AppendLine("## Load").AppendLine();
        md.AppendLine("The server (`ClippingsServer.Build`, the host `serve` runs) in the bench process, Kestrel on 127.0.0.1 with a random port,");
        md.AppendLine("rate limiting off (`Clippings:Api:RateLimit:PermitsPerMinute=0`), no API keys (loopback callers allowed), extractive answers.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Index: {(settings.CorpusIndexPath is null ? "the bundled `samples/archive` ingested into a temporary SQLite file" : "the SQLite index given with `--corpus-index`")} ({stats.Articles} articles, {stats.Passages:N0} passages).");
        md.AppendLine(CultureInfo.InvariantCulture, $"Each client posts `POST /api/ask` back to back, cycling through {questions.Count} general questions built from the index catalog");
        md.AppendLine(CultureInfo.InvariantCulture, $"(e.g. {string.Join("; ", questions.Take(3).Select(q => $"_{q}_"))}); not the dev questions.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Each level runs {load.Duration.TotalSeconds:0} s or {load.MaxRequests:N0} requests, whichever comes first; throughput = completed requests ÷ wall time");
        md.AppendLine("including the last in-flight ones. An error is a non-2xx answer or an exception (timeout 60 s). `GET /health` is polled during");
        md.AppendLine("each level on its own connection pool, every 250 ms or, when a check takes longer, as soon as the previous one answered (so fewer");
        md.AppendLine("checks at high load). Latencies in milliseconds, over successful requests. Load average = the machine's 1-minute load at the end");
        md.AppendLine("of the level (other engineers' builds and tests share the 2 cores).");
        md.AppendLine();
        md.AppendLine("| clients | requests | errors | req/s | vs 1 client | p50 | p95 | p99 | health checks | health p95 | health failures | load average |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (result, loadAverage) in levels)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {result.Clients} | {result.Requests:N0} | {result.Errors} | {Stats.F(result.Throughput)} | {result.ThroughputRatioTo(baseline):F2}× | {Stats.F(result.Latency.P50)} | {Stats.F(result.Latency.P95)} | {Stats.F(result.Latency.P99)} | {result.HealthChecks} | {Stats.F(result.HealthLatency.P95)} | {result.HealthFailures} | {loadAverage:F1} |");
        }

        md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"HTTP overhead: the same questions answered by `ArchiveAssistant.AskAsync` in-process, one at a time ({inProcess.Count} answers), against the 1-client level.").AppendLine();
        md.AppendLine("| path | answers | p50 | p95 | p99 |");
        md.AppendLine("|---|---|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| in-process `AskAsync` (baseline) | {inProcess.Count} | {Stats.F(inProcess.P50)} | {Stats.F(inProcess.P95)} | {Stats.F(inProcess.P99)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| `POST /api/ask`, 1 client | {baseline.Latency.Count} | {Stats.F(baseline.Latency.P50)} | {Stats.F(baseline.Latency.P95)} | {Stats.F(baseline.Latency.P99)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| ratio (HTTP ÷ in-process) | | {baseline.Latency.P50 / inProcess.P50:F2}× | {baseline.Latency.P95 / inProcess.P95:F2}× | {baseline.Latency.P99 / inProcess.P99:F2}× |");

        var errors = levels.Sum(l => l.Result.Errors);
        var healthFailures = levels.Sum(l => l.Result.HealthFailures);
        md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Errors (target 0): {errors}. Health-check failures during load: {healthFailures}.");
        foreach (var sample in levels.SelectMany(l => l.Result.ErrorSamples.Select(e => $"{l.Result.Clients} clients: {e}")).Take(5))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{sample.ReplaceLineEndings(" ")}`");
        }

        return md.ToString();
    }

    /// <summary>The machine's 1-minute load average (NaN where /proc/loadavg does not exist).</summary>
    public static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }
}
