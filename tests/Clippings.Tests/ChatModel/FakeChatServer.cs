using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clippings.Tests.ChatModel;

/// <summary>One scripted reply of the fake server.</summary>
public abstract record FakeReply
{
    /// <summary>A whole chat completion (for non-streamed requests; streamed requests get it as one chunk).</summary>
    public static FakeReply Answer(string content) => new ChunkedReply([content]);

    /// <summary>Server-sent events, one chunk per string (so a marker can be split between two).</summary>
    public static FakeReply Chunks(params string[] chunks) => new ChunkedReply(chunks);

    /// <summary>Chunks computed from the request (e.g. citing the number the prompt gave a known article).</summary>
    public static FakeReply From(Func<RecordedRequest, string[]> chunks) => new ComputedReply(chunks);

    public static FakeReply Status(int status, string? retryAfter = null) => new StatusReply(status, retryAfter);

    /// <summary>A 200 whose body is not a chat completion.</summary>
    public static FakeReply Garbage(string body) => new GarbageReply(body);

    public static FakeReply Hang(TimeSpan delay) => new HangReply(delay);

    /// <summary>Streams these chunks, then drops the connection without finishing the stream.</summary>
    public static FakeReply BrokenStream(params string[] chunks) => new BrokenStreamReply(chunks);

    internal sealed record ChunkedReply(IReadOnlyList<string> Parts) : FakeReply;
    internal sealed record ComputedReply(Func<RecordedRequest, string[]> Compute) : FakeReply;
    internal sealed record StatusReply(int Code, string? RetryAfter) : FakeReply;
    internal sealed record GarbageReply(string Body) : FakeReply;
    internal sealed record HangReply(TimeSpan Delay) : FakeReply;
    internal sealed record BrokenStreamReply(IReadOnlyList<string> Parts) : FakeReply;
}

/// <summary>A request the fake server received: the chat messages and whether a stream was asked for.</summary>
public sealed record RecordedRequest(string Path, bool Stream, IReadOnlyList<(string Role, string Content)> Messages, JsonNode Body)
{
    public string System => string.Join("\n", Messages.Where(m => m.Role == "system").Select(m => m.Content));
    public string User => string.Join("\n", Messages.Where(m => m.Role == "user").Select(m => m.Content));
}

/// <summary>
/// An OpenAI-compatible chat completions server on 127.0.0.1 (random port) for tests: each request takes the next
/// scripted reply (an unscripted request gets a 500 the test will notice) and is recorded with its messages.
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<FakeReply> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeChatServer()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                Endpoint = new Uri($"http://127.0.0.1:{port}/v1/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(AcceptAsync);
    }

    public Uri Endpoint { get; }

    /// <summary>Size of the vectors /v1/embeddings returns.</summary>
    public int EmbeddingDimensions { get; set; } = 16;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public FakeChatServer Then(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }

        return this;
    }

    /// <summary>Settings that point Clippings at this server.</summary>
    public Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clippings:ChatModel:Provider"] = "openai-compatible",
            ["Clippings:ChatModel:Endpoint"] = Endpoint.ToString(),
            ["Clippings:ChatModel:Model"] = "fake-model",
            ["Clippings:ChatModel:TimeoutSeconds"] = "10",
            ["Clippings:ChatModel:MaxRetries"] = "2",
        };
        foreach (var (key, value) in extra)
        {
            settings["Clippings:ChatModel:" + key] = value;
        }

        return settings;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync().ConfigureAwait(false)) ?? new JsonObject();
            var stream = body["stream"]?.GetValue<bool>() == true;
            var messages = (body["messages"]?.AsArray() ?? []).Select(m => (m!["role"]!.GetValue<string>(), ContentOf(m["content"]))).ToList();
            var request = new RecordedRequest(context.Request.Url!.AbsolutePath, stream, messages, body);
            _requests.Enqueue(request);
            if (request.Path.EndsWith("/embeddings", StringComparison.Ordinal))
            {
                await WriteAsync(response, 200, "application/json", Embeddings(body)).ConfigureAwait(false);
                return;
            }

            var reply = _script.TryDequeue(out var next) ? next : FakeReply.Status(500);
            if (reply is FakeReply.ComputedReply computed)
            {
                reply = FakeReply.Chunks(computed.Compute(request));
            }

            switch (reply)
            {
                case FakeReply.HangReply hang:
                    await Task.Delay(hang.Delay, _stop.Token).ConfigureAwait(false);
                    await WriteAsync(response, 500, "application/json", "{}").ConfigureAwait(false);
                    break;
                case FakeReply.StatusReply status:
                    if (status.RetryAfter is not null)
                    {
                        response.AddHeader("Retry-After", status.RetryAfter);
                    }

                    await WriteAsync(response, status.Code, "application/json", new JsonObject { ["error"] = new JsonObject { ["message"] = $"scripted {status.Code}", ["type"] = "server_error" } }.ToJsonString()).ConfigureAwait(false);
                    break;
                case FakeReply.GarbageReply garbage:
                    await WriteAsync(response, 200, "application/json", garbage.Body).ConfigureAwait(false);
                    break;
                case FakeReply.BrokenStreamReply broken:
                    await WriteEventsAsync(response, broken.Parts, finish: false).ConfigureAwait(false);
                    response.Abort();
                    return;
                case FakeReply.ChunkedReply chunked when stream:
                    await WriteEventsAsync(response, chunked.Parts).ConfigureAwait(false);
                    break;
                case FakeReply.ChunkedReply chunked:
                    await WriteAsync(response, 200, "application/json", Completion(string.Concat(chunked.Parts))).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (HttpListenerException)
        {
            // The client gave up (a timeout test): nothing to answer.
        }
        catch (IOException)
        {
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
            }
        }
    }

    /// <summary>Deterministic vectors from the text's words, so similar texts get similar vectors.</summary>
    private string Embeddings(JsonNode body)
    {
        var inputs = body["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = new float[EmbeddingDimensions];
            foreach (var word in inputs[i].ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                vector[(int)((uint)StringComparer.Ordinal.GetHashCode(word) % (uint)EmbeddingDimensions)] += 1;
            }

            JsonNode embedding = body["encoding_format"]?.GetValue<string>() == "base64"
                ? JsonValue.Create(Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())))
                : new JsonArray(vector.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        return new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = "fake-embedding", ["usage"] = new JsonObject { ["prompt_tokens"] = 1, ["total_tokens"] = 1 } }.ToJsonString();
    }

    private static string ContentOf(JsonNode? content) => content switch
    {
        null => "",
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? "")),
        _ => content.GetValue<string>(),
    };

    private static async Task WriteAsync(HttpListenerResponse response, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
    }

    private static async Task WriteEventsAsync(HttpListenerResponse response, IReadOnlyList<string> chunks, bool finish = true)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        var output = response.OutputStream;
        foreach (var chunk in chunks)
        {
            await WriteEventAsync(output, Chunk(new JsonObject { ["content"] = chunk }, null)).ConfigureAwait(false);
            await Task.Delay(5).ConfigureAwait(false);
        }

        if (finish)
        {
            await WriteEventAsync(output, Chunk(new JsonObject(), "stop")).ConfigureAwait(false);
            await WriteEventAsync(output, "[DONE]").ConfigureAwait(false);
        }
    }

    private static async Task WriteEventAsync(Stream output, string data)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n")).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    private static string Completion(string content) => new JsonObject
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = "fake-model",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 10, ["total_tokens"] = 20 },
    }.ToJsonString();

    private static string Chunk(JsonObject delta, string? finishReason) => new JsonObject
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = "fake-model",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
    }.ToJsonString();

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
