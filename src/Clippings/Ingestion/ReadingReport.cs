using System.Globalization;
using System.Text.RegularExpressions;

namespace Clippings.Ingestion;

/// <summary>Files that failed (or were skipped) for one reason: how many, and the first one with its full reason.</summary>
public sealed record ReadingLoss(string Reason, int Files, string FirstPath, string FirstDetail);

/// <summary>
/// What reading an archive lost, grouped by reason ("50 files: front matter is not valid YAML — first: _posts/….md
/// line 3"), and the share of files read, so losing a quarter of an archive cannot pass as one summary line.
/// </summary>
public sealed partial record ReadingReport(int Files, int FilesRead, int FilesSkipped, int FilesFailed, int Articles, IReadOnlyList<ReadingLoss> Failures, IReadOnlyList<ReadingLoss> Skips)
{
    /// <summary>More than this share of the files failing is a warning nobody should miss.</summary>
    public const double LossWarningShare = 0.01;

    /// <summary>Share of the files that were not skipped on purpose and were read (1 when there were none).</summary>
    public double ReadShare => Files - FilesSkipped == 0 ? 1 : FilesRead / (double)(Files - FilesSkipped);

    public bool LossIsSerious => FilesFailed > 0 && 1 - ReadShare > LossWarningShare;

    public static ReadingReport From(IReadOnlyList<ArchiveFileResult> results)
    {
        var failed = results.Where(r => r.Failed).ToList();
        var skipped = results.Where(r => !r.Failed && r.Skipped is not null && r.Articles.Count == 0).ToList();
        return new ReadingReport(
            results.Count,
            results.Count - failed.Count - skipped.Count,
            skipped.Count,
            failed.Count,
            results.Sum(r => r.Articles.Count),
            Group(failed.Select(r => (r.Path, r.Error!))),
            Group(skipped.Select(r => (r.Path, r.Skipped!))));
    }

    /// <summary>Lines for a person: the share read, then each reason with its count and first file (or page: <paramref name="noun"/>).</summary>
    public IEnumerable<string> ToLines(Func<string, string>? showPath = null, string noun = "file")
    {
        showPath ??= p => p;
        var share = ReadShare.ToString("P1", CultureInfo.InvariantCulture);
        yield return $"read {FilesRead:N0} of {Files - FilesSkipped:N0} {noun}s ({share}), {Articles:N0} articles; {FilesSkipped:N0} skipped as not articles, {FilesFailed:N0} failed";
        foreach (var loss in Failures)
        {
            yield return $"  failed: {loss.Files:N0} {(loss.Files == 1 ? noun : noun + "s")}: {loss.Reason} — first: {showPath(loss.FirstPath)}{Detail(loss)}";
        }

        foreach (var skip in Skips)
        {
            yield return $"  skipped: {skip.Files:N0} {(skip.Files == 1 ? noun : noun + "s")}: {skip.Reason} — first: {showPath(skip.FirstPath)}";
        }
    }

    /// <summary>The first file's particulars: the parenthesised part of its reason, or the whole reason when it differs.</summary>
    private static string Detail(ReadingLoss loss)
    {
        var paren = loss.FirstDetail.IndexOf(" (", StringComparison.Ordinal);
        return paren > 0 ? " " + loss.FirstDetail[(paren + 1)..] : loss.FirstDetail == loss.Reason ? "" : $" ({loss.FirstDetail})";
    }

    private static List<ReadingLoss> Group(IEnumerable<(string Path, string Reason)> items) =>
        items.GroupBy(i => ReasonKey(i.Reason), StringComparer.Ordinal)
            .Select(g => new ReadingLoss(g.Key, g.Count(), g.First().Path, g.First().Reason))
            .OrderByDescending(l => l.Files)
            .ThenBy(l => l.Reason, StringComparer.Ordinal)
            .ToList();

    /// <summary>The reason without its particulars (positions, sizes, quoted values), so one cause groups as one line.</summary>
    internal static string ReasonKey(string reason)
    {
        var key = reason;
        var paren = key.IndexOf(" (", StringComparison.Ordinal);
        if (paren > 0)
        {
            key = key[..paren];
        }

        key = Quoted().Replace(key, "…");
        key = Numbers().Replace(key, "N");
        return key.Trim();
    }

    [GeneratedRegex("'[^']*'|\"[^\"]*\"|«[^»]*»")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\d[\d,.]*")]
    private static partial Regex Numbers();
}
