using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Clippings.Server;
using Clippings.Server.DirectLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// Anonymous Direct Line traffic against the real server on 127.0.0.1 (part of <c>bench load</c>): many conversations,
/// each posting messages padded to 30 KB and polling as Web Chat does, bounded in posts and time. Phase 1 (limits off,
/// a deliberately small byte budget) shows memory held flat by the budget; phase 2 (the default rate limits) counts 429s.
/// </summary>
internal sealed class DirectLineLoadBenchmark(string indexPath, LoadSettings load, TextWriter log)
{
    private const int Conversations = 64;
    private const int Workers = 8;
    private const int PaddingChars = 30 * 1024;
    private const long BudgetBytes = 64L * 1024 * 1024;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var maxPosts = Math.Min(load.MaxRequests, 3000);
        var duration = TimeSpan.FromSeconds(Math.Max(10, load.Duration.TotalSeconds * 3));
        var budget = await BudgetPhaseAsync(maxPosts, duration, cancellationToken);
        var limits = await LimitsPhaseAsync(cancellationToken);
        return Report(budget, limits, maxPosts, duration);
    }

    private sealed record BudgetResult(int Posts, int Accepted, int Busy, int OtherErrors, double P50, double P95, long HeapBefore, long HeapAfter, long WorkingSetBefore, long WorkingSetAfter, long HeldBytes, int Live, TimeSpan Elapsed);

    private sealed record LimitsResult(int ActivityPosts, int Activity429, bool RetryAfter, int TokenRequests, int Token429);

    private async Task<BudgetResult> BudgetPhaseAsync(int maxPosts, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var app = Build(new Dictionary<string, string?>
        {
            ["Clippings:DirectLine:RateLimit:ActivitiesPerConversation"] = "0",
            ["Clippings:DirectLine:RateLimit:ActivitiesPerAddress"] = "0",
            ["Clippings:DirectLine:RateLimit:TokensPerAddress"] = "0",
            ["Clippings:DirectLine:MaxTotalBytes"] = BudgetBytes.ToString(CultureInfo.InvariantCulture),
        });
        await SampleArchive.IngestIfEmptyAsync(app.Services, log, cancellationToken);
        await app.StartAsync(cancellationToken);
        using var http = Client(app);
        var store = app.Services.GetRequiredService<DirectLineConversations>();

        // Warm-up (encoder, catalog, JIT) before the memory baseline.
        var warm = await StartAsync(http, cancellationToken);
        await PostAsync(http, warm, "Who writes the food column?", 0, cancellationToken);
        var (heapBefore, workingSetBefore) = Memory();

        var conversations = new List<(string Id, string Token)>();
        for (var i = 0; i < Conversations; i++)
        {
            conversations.Add(await StartAsync(http, cancellationToken));
        }

        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        int taken = 0, accepted = 0, busy = 0, other = 0;
        var watch = Stopwatch.StartNew();
        var questions = new[] { "Who writes the food column?", "What did the divers find in Calder Sound?", "When did the ferry to Skerry stop?", "What about the oysters?" };
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var watermarks = new Dictionary<string, string?>();
            int n;
            while ((n = Interlocked.Increment(ref taken)) <= maxPosts && watch.Elapsed < duration)
            {
                var conversation = conversations[(n * Workers + worker) % conversations.Count];
                var stopwatch = Stopwatch.StartNew();
                var status = await PostAsync(http, conversation, questions[n % questions.Length], PaddingChars, cancellationToken);
                if (status == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref accepted);
                    latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
                }
                else if (status == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref busy);
                }
                else
                {
                    Interlocked.Increment(ref other);
                }

                // Poll as Web Chat does, confirming what was read (which lets the budget drop it when tight).
                watermarks.TryGetValue(conversation.Id, out var watermark);
                using var poll = Request(HttpMethod.Get, $"/v3/directline/conversations/{conversation.Id}/activities" + (watermark is null ? "" : "?watermark=" + watermark), conversation.Token);
                using var polled = await http.SendAsync(poll, cancellationToken);
                if (polled.IsSuccessStatusCode)
                {
                    watermarks[conversation.Id] = (string?)JObject.Parse(await polled.Content.ReadAsStringAsync(cancellationToken))["watermark"];
                }
            }
        }, cancellationToken)));
        watch.Stop();
        var (heapAfter, workingSetAfter) = Memory();
        var sorted = latencies.Order().ToList();
        var result = new BudgetResult(Math.Min(taken, maxPosts), accepted, busy, other, Stats.Percentile(sorted, 50), Stats.Percentile(sorted, 95),
            heapBefore, heapAfter, workingSetBefore, workingSetAfter, store.TotalBytes, store.Count, watch.Elapsed);
        await log.WriteLineAsync($"load (Direct Line): {result.Posts} posts, {accepted} accepted, {busy} 503, p95 {Stats.F(result.P95)} ms; heap {heapBefore / 1048576} → {heapAfter / 1048576} MB; held {result.HeldBytes / 1048576} MB");
        await app.StopAsync(cancellationToken);
        return result;
    }

    private async Task<LimitsResult> LimitsPhaseAsync(CancellationToken cancellationToken)
    {
        await using var app = Build(new Dictionary<string, string?>());
        await app.StartAsync(cancellationToken);
        using var http = Client(app);
        var conversation = await StartAsync(http, cancellationToken);
        int posts = 0, limited = 0;
        var retryAfter = false;
        for (var i = 0; i < 40; i++)
        {
            using var request = Request(HttpMethod.Post, $"/v3/directline/conversations/{conversation.Id}/activities", conversation.Token, new JObject { ["type"] = "typing" });
            using var response = await http.SendAsync(request, cancellationToken);
            posts++;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited++;
                retryAfter |= response.Headers.RetryAfter is not null;
            }
        }

        int tokens = 1, tokensLimited = 0;
        for (var i = 0; i < 40; i++)
        {
            using var response = await http.PostAsync("/webchat/token", null, cancellationToken);
            tokens++;
            tokensLimited += response.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        await app.StopAsync(cancellationToken);
        return new LimitsResult(posts, limited, retryAfter, tokens, tokensLimited);
    }

    private WebApplication Build(Dictionary<string, string?> settings)
    {
        var overrides = CommonOptions.Overrides(indexPath);
        overrides["urls"] = "http://127.0.0.1:0";
        overrides["Serilog:MinimumLevel:Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            overrides[key] = value;
        }

        return ClippingsServer.Build(CliHost.BuildConfiguration(overrides));
    }

    private static HttpClient Client(WebApplication app)
    {
        var address = new Uri(app.Urls.First());
        return address.IsLoopback
            ? new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) }
            : throw new ClippingsException($"bench load: the server listens on {address}, not on 127.0.0.1.");
    }

    private static async Task<(string Id, string Token)> StartAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var issued = await http.PostAsync("/webchat/token", null, cancellationToken);
        var token = (string)JObject.Parse(await issued.Content.ReadAsStringAsync(cancellationToken))["token"]!;
        using var start = Request(HttpMethod.Post, "/v3/directline/conversations", token);
        using var started = await http.SendAsync(start, cancellationToken);
        var body = JObject.Parse(await started.Content.ReadAsStringAsync(cancellationToken));
        return ((string)body["conversationId"]!, (string)body["token"]!);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, (string Id, string Token) conversation, string question, int padding, CancellationToken cancellationToken)
    {
        var activity = new JObject
        {
            ["type"] = "message",
            ["text"] = question,
            ["from"] = new JObject { ["id"] = "reader" },
            // Hostile padding: stored with the echoed activity, not read by the bot.
            ["channelData"] = new JObject { ["clientActivityID"] = Guid.NewGuid().ToString("N"), ["padding"] = new string('p', padding) },
        };
        using var request = Request(HttpMethod.Post, $"/v3/directline/conversations/{conversation.Id}/activities", conversation.Token, activity);
        using var response = await http.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string token, JObject? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToString(Newtonsoft.Json.Formatting.None), Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static (long Heap, long WorkingSet) Memory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static string Report(BudgetResult b, LimitsResult l, int maxPosts, TimeSpan duration)
    {
        static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine("## Direct Line under anonymous traffic").AppendLine();
        md.AppendLine("Part of `bench load`: the server in the bench process on 127.0.0.1, anonymous readers through `/webchat/token` and the local Direct Line,");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Conversations} conversations, {Workers} concurrent posters, each message a short question plus {PaddingChars / 1024} KB of `channelData` padding (kept in the feed");
        md.AppendLine(CultureInfo.InvariantCulture, $"with the echo), each post followed by a poll with the last watermark, as Web Chat does; at most {maxPosts:N0} posts or {duration.TotalSeconds:0} s.");
        md.AppendLine(CultureInfo.InvariantCulture, $"Phase 1: rate limits off, `MaxTotalBytes` = {Mb(BudgetBytes)} MB (a quarter of the default), other settings default: `MaxConversationBytes` 512 KB");
        md.AppendLine(CultureInfo.InvariantCulture, $"caps each conversation first ({Conversations} × 512 KB = {Conversations / 2} MB), the total budget caps the sum.");
        md.AppendLine("Memory: managed heap and working set of the whole bench process after a forced full GC, before the posts (after a warm-up answer) and after.");
        md.AppendLine();
        md.AppendLine("| posts | accepted | 503 (budget) | other errors | p50 ms | p95 ms | activities held | heap before → after | working set before → after | live conversations | wall time |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {b.Posts:N0} | {b.Accepted:N0} | {b.Busy:N0} | {b.OtherErrors} | {Stats.F(b.P50)} | {Stats.F(b.P95)} | {Mb(b.HeldBytes)} MB | {Mb(b.HeapBefore)} → {Mb(b.HeapAfter)} MB | {Mb(b.WorkingSetBefore)} → {Mb(b.WorkingSetAfter)} MB | {b.Live} | {b.Elapsed.TotalSeconds:F1} s |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Without the byte budget the same posts would hold about {Mb((long)b.Accepted * ((PaddingChars * 2L) + 8192))} MB of activities (each post's padded echo plus its answer, UTF-16).");
        md.AppendLine();
        md.AppendLine("Phase 2: default rate limits (20 activities a minute per conversation, 60 per address, 20 tokens a minute per address), one client address.");
        md.AppendLine();
        md.AppendLine("| requests | 429s | Retry-After sent |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {l.ActivityPosts} activities into one conversation | {l.Activity429} | {(l.RetryAfter ? "yes" : "no")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| {l.TokenRequests} `/webchat/token` (incl. the conversation's own) | {l.Token429} | |");
        return md.ToString();
    }
}
