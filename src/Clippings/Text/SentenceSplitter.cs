namespace Clippings.Text;

/// <summary>A sentence as a span of a larger text: <c>Text == source[Start..End]</c>.</summary>
public readonly record struct SentenceSpan(int Start, int End, string Text);

/// <summary>
/// Splits prose into sentences with exact offsets, so a quoted sentence can be located in the stored text.
/// Knows the abbreviations and initials of English prose ("Mr.", "No. 10", "G. K."), and never crosses a paragraph break.
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "st", "no", "nos", "vol", "vols", "ch", "chap", "p", "pp", "viz", "i.e", "e.g", "etc", "cf",
        "esq", "rev", "col", "gen", "capt", "lt", "sr", "jr", "messrs", "mme", "mlle", "hon", "art", "sect", "fig", "ed", "eds",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "co", "ltd", "inc", "vs", "ibid",
    };

    public static IReadOnlyList<SentenceSpan> Split(string text) => Split(text, 0, text.Length);

    /// <summary>Sentences of <paramref name="text"/>[start..end], with offsets into <paramref name="text"/>.</summary>
    public static IReadOnlyList<SentenceSpan> Split(string text, int start, int end)
    {
        var sentences = new List<SentenceSpan>();
        var sentenceStart = SkipWhiteSpace(text, start, end);
        var i = sentenceStart;
        while (i < end)
        {
            var ch = text[i];
            if (ch == '\n' && i + 1 < end && text[i + 1] == '\n')
            {
                Add(sentences, text, sentenceStart, i);
                sentenceStart = SkipWhiteSpace(text, i, end);
                i = sentenceStart;
                continue;
            }

            if (ch is '.' or '!' or '?' && IsSentenceEnd(text, i, end))
            {
                var stop = i + 1;
                // Keep closing quotes and brackets with the sentence they end.
                while (stop < end && text[stop] is '"' or '\'' or ')' or ']' or '\u201d' or '\u2019')
                {
                    stop++;
                }

                Add(sentences, text, sentenceStart, stop);
                sentenceStart = SkipWhiteSpace(text, stop, end);
                i = sentenceStart;
                continue;
            }

            i++;
        }

        Add(sentences, text, sentenceStart, end);
        return sentences;
    }

    private static bool IsSentenceEnd(string text, int index, int end)
    {
        var next = index + 1;
        while (next < end && text[next] is '"' or '\'' or ')' or ']' or '\u201d' or '\u2019' or '.' or '!' or '?')
        {
            next++;
        }

        if (next >= end)
        {
            return true;
        }

        if (!char.IsWhiteSpace(text[next]))
        {
            return false;
        }

        var after = SkipWhiteSpace(text, next, end);
        if (after >= end)
        {
            return true;
        }

        var following = text[after];
        if (!(char.IsUpper(following) || char.IsDigit(following) || following is '"' or '\'' or '\u201c' or '\u2018' or '(' or '['))
        {
            return false;
        }

        if (text[index] != '.')
        {
            return true;
        }

        // "Mr. Spectator", "No. 10", "G. K. Chesterton": a period after an abbreviation or an initial ends nothing.
        var wordStart = index;
        while (wordStart > 0 && (char.IsLetter(text[wordStart - 1]) || text[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        var word = text[wordStart..index];
        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return false;
        }

        return !Abbreviations.Contains(word.TrimEnd('.'));
    }

    private static int SkipWhiteSpace(string text, int index, int end)
    {
        while (index < end && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        return index;
    }

    private static void Add(List<SentenceSpan> sentences, string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            sentences.Add(new SentenceSpan(start, end, text[start..end]));
        }
    }
}
