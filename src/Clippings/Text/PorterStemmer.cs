namespace Clippings.Text;

/// <summary>English stemmer for lexical search (interim S-stemmer; to be replaced by the full Porter algorithm).</summary>
public static class PorterStemmer
{
    public static string Stem(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "y";
        }

        if (word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
        {
            return word[..^1];
        }

        return word;
    }
}
