using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Clippings.Testing;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Robustness;

/// <summary>
/// Two real <c>clippings serve</c> processes sharing one real redis-server (Clippings:State:Provider = redis), as behind
/// a load balancer: a Direct Line conversation moves between them (polling and WebSocket), a follow-up asked on B
/// resolves against the question asked on A, B carries on when A is killed, and losing Redis is survivable.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ServeSharedStateTests : IAsyncLifetime
{
    private const string EelGrassQuestion = "How much eel grass did the divers find in Calder Sound?";
    private const string EelGrassUrl = "https://harbourreview.example/tidelines/2022/06/tidelines-eel-grass";
    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-shared-").FullName;
    private readonly List<Process> _serves = [];
    private RedisServerProcess? _redis;

    public async Task InitializeAsync()
    {
        if (RedisServerProcess.Find() is not null)
        {
            _redis = await RedisServerProcess.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var serve in _serves.Where(s => !s.HasExited))
        {
            serve.Kill();
            await serve.WaitForExitAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A child still closing its files: left for the OS to clean.
        }
    }

    [RedisFact]
    public async Task TwoInstancesShareConversationsAndSurviveEachOtherAndRedis()
    {
        // A fills the index from samples/archive; B starts on the filled index.
        var (processA, a) = await StartServeAsync();
        var (_, b) = await StartServeAsync();

        // A token and conversation from A.
        var generated = await JsonAsync(a, HttpMethod.Post, "/v3/directline/tokens/generate", null);
        var token = generated["token"]!.GetValue<string>();
        var conversationId = generated["conversationId"]!.GetValue<string>();
        await JsonAsync(a, HttpMethod.Post, "/v3/directline/conversations", token);

        // A question asked on A; its follow-up asked on B resolves against it (bot state is shared).
        await PostAsync(a, conversationId, token, EelGrassQuestion);
        await PostAsync(b, conversationId, token, "What else did they find?");
        var feed = await JsonAsync(b, HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", token);
        var answers = Answers(feed);
        Assert.Equal(2, answers.Count);
        var followUpUrls = CitedUrls(answers[1]);
        Assert.NotEmpty(followUpUrls);
        Assert.All(followUpUrls, url => Assert.Equal(EelGrassUrl, url));

        // A WebSocket on B receives what is asked on A.
        var reconnect = await JsonAsync(b, HttpMethod.Get, $"/v3/directline/conversations/{conversationId}?watermark={feed["watermark"]!.GetValue<string>()}", token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(reconnect["streamUrl"]!.GetValue<string>()), timeout.Token);
        await PostAsync(a, conversationId, token, "How many passengers did the night bus trial carry?");
        var streamed = await ReceiveActivitiesAsync(socket, 2, timeout.Token);
        Assert.Equal("How many passengers did the night bus trial carry?", streamed[0]["text"]?.GetValue<string>());
        Assert.Equal("bot", streamed[1]["from"]?["role"]?.GetValue<string>());

        // A dies mid-conversation: B carries on with the same conversation and token.
        processA.Kill();
        await processA.WaitForExitAsync();
        await PostAsync(b, conversationId, token, "What else did they find?");
        var afterKill = await JsonAsync(b, HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", token);
        Assert.Equal(4, Answers(afterKill).Count);

        // Redis goes away: answers without a conversation still work, conversations get 503 with Retry-After, /health says why.
        await _redis!.StopAsync();
        using (var ask = await b.PostAsync(new Uri("/api/ask", UriKind.Relative), Json(new JsonObject { ["question"] = EelGrassQuestion })))
        {
            Assert.Equal(HttpStatusCode.OK, ask.StatusCode);
        }

        using (var post = await b.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, Message("during"))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
            Assert.NotNull(post.Headers.RetryAfter);
        }

        var health = JsonNode.Parse(await b.GetStringAsync(new Uri("/health", UriKind.Relative)))!;
        Assert.Equal("degraded", health["status"]!.GetValue<string>());
        Assert.Contains("Redis", health["reason"]!.GetValue<string>(), StringComparison.Ordinal);

        // Redis returns: B recovers by itself, the conversation continues where it was.
        await _redis.StartAgainAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var retry = await b.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, Message("What else did they find?")));
            status = retry.StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5, Answers(await JsonAsync(b, HttpMethod.Get, $"/v3/directline/conversations/{conversationId}/activities", token)).Count);
        Assert.Equal("ok", JsonNode.Parse(await b.GetStringAsync(new Uri("/health", UriKind.Relative)))!["status"]!.GetValue<string>());
    }

    [RedisFact]
    public async Task AnUnreachableRedisStopsServeWithOneClearError()
    {
        await _redis!.StopAsync();
        var start = ServeStartInfo();
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        var text = await error;
        Assert.Contains($"error: Cannot reach Redis at 127.0.0.1:{_redis.Port} (Clippings:State:Redis)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    private ProcessStartInfo ServeStartInfo()
    {
        // From the repository, as the quickstart runs it: that is where samples/archive is found.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = SharedCorpus.RepoRoot };
        foreach (var argument in new[] { CliBinary.Path, "serve", "--urls", "http://127.0.0.1:0", "--index", Path.Combine(_folder, "index.db") })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Clippings__State__Provider"] = "redis";
        start.Environment["Clippings__State__Redis"] = _redis!.ConnectionString;
        start.Environment["Clippings__Bot__StatePath"] = Path.Combine(_folder, "bot-state.db");
        return start;
    }

    private async Task<(Process Process, HttpClient Client)> StartServeAsync()
    {
        var process = Process.Start(ServeStartInfo())!;
        _serves.Add(process);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var log = new StringBuilder();
        var serving = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }

                if (ServingLine().Match(line) is { Success: true } match)
                {
                    serving.TrySetResult(match.Groups["url"].Value);
                }
            }

            serving.TrySetResult("");
        });
        var url = await serving.Task.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.True(url.Length > 0, "serve did not start:\n" + log);
        return (process, new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) });
    }

    private static async Task PostAsync(HttpClient client, string conversationId, string token, string text)
    {
        using var response = await client.SendAsync(Request(HttpMethod.Post, $"/v3/directline/conversations/{conversationId}/activities", token, Message(text)));
        Assert.True(response.IsSuccessStatusCode, $"post on {client.BaseAddress} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonNode> JsonAsync(HttpClient client, HttpMethod method, string path, string? token)
    {
        using var response = await client.SendAsync(Request(method, path, token, null));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} on {client.BaseAddress} → {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, JsonObject? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = Json(body);
        }

        return request;
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static JsonObject Message(string text) => new() { ["type"] = "message", ["text"] = text, ["from"] = new JsonObject { ["id"] = "reader-1" } };

    /// <summary>The bot's answers (messages with citations metadata or text) in the feed, in order.</summary>
    private static List<JsonNode> Answers(JsonNode feed) =>
        feed["activities"]!.AsArray().Where(x => x!["type"]!.GetValue<string>() == "message" && x["from"]?["role"]?.GetValue<string>() == "bot"
            && x["replyToId"] is not null).Select(x => x!).ToList();

    // Teams claims carry the article in appearance.url; Web Chat's carry it in the claim's own url (so the quote pops up).
    private static List<string> CitedUrls(JsonNode answer) =>
        answer["entities"]?.AsArray().Where(e => e?["citation"] is not null)
            .SelectMany(e => e!["citation"]!.AsArray().Select(c => c!["appearance"]?["url"]?.GetValue<string>() ?? c["url"]?.GetValue<string>() ?? "")).ToList() ?? [];

    private static async Task<List<JsonNode>> ReceiveActivitiesAsync(ClientWebSocket socket, int count, CancellationToken cancellationToken)
    {
        var received = new List<JsonNode>();
        var buffer = new byte[256 * 1024];
        while (received.Count < count)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            if (message.Length > 0)
            {
                received.AddRange(JsonNode.Parse(message.ToArray())!["activities"]!.AsArray().Where(x => x!["type"]!.GetValue<string>() == "message").Select(x => x!));
            }
        }

        return received;
    }

    [GeneratedRegex(@"Clippings is serving on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ServingLine();
}
