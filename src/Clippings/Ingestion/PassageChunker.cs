using Clippings.Archive;
using Clippings.Text;

namespace Clippings.Ingestion;

/// <summary>
/// Cuts an article's text into passages of about <see cref="TargetWords"/> words on paragraph and sentence
/// boundaries, each with exact character offsets into the text. Short paragraphs are merged; a long paragraph
/// is split between sentences; a passage never starts or ends inside a word.
/// </summary>
public sealed class PassageChunker
{
    public PassageChunker(int minWords = 100, int targetWords = 180, int maxWords = 250)
    {
        MinWords = minWords;
        TargetWords = targetWords;
        MaxWords = maxWords;
    }

    public int MinWords { get; }
    public int TargetWords { get; }
    public int MaxWords { get; }

    public IReadOnlyList<Passage> Split(Article article)
    {
        var text = article.Text;
        var units = Units(text);
        var passages = new List<Passage>();
        var start = -1;
        var end = 0;
        var words = 0;
        foreach (var (unitStart, unitEnd, unitWords, startsParagraph) in units)
        {
            // Close the passage before this unit when it would overflow, or at a paragraph break once it is long enough.
            if (start >= 0 && (words + unitWords > MaxWords || (startsParagraph && words >= TargetWords)))
            {
                passages.Add(Make(article, passages.Count, start, end));
                start = -1;
                words = 0;
            }

            if (start < 0)
            {
                start = unitStart;
            }

            end = unitEnd;
            words += unitWords;
        }

        if (start >= 0)
        {
            // A short tail joins the previous passage when that stays within bounds.
            if (words < MinWords / 2 && passages.Count > 0 && CountWords(text, passages[^1].Start, end) <= MaxWords + (MinWords / 2))
            {
                var previous = passages[^1];
                passages[^1] = Make(article, previous.Ordinal, previous.Start, end);
            }
            else
            {
                passages.Add(Make(article, passages.Count, start, end));
            }
        }

        return passages;
    }

    /// <summary>Sentences, each marked with whether it starts a paragraph.</summary>
    private static List<(int Start, int End, int Words, bool StartsParagraph)> Units(string text)
    {
        var units = new List<(int, int, int, bool)>();
        var paragraphStart = 0;
        while (paragraphStart < text.Length)
        {
            var paragraphEnd = text.IndexOf("\n\n", paragraphStart, StringComparison.Ordinal);
            if (paragraphEnd < 0)
            {
                paragraphEnd = text.Length;
            }

            var first = true;
            foreach (var sentence in SentenceSplitter.Split(text, paragraphStart, paragraphEnd))
            {
                foreach (var (pieceStart, pieceEnd) in SplitOversized(text, sentence.Start, sentence.End))
                {
                    units.Add((pieceStart, pieceEnd, CountWords(text, pieceStart, pieceEnd), first));
                    first = false;
                }
            }

            paragraphStart = paragraphEnd + 2;
        }

        return units;
    }

    /// <summary>A "sentence" longer than a passage (unpunctuated text) is cut between words.</summary>
    private static IEnumerable<(int Start, int End)> SplitOversized(string text, int start, int end)
    {
        const int pieceWords = 200;
        var words = 0;
        var pieceStart = start;
        var inWord = false;
        for (var i = start; i < end; i++)
        {
            var isSpace = char.IsWhiteSpace(text[i]);
            if (!isSpace && !inWord)
            {
                words++;
                if (words > pieceWords)
                {
                    var pieceEnd = i;
                    while (pieceEnd > pieceStart && char.IsWhiteSpace(text[pieceEnd - 1]))
                    {
                        pieceEnd--;
                    }

                    yield return (pieceStart, pieceEnd);
                    pieceStart = i;
                    words = 1;
                }
            }

            inWord = !isSpace;
        }

        yield return (pieceStart, end);
    }

    private static Passage Make(Article article, int ordinal, int start, int end) =>
        new(article.Id, ordinal, start, end, article.Text[start..end]);

    private static int CountWords(string text, int start, int end)
    {
        var count = 0;
        var inWord = false;
        for (var i = start; i < end; i++)
        {
            var isSpace = char.IsWhiteSpace(text[i]);
            if (!isSpace && !inWord)
            {
                count++;
            }

            inWord = !isSpace;
        }

        return count;
    }
}
