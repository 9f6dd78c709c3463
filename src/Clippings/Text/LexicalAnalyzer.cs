using System.Globalization;
using System.Text;

namespace Clippings.Text;

/// <summary>
/// The one tokenizer + stemmer used for lexical search by every index (SQLite FTS5 stores analyzed terms;
/// Qdrant gets sparse vectors built from the same terms), so lexical results agree across stores.
/// </summary>
public static class LexicalAnalyzer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "its",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
        "to", "was", "will", "with", "what", "which", "who", "whom", "does", "did", "do", "has", "have", "had",
        "he", "she", "his", "her", "him", "we", "our", "us", "you", "your", "i", "me", "my", "were", "been",
        "from", "so", "than", "too", "very", "can", "about", "how", "when", "where", "why", "would", "should",
        "could", "any", "all", "some", "one", "upon", "them", "those", "say", "says", "said", "according",
    };

    /// <summary>Lower-cased, accent-folded, stop words removed, stemmed terms, in text order.</summary>
    public static IReadOnlyList<string> Analyze(string text)
    {
        var terms = new List<string>();
        foreach (var token in Tokenize(text))
        {
            if (token.Length < 2 || StopWords.Contains(token))
            {
                continue;
            }

            terms.Add(PorterStemmer.Stem(token));
        }

        return terms;
    }

    /// <summary>Lower-cased, accent-folded word tokens (letters and digits), no stemming.</summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        var builder = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormD))
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(ch))
            {
                builder.Append(char.ToLowerInvariant(ch));
            }
            else if (ch == '\'' || ch == '\u2019')
            {
                // "author's" → "author": drop the possessive, keep in-word apostrophes out.
                continue;
            }
            else if (builder.Length > 0)
            {
                yield return builder.ToString();
                builder.Clear();
            }
        }

        if (builder.Length > 0)
        {
            yield return builder.ToString();
        }
    }
}
