using System.Globalization;
using Clippings.Archive;
using Clippings.Storage;
using Clippings.Text;

namespace Clippings.Answering;

/// <summary>Shared wording for answers: dates as printed, bylines, and citations built from exact spans.</summary>
public static class CitationFormatting
{
    /// <summary>"23 November 1787", "November 1787" or "1908", as precise as the archive knows it.</summary>
    public static string FormatDate(DateOnly? date, DatePrecision precision) => date is null
        ? "undated"
        : precision switch
        {
            DatePrecision.Year => date.Value.Year.ToString(CultureInfo.InvariantCulture),
            DatePrecision.Month => date.Value.ToString("MMMM yyyy", CultureInfo.InvariantCulture),
            _ => date.Value.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
        };

    public static string FormatAuthors(IReadOnlyList<string> authors) => authors.Count switch
    {
        0 => "an unnamed author",
        1 => authors[0],
        2 => $"{authors[0]} and {authors[1]}",
        _ => string.Join(", ", authors.Take(authors.Count - 1)) + " and " + authors[^1],
    };

    /// <summary>"Title (Author, Publication, date)".</summary>
    public static string Describe(ArticleSummary article)
    {
        var parts = new List<string> { FormatAuthors(article.Authors) };
        if (!string.IsNullOrWhiteSpace(article.Publication))
        {
            parts.Add(article.Publication!);
        }

        parts.Add(FormatDate(article.Published, article.DatePrecision));
        return $"{article.Title} ({string.Join(", ", parts)})";
    }

    public static Citation Create(int n, ArticleSummary article, string quote, int start, int end) => new(
        n,
        article.Id,
        article.Title,
        article.Authors,
        article.Publication,
        article.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        article.Url,
        quote,
        start,
        end);

    /// <summary>A sentence of a passage as a citation: offsets are absolute in the article text.</summary>
    public static Citation FromSentence(int n, PassageHit hit, SentenceSpan sentence) =>
        Create(n, hit.Article, sentence.Text, hit.Start + sentence.Start, hit.Start + sentence.End);

    /// <summary>The first real sentence of an article (skipping salutations and mottoes), as a citation.</summary>
    public static Citation OpeningOf(int n, Article article)
    {
        var sentences = SentenceSplitter.Split(article.Text);
        if (sentences.Count == 0)
        {
            return Create(n, article.ToSummary(), "", 0, 0);
        }

        var opening = sentences.FirstOrDefault(s => s.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 8 && !s.Text.Contains('\n', StringComparison.Ordinal));
        var clipped = Clip(opening.Text is null ? sentences[0] : opening);
        return Create(n, article.ToSummary(), clipped.Text, clipped.Start, clipped.End);
    }

    /// <summary>Very long sentences are cut at a word boundary (still an exact prefix of the text).</summary>
    public static SentenceSpan Clip(SentenceSpan sentence, int maxChars = 420)
    {
        if (sentence.Text.Length <= maxChars)
        {
            return sentence;
        }

        var cut = sentence.Text.LastIndexOf(' ', maxChars);
        if (cut <= maxChars / 2)
        {
            cut = maxChars;
        }

        var text = sentence.Text[..cut].TrimEnd(',', ';', ':', ' ');
        return new SentenceSpan(sentence.Start, sentence.Start + text.Length, text);
    }
}
