using System.Diagnostics;

namespace Clippings.Cli.Benchmarks;

/// <summary>What one load level measured: requests, errors, latencies, and the health checks polled during it.</summary>
internal sealed record LoadLevelResult(
    int Clients, int Requests, int Errors, TimeSpan Elapsed, LatencySummary Latency,
    int HealthChecks, int HealthFailures, LatencySummary HealthLatency, IReadOnlyList<string> ErrorSamples)
{
    /// <summary>Completed requests (successful or not) per second of wall time.</summary>
    public double Throughput => Elapsed > TimeSpan.Zero ? Requests / Elapsed.TotalSeconds : double.NaN;

    public double ThroughputRatioTo(LoadLevelResult baseline) => Throughput / baseline.Throughput;
}

/// <summary>
/// The bookkeeping of one load level, shared by its client tasks and the health poller: a request budget (the level
/// stops at its duration or its request count, whichever comes first) and the outcome of every request.
/// Latency percentiles are over successful requests; failures are counted, and the first few kept as examples.
/// </summary>
internal sealed class LoadLevelRecorder(int clients, int maxRequests, TimeSpan duration)
{
    private const int KeptErrors = 5;
    private readonly Lock _gate = new();
    private readonly List<double> _latencies = [];
    private readonly List<double> _health = [];
    private readonly List<string> _errorSamples = [];
    private readonly Stopwatch _clock = new();
    private int _issued;
    private int _requests;
    private int _errors;
    private int _healthFailures;
    private TimeSpan? _elapsed;

    public int Clients => clients;

    public void Start() => _clock.Start();

    /// <summary>Takes one request from the budget; false once the duration has passed or the count is spent.</summary>
    public bool TryTakeRequest(out int sequence)
    {
        sequence = -1;
        if (_clock.Elapsed >= duration)
        {
            return false;
        }

        sequence = Interlocked.Increment(ref _issued) - 1;
        return sequence < maxRequests;
    }

    /// <summary>True while client requests are still running (the health poller stops when the level does).</summary>
    public bool Running => _elapsed is null;

    public void RecordRequest(double milliseconds, string? error)
    {
        lock (_gate)
        {
            _requests++;
            if (error is null)
            {
                _latencies.Add(milliseconds);
            }
            else
            {
                _errors++;
                if (_errorSamples.Count < KeptErrors)
                {
                    _errorSamples.Add(error);
                }
            }
        }
    }

    public void RecordHealth(double milliseconds, bool ok)
    {
        lock (_gate)
        {
            _health.Add(milliseconds);
            if (!ok)
            {
                _healthFailures++;
            }
        }
    }

    /// <summary>Call when every client has finished: the level's wall time ends here (in-flight requests included).</summary>
    public void Stop() => _elapsed ??= _clock.Elapsed;

    public LoadLevelResult Result(TimeSpan? elapsed = null)
    {
        lock (_gate)
        {
            return new LoadLevelResult(
                clients, _requests, _errors, elapsed ?? _elapsed ?? _clock.Elapsed, LatencySummary.Of(_latencies),
                _health.Count, _healthFailures, LatencySummary.Of(_health), [.. _errorSamples]);
        }
    }
}
