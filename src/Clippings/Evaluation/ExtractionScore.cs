using System.Globalization;
using System.Text;

namespace Clippings.Evaluation;

/// <summary>Precision, recall and F1 of one extracted text against the expected one.</summary>
public readonly record struct TokenOverlap(double Precision, double Recall, double F1)
{
    public static TokenOverlap Empty { get; } = new(0, 0, 0);
}

/// <summary>
/// How an extractor's output is scored against expected page content, the way extraction benchmarks do:
/// bag-of-tokens precision/recall/F1 for bodies (word multisets, case-folded, punctuation ignored), and
/// normalised comparisons for titles, bylines and dates.
/// </summary>
public static partial class ExtractionScore
{
    /// <summary>Word tokens: runs of letters and digits, lower-cased (so markup-free text from any source compares fairly).</summary>
    public static List<string> Tokens(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }

        var current = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>Bag-of-tokens overlap: each token counts as many times as it occurs in both.</summary>
    public static TokenOverlap Overlap(string? extracted, string? expected)
    {
        var got = Count(Tokens(extracted));
        var want = Count(Tokens(expected));
        var gotTotal = got.Values.Sum();
        var wantTotal = want.Values.Sum();
        if (gotTotal == 0 && wantTotal == 0)
        {
            return new TokenOverlap(1, 1, 1);
        }

        if (gotTotal == 0 || wantTotal == 0)
        {
            return TokenOverlap.Empty;
        }

        var common = got.Sum(pair => Math.Min(pair.Value, want.GetValueOrDefault(pair.Key)));
        var precision = (double)common / gotTotal;
        var recall = (double)common / wantTotal;
        return new TokenOverlap(precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    }

    /// <summary>
    /// A title is right when its words are the expected words, in order (case, quotes and dashes aside). Given the
    /// site's name (or the byline), an expected title that merely carries it at either end ("Headline | Site") also
    /// matches the bare headline: Clippings keeps titles without the site's name on purpose.
    /// </summary>
    public static bool TitleMatches(string? extracted, string? expected, params string?[] affixes)
    {
        if (string.IsNullOrWhiteSpace(expected))
        {
            return false;
        }

        var got = string.Join(' ', Tokens(extracted));
        var want = string.Join(' ', Tokens(expected));
        if (got == want)
        {
            return true;
        }

        foreach (var affix in affixes.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => string.Join(' ', Tokens(a))))
        {
            if (affix.Length > 0 && got.Length > 0 && (want == got + " " + affix || want == affix + " " + got))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A byline is right when the extracted names hold the same name words as the expected byline, once words that are
    /// not names ("by", "and") are set aside: the expected side is a raw byline string, the extracted side a name list.
    /// </summary>
    public static bool BylineMatches(IReadOnlyList<string> extracted, string? expected)
    {
        if (string.IsNullOrWhiteSpace(expected))
        {
            return false;
        }

        // A raw byline may carry a profile link or a parenthesised note ("Bradley M. Kuhn (http://…)"); those are not names.
        var want = NameWords(Parenthesised().Replace(expected, " "));
        var got = NameWords(string.Join(" ", extracted));
        return want.Count > 0 && want.SetEquals(got);
    }

    /// <summary>A date is right when the extracted day is the expected instant's day (UTC or as written).</summary>
    public static bool DateMatches(DateOnly? extracted, string? expected)
    {
        if (extracted is null || string.IsNullOrWhiteSpace(expected))
        {
            return false;
        }

        if (DateTimeOffset.TryParse(expected, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            // A page may print the local day while metadata carries UTC: either counts.
            return extracted == DateOnly.FromDateTime(instant.UtcDateTime) || extracted == DateOnly.FromDateTime(instant.DateTime);
        }

        return DateOnly.TryParse(expected, CultureInfo.InvariantCulture, out var day) && extracted == day;
    }

    private static readonly HashSet<string> NotNames = new(StringComparer.Ordinal) { "by", "and", "von", "par", "por", "di", "de", "und", "et", "y", "e" };

    [System.Text.RegularExpressions.GeneratedRegex(@"\([^)]*\)|https?://\S+")]
    private static partial System.Text.RegularExpressions.Regex Parenthesised();

    private static HashSet<string> NameWords(string text) =>
        Tokens(text).Where(t => !NotNames.Contains(t)).ToHashSet(StringComparer.Ordinal);

    private static Dictionary<string, int> Count(List<string> tokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            counts[token] = counts.GetValueOrDefault(token) + 1;
        }

        return counts;
    }
}
