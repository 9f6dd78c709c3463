using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Clippings.Ingestion.Web;

/// <summary>What a server last said about a URL's version, sent back as If-None-Match / If-Modified-Since.</summary>
public sealed record FetchValidators(string? ETag, string? LastModified)
{
    public bool IsEmpty => string.IsNullOrEmpty(ETag) && string.IsNullOrEmpty(LastModified);
}

public enum FetchOutcome { Ok, NotModified, Failed, Disallowed }

/// <summary>One URL's answer. <see cref="Body"/> is empty unless <see cref="Outcome"/> is Ok; <see cref="Error"/> says why it failed.</summary>
public sealed record FetchResult(Uri Url, FetchOutcome Outcome, int Status, byte[] Body, string? ContentType, FetchValidators Validators, string? Error)
{
    /// <summary>Response headers (null when no response arrived), for the few a reader needs (X-WP-TotalPages).</summary>
    public HttpResponseHeaders? Headers { get; init; }

    /// <summary>Where the body came from after redirects.</summary>
    public Uri FinalUrl { get; init; } = Url;
}

/// <summary>What one sync cost: requests sent, answers that were 304 Not Modified, body bytes received, retries.</summary>
public sealed class FetchStatistics
{
    private long _requests;
    private long _notModified;
    private long _bytes;
    private long _retries;

    public long Requests => Interlocked.Read(ref _requests);
    public long NotModified => Interlocked.Read(ref _notModified);
    public long BodyBytes => Interlocked.Read(ref _bytes);
    public long Retries => Interlocked.Read(ref _retries);

    internal void Request() => Interlocked.Increment(ref _requests);
    internal void Unchanged() => Interlocked.Increment(ref _notModified);
    internal void Received(long bytes) => Interlocked.Add(ref _bytes, bytes);
    internal void Retried() => Interlocked.Increment(ref _retries);
}

/// <summary>
/// HTTP for one sync run, polite to every host: robots.txt read once per host and obeyed (Crawl-delay included: one
/// request at a time, spaced), at most <see cref="SyncOptions.MaxConcurrentRequestsPerHost"/> requests per host,
/// conditional requests, a time limit per request, and retries with exponential backoff (Retry-After honoured).
/// </summary>
public sealed class PoliteFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly SyncOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<Host>>> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ResiliencePipeline<FetchResult> _retry;

    public PoliteFetcher(HttpClient http, SyncOptions options, ILogger logger)
    {
        _http = http;
        _options = options;
        _logger = logger;
        _retry = options.MaxRetries <= 0 ? ResiliencePipeline<FetchResult>.Empty : new ResiliencePipelineBuilder<FetchResult>()
            .AddRetry(new RetryStrategyOptions<FetchResult>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } r && IsTransient(r)),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    Statistics.Retried();
                    _logger.LogWarning("GET {Url} failed ({Reason}); retry {Attempt} in {DelayMs} ms",
                        args.Outcome.Result?.Url, args.Outcome.Result?.Error, args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public FetchStatistics Statistics { get; } = new();

    /// <summary>The host's robots.txt (read on first use).</summary>
    public async Task<RobotsTxt> RobotsAsync(Uri url, CancellationToken cancellationToken) =>
        (await HostAsync(url, cancellationToken).ConfigureAwait(false)).Robots;

    /// <summary>
    /// GETs <paramref name="url"/> unless robots.txt disallows it; with <paramref name="validators"/> a 304 comes back
    /// as <see cref="FetchOutcome.NotModified"/> with no body. Bodies over <paramref name="maxBytes"/> fail.
    /// </summary>
    public async Task<FetchResult> GetAsync(Uri url, FetchValidators? validators, long maxBytes, CancellationToken cancellationToken)
    {
        var host = await HostAsync(url, cancellationToken).ConfigureAwait(false);
        if (ReferenceEquals(host.Robots, RobotsTxt.Unreachable))
        {
            // A failure, not a refusal: the page stays listed, so a prune never takes the articles of a host whose robots.txt was down.
            return new FetchResult(url, FetchOutcome.Failed, 0, [], null, new(null, null), $"the host's robots.txt could not be read ({host.RobotsError}), so nothing on it is fetched this run");
        }

        if (!host.Robots.Allows(url))
        {
            return new FetchResult(url, FetchOutcome.Disallowed, 0, [], null, new(null, null), "disallowed by the site's robots.txt");
        }

        return await _retry.ExecuteAsync(async ct => await SendAsync(host, url, validators, maxBytes, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated && h.Value.IsCompletedSuccessfully))
        {
            host.Value.Result.Gate.Dispose();
        }
    }

    private Task<Host> HostAsync(Uri url, CancellationToken cancellationToken) =>
        _hosts.GetOrAdd(url.GetLeftPart(UriPartial.Authority), authority => new Lazy<Task<Host>>(() => LoadHostAsync(new Uri(authority), cancellationToken))).Value;

    private async Task<Host> LoadHostAsync(Uri authority, CancellationToken cancellationToken)
    {
        // robots.txt is read with one request at a time, before anything else on the host.
        using var first = new SemaphoreSlim(1, 1);
        var probe = new Host(RobotsTxt.AllowAll, first, TimeSpan.Zero);
        var robotsUrl = new Uri(authority, "/robots.txt");
        var answer = await _retry.ExecuteAsync(async ct => await SendAsync(probe, robotsUrl, null, 512 * 1024, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        RobotsTxt robots;
        if (answer.Outcome == FetchOutcome.Ok)
        {
            robots = RobotsTxt.Parse(WebText.Decode(answer.Body, answer.ContentType));
        }
        else if (answer.Status is >= 400 and < 500)
        {
            robots = RobotsTxt.AllowAll;
        }
        else
        {
            _logger.LogWarning("robots.txt of {Host} could not be read ({Reason}): nothing on the host is fetched this run", authority, answer.Error);
            robots = RobotsTxt.Unreachable;
        }

        var delay = robots.CrawlDelay is { } asked ? asked > _options.MaxCrawlDelay ? _options.MaxCrawlDelay : asked : TimeSpan.Zero;
        if (delay > TimeSpan.Zero)
        {
            _logger.LogInformation("{Host} asks for a Crawl-delay of {DelaySeconds} s: one request at a time", authority, delay.TotalSeconds);
        }

        // The delay counts from the robots.txt request too.
        return new Host(robots, new SemaphoreSlim(delay > TimeSpan.Zero ? 1 : _options.MaxConcurrentRequestsPerHost), delay) { LastStart = probe.LastStart, RobotsError = answer.Error };
    }

    private async Task<FetchResult> SendAsync(Host host, Uri url, FetchValidators? validators, long maxBytes, CancellationToken cancellationToken)
    {
        await host.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (host.Delay > TimeSpan.Zero && host.LastStart is { } last && last.Elapsed < host.Delay)
            {
                await Task.Delay(host.Delay - last.Elapsed, cancellationToken).ConfigureAwait(false);
            }

            host.LastStart = Stopwatch.StartNew();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            if (!string.IsNullOrEmpty(validators?.ETag))
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", validators.ETag);
            }

            if (!string.IsNullOrEmpty(validators?.LastModified))
            {
                request.Headers.TryAddWithoutValidation("If-Modified-Since", validators.LastModified);
            }

            Statistics.Request();
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var finalUrl = response.RequestMessage?.RequestUri ?? url;
                var received = new FetchValidators(response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"));
                if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    Statistics.Unchanged();
                    // A 304 may omit the validators; the ones sent still hold.
                    return new FetchResult(url, FetchOutcome.NotModified, 304, [], null, received.IsEmpty ? validators ?? received : received, null) { Headers = response.Headers, FinalUrl = finalUrl };
                }

                if (!response.IsSuccessStatusCode)
                {
                    return new FetchResult(url, FetchOutcome.Failed, (int)response.StatusCode, [], null, received, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd()) { Headers = response.Headers, FinalUrl = finalUrl };
                }

                if (response.Content.Headers.ContentLength > maxBytes)
                {
                    return new FetchResult(url, FetchOutcome.Failed, (int)response.StatusCode, [], null, received, $"the response is {response.Content.Headers.ContentLength / 1024:N0} KB, over the {maxBytes / 1024:N0} KB limit") { FinalUrl = finalUrl };
                }

                var body = await ReadLimitedAsync(response.Content, maxBytes, timeout.Token).ConfigureAwait(false);
                Statistics.Received(body?.Length ?? 0);
                if (body is null)
                {
                    return new FetchResult(url, FetchOutcome.Failed, (int)response.StatusCode, [], null, received, $"the response is over the {maxBytes / 1024:N0} KB limit") { FinalUrl = finalUrl };
                }

                return new FetchResult(url, FetchOutcome.Ok, (int)response.StatusCode, body, response.Content.Headers.ContentType?.ToString(), received, null) { Headers = response.Headers, FinalUrl = finalUrl };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new FetchResult(url, FetchOutcome.Failed, 0, [], null, new(null, null), $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
            }
            catch (HttpRequestException ex)
            {
                return new FetchResult(url, FetchOutcome.Failed, 0, [], null, new(null, null), $"cannot connect ({ex.HttpRequestError}: {ex.Message.TrimEnd('.')})");
            }
        }
        finally
        {
            host.Gate.Release();
        }
    }

    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Worth another try: no connection, a timeout, 408, 429 or a server error.</summary>
    private static bool IsTransient(FetchResult result) =>
        result.Outcome == FetchOutcome.Failed && result.Status is 0 or 408 or 429 or >= 500;

    private TimeSpan? RetryAfter(FetchResult? result)
    {
        var header = result?.Headers?.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w && w > TimeSpan.Zero ? (w > _options.MaxRetryDelay ? _options.MaxRetryDelay : w) : null;
    }

    private sealed class Host(RobotsTxt robots, SemaphoreSlim gate, TimeSpan delay)
    {
        public RobotsTxt Robots { get; } = robots;
        public SemaphoreSlim Gate { get; } = gate;
        public TimeSpan Delay { get; } = delay;
        public Stopwatch? LastStart { get; set; }
        public string? RobotsError { get; init; }
    }
}
