using System.Globalization;

namespace Clippings.Cli.Benchmarks;

/// <summary>Medians and latency percentiles (nearest rank) of measured samples.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile(values, 50);

    public static double Percentile(IEnumerable<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string F(double value, int decimals = 1) =>
        double.IsNaN(value) ? "–" : value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>p50/p95/p99 of one operation's latencies in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double P50, double P95, double P99)
{
    public static LatencySummary Of(IReadOnlyCollection<double> milliseconds) =>
        new(milliseconds.Count, Stats.Percentile(milliseconds, 50), Stats.Percentile(milliseconds, 95), Stats.Percentile(milliseconds, 99));
}
