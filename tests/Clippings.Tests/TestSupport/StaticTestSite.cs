using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Clippings.Tests.TestSupport;

/// <summary>
/// A small website on 127.0.0.1 for sync tests: documents by path, each with a strong ETag and a Last-Modified that
/// answer conditional requests with 304; every request is logged (path, status, body bytes, headers, timing), and a
/// path can be made to fail a few times, answer slowly, or be served by a handler (a WordPress API).
/// </summary>
public sealed class StaticTestSite : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Times, int Status)> _failures = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _inFlight;
    private int _maxInFlight;

    public StaticTestSite()
    {
        // A free port: ask the OS for one, then listen on it (HttpListener cannot bind port 0 itself).
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public Uri Root => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<Served> Log { get; } = new();

    /// <summary>How many requests were in progress at once, at most.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>How long each response waits before it is sent (to see concurrency).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Serves paths under a prefix from a function (path and query → status, body, content type, extra headers).</summary>
    public Func<string, string, (int Status, string Body, string ContentType, IReadOnlyDictionary<string, string> Headers)?>? Handler { get; set; }

    public Uri Url(string path) => new(Root, path);

    public void Set(string path, string body, string contentType = "text/html; charset=utf-8") =>
        Set(path, Encoding.UTF8.GetBytes(body), contentType);

    public void Set(string path, byte[] body, string contentType)
    {
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 8)) + "\"";
        // Whole seconds: HTTP dates have no fractions, so a comparison with If-Modified-Since must not see any.
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // A changed body is always later than the old one, even within the same second.
        _resources.AddOrUpdate(path, _ => new Resource(body, contentType, etag, now), (_, old) => old.ETag == etag ? old
            : new Resource(body, contentType, etag, now > old.LastModified ? now : old.LastModified.AddSeconds(1)));
    }

    public void Remove(string path) => _resources.TryRemove(path, out _);

    /// <summary>The next <paramref name="times"/> requests for <paramref name="path"/> answer <paramref name="status"/>.</summary>
    public void FailNext(string path, int times, int status) => _failures[path] = (times, status);

    public IReadOnlyList<Served> Requests() => Log.ToList();

    public void ClearLog() => Log.Clear();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
            // Stopping the listener ends the accept loop this way.
        }
        catch (ObjectDisposedException)
        {
            // Likewise.
        }
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        int seen;
        while (inFlight > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }

        var started = DateTimeOffset.UtcNow;
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        var query = request.Url.Query;
        var status = 200;
        byte[] body = [];
        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency);
            }

            if (_failures.TryGetValue(path, out var failure) && failure.Times > 0)
            {
                _failures[path] = (failure.Times - 1, failure.Status);
                status = failure.Status;
            }
            else if (Handler?.Invoke(path, query) is { } handled)
            {
                status = handled.Status;
                body = Encoding.UTF8.GetBytes(handled.Body);
                response.ContentType = handled.ContentType;
                foreach (var (name, value) in handled.Headers)
                {
                    response.AddHeader(name, value);
                }
            }
            else if (_resources.TryGetValue(path, out var resource))
            {
                response.AddHeader("ETag", resource.ETag);
                response.AddHeader("Last-Modified", resource.LastModified.ToString("R", CultureInfo.InvariantCulture));
                var ifNoneMatch = request.Headers["If-None-Match"];
                var ifModifiedSince = request.Headers["If-Modified-Since"];
                var notModified = ifNoneMatch is not null
                    ? ifNoneMatch.Split(',').Select(t => t.Trim()).Contains(resource.ETag)
                    : ifModifiedSince is not null && DateTimeOffset.TryParse(ifModifiedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) && resource.LastModified <= since;
                if (notModified)
                {
                    status = 304;
                }
                else
                {
                    body = resource.Body;
                    response.ContentType = resource.ContentType;
                }
            }
            else
            {
                status = 404;
                body = Encoding.UTF8.GetBytes("not found");
                response.ContentType = "text/plain";
            }

            response.StatusCode = status;
            if (status != 304)
            {
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away (a timeout test) or the site is stopping.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Log.Enqueue(new Served(path + query, status, status == 304 ? 0 : body.Length, request.UserAgent ?? "", request.Headers["If-None-Match"] is not null || request.Headers["If-Modified-Since"] is not null, started));
        }
    }

    private sealed record Resource(byte[] Body, string ContentType, string ETag, DateTimeOffset LastModified);
}

/// <summary>One request the test site answered.</summary>
public sealed record Served(string Path, int Status, int BodyBytes, string UserAgent, bool Conditional, DateTimeOffset Started);
