using System.Text.RegularExpressions;
using Clippings.Text;

namespace Clippings.Retrieval;

/// <summary>One misspelt word of a question and the archive's word it was read as.</summary>
public sealed record SpellingCorrection(string Typed, string Corrected);

/// <summary>
/// Reads a misspelt content word ("reflction", "apear") as the archive's own word: a word the archive never prints is
/// compared with the words of the passages the question already found, and replaced when exactly one of them is within a
/// small edit distance (one edit up to seven letters, two from eight). Names are left to <see cref="NameRecogniser"/>.
/// The vocabulary is the found passages rather than the whole index, so this works the same on every store.
/// </summary>
public static class ContentWordSpelling
{
    private const int MinLength = 5;

    /// <summary>Distinct lower-case words of the texts with how often each occurs.</summary>
    public static Dictionary<string, int> Vocabulary(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var token in LexicalAnalyzer.Tokenize(text))
            {
                if (token.Length >= MinLength - 1 && !token.Any(char.IsDigit))
                {
                    counts[token] = counts.GetValueOrDefault(token) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>Whether a word is long enough, and plain enough, to be read past a typo.</summary>
    public static bool IsCandidate(string token) => token.Length >= MinLength && token.All(char.IsLetter) && LexicalAnalyzer.Analyze(token).Count > 0;

    /// <summary>The archive word a misspelt word stands for, when exactly one is that close (ties broken by frequency only when clear).</summary>
    public static string? Correct(string typed, params IReadOnlyDictionary<string, int>[] vocabularies)
    {
        var word = typed.ToLowerInvariant();
        var allowed = word.Length >= 8 ? 2 : 1;

        // Only the close words are gathered (a vocabulary may hold every title of a large archive), counts summed across them.
        var close = new Dictionary<string, (int Distance, int Count)>(StringComparer.Ordinal);
        foreach (var vocabulary in vocabularies)
        {
            foreach (var (candidate, count) in vocabulary)
            {
                // Typos keep the first letter far more often than not; requiring it keeps "bowl" from becoming "howl".
                if (Math.Abs(candidate.Length - word.Length) > allowed || candidate == word || candidate[0] != word[0])
                {
                    continue;
                }

                var distance = NameRecogniser.EditDistance(word, candidate);
                if (distance <= allowed)
                {
                    close[candidate] = (distance, close.GetValueOrDefault(candidate).Count + count);
                }
            }
        }

        if (close.Count == 0)
        {
            return null;
        }

        var best = close.Values.Min(c => c.Distance);
        var ordered = close.Where(c => c.Value.Distance == best).Select(c => (Word: c.Key, c.Value.Count)).OrderByDescending(f => f.Count).ToList();

        // Inflections of one word ("appear", "appears") are one reading; otherwise the choice must be clear.
        var stems = ordered.Select(f => PorterStemmer.Stem(f.Word)).Distinct(StringComparer.Ordinal).Count();
        return stems == 1 || ordered[0].Count >= 3 * ordered[1].Count ? ordered[0].Word : null;
    }

    /// <summary>The question with each corrected word replaced, keeping the rest of the text as typed.</summary>
    public static string Apply(string text, IReadOnlyList<SpellingCorrection> corrections)
    {
        foreach (var correction in corrections)
        {
            text = Regex.Replace(text, @"\b" + Regex.Escape(correction.Typed) + @"\b", correction.Corrected, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        return text;
    }
}
