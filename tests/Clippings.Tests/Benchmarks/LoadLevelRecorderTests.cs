using Clippings.Cli.Benchmarks;

namespace Clippings.Tests.Benchmarks;

public sealed class LoadLevelRecorderTests
{
    [Fact]
    public void The_request_budget_stops_at_the_request_count()
    {
        var recorder = new LoadLevelRecorder(clients: 2, maxRequests: 3, duration: TimeSpan.FromHours(1));
        recorder.Start();

        var taken = new List<int>();
        while (recorder.TryTakeRequest(out var sequence))
        {
            taken.Add(sequence);
        }

        Assert.Equal([0, 1, 2], taken);
        Assert.False(recorder.TryTakeRequest(out _));
    }

    [Fact]
    public void The_request_budget_stops_when_the_duration_has_passed()
    {
        var recorder = new LoadLevelRecorder(clients: 1, maxRequests: 1000, duration: TimeSpan.Zero);
        recorder.Start();

        Assert.False(recorder.TryTakeRequest(out _));
    }

    [Fact]
    public void Failed_requests_count_as_errors_and_stay_out_of_the_latencies()
    {
        var recorder = new LoadLevelRecorder(clients: 8, maxRequests: 100, duration: TimeSpan.FromHours(1));
        foreach (var milliseconds in new[] { 40.0, 10, 30, 20 })
        {
            recorder.RecordRequest(milliseconds, error: null);
        }

        recorder.RecordRequest(5000, "500: boom");
        recorder.RecordHealth(3, ok: true);
        recorder.RecordHealth(900, ok: false);

        var result = recorder.Result(elapsed: TimeSpan.FromSeconds(2));

        Assert.Equal(8, result.Clients);
        Assert.Equal(5, result.Requests);
        Assert.Equal(1, result.Errors);
        Assert.Equal(["500: boom"], result.ErrorSamples);
        Assert.Equal(4, result.Latency.Count);
        Assert.Equal(20, result.Latency.P50);
        Assert.Equal(40, result.Latency.P99);
        Assert.Equal(2.5, result.Throughput);
        Assert.Equal(2, result.HealthChecks);
        Assert.Equal(1, result.HealthFailures);
    }

    [Fact]
    public void Throughput_is_a_ratio_to_the_baseline_level()
    {
        var one = new LoadLevelRecorder(1, 100, TimeSpan.FromHours(1));
        var many = new LoadLevelRecorder(8, 100, TimeSpan.FromHours(1));
        for (var i = 0; i < 10; i++)
        {
            one.RecordRequest(1, null);
            many.RecordRequest(1, null);
            many.RecordRequest(1, null);
            many.RecordRequest(1, null);
        }

        var ratio = many.Result(TimeSpan.FromSeconds(1)).ThroughputRatioTo(one.Result(TimeSpan.FromSeconds(1)));

        Assert.Equal(3.0, ratio);
    }

    [Fact]
    public void The_level_stops_running_once_stopped()
    {
        var recorder = new LoadLevelRecorder(1, 10, TimeSpan.FromHours(1));
        recorder.Start();
        Assert.True(recorder.Running);

        recorder.Stop();

        Assert.False(recorder.Running);
    }
}
