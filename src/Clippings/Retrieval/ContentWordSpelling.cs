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
    public static string? Correct(string typed, IReadOnlyDictionary<string, int> vocabulary)
    {
        var word = typed.ToLowerInvariant();
        var allowed = word.Length >= 8 ? 2 : 1;
        var best = int.MaxValue;
        var found = new List<(string Word, int Count)>();
        foreach (var (candidate, count) in vocabulary)
        {
            if (Math.Abs(candidate.Length - word.Length) > allowed || candidate == word)
            {
                continue;
            }

            // Typos keep the first letter far more often than not; requiring it keeps "bowl" from becoming "howl".
            if (candidate[0] != word[0])
            {
                continue;
            }

            var distance = NameRecogniser.EditDistance(word, candidate);
            if (distance > allowed || distance > best)
            {
                continue;
            }

            if (distance < best)
            {
                best = distance;
                found.Clear();
            }

            found.Add((candidate, count));
        }

        if (found.Count == 0)
        {
            return null;
        }

        // Inflections of one word ("appear", "appears") are one reading; otherwise the choice must be clear.
        var ordered = found.OrderByDescending(f => f.Count).ToList();
        var stems = ordered.Select(f => PorterStemmer.Stem(f.Word)).Distinct(StringComparer.Ordinal).Count();
        if (stems == 1 || ordered[0].Count >= 3 * ordered[1].Count)
        {
            return ordered[0].Word;
        }

        return null;
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
