using System.Globalization;

namespace Clippings.Insights;

/// <summary>The UTC days a report covers, both included, and optionally one channel.</summary>
public sealed record InsightsQuery(DateOnly Since, DateOnly Until, string? Channel = null)
{
    public DateTimeOffset From => new(Since.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The first instant after the period.</summary>
    public DateTimeOffset To => new(Until.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// From what a caller typed: <paramref name="since"/> and <paramref name="until"/> as yyyy-mm-dd (until defaults to today,
    /// since to <paramref name="defaultDays"/> days before it). A bad value is one <see cref="ClippingsException"/> saying what to type.
    /// </summary>
    public static InsightsQuery Parse(string? since, string? until, string? channel, int defaultDays, DateTimeOffset now)
    {
        var last = string.IsNullOrWhiteSpace(until) ? DateOnly.FromDateTime(now.UtcDateTime) : Date(until, "until");
        var first = string.IsNullOrWhiteSpace(since) ? last.AddDays(-(Math.Max(1, defaultDays) - 1)) : Date(since, "since");
        if (first > last)
        {
            throw new ClippingsException($"since ({first:yyyy-MM-dd}) is after until ({last:yyyy-MM-dd}).");
        }

        return new InsightsQuery(first, last, string.IsNullOrWhiteSpace(channel) ? null : channel.Trim().ToLowerInvariant());
    }

    private static DateOnly Date(string value, string name) =>
        DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date < DateOnly.MaxValue
            ? date
            : throw new ClippingsException($"{name} is '{value}'; use a date as yyyy-mm-dd, e.g. 2026-11-01.");
}
