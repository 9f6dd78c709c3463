using System.Text.RegularExpressions;
using Clippings.Archive;

namespace Clippings.Retrieval;

/// <summary>
/// In a conversation opened from an article page, "the author", "this piece" and "it" mean that article.
/// Replacing them with the piece's quoted title and its authors' names lets query understanding treat the
/// question like any other ("Who is the author?" → "Who is Jane Doe?"), instead of searching the archive
/// for the words "the author".
/// </summary>
public static partial class ScopedArticleReferences
{
    public static string Resolve(string question, ArticleSummary article)
    {
        var title = ArchiveCatalog.StripSeriesPrefix(article.Title).Trim();
        if (title.Length == 0)
        {
            return question;
        }

        var quotedTitle = $"\"{title}\"";
        var authors = article.Authors.Count > 0 ? string.Join(" and ", article.Authors) : null;

        // "Has this magazine written about this before?": the subject is what the piece is about, not the piece itself,
        // so the title goes in as plain words for a wide search rather than as a named article.
        if (WideningQuestion().IsMatch(question))
        {
            // A year in the title ("The Budget in 2019") would otherwise become a date filter on the wide search.
            var subject = TitleYear().Replace(title, "").Trim();
            var widened = SubjectReference().Replace(question, m => $"{m.Groups["prep"].Value} {subject}");
            return PieceReference().Replace(widened, subject);
        }

        var resolved = question;
        if (authors is not null)
        {
            resolved = AuthorReference().Replace(resolved, authors);
        }

        resolved = PieceReference().Replace(resolved, quotedTitle);
        resolved = WhoWroteIt().Replace(resolved, m => $"{m.Groups["verb"].Value} {quotedTitle}");
        resolved = ItPronoun().Replace(resolved, quotedTitle);
        return resolved;
    }

    [GeneratedRegex(@"\b(before|elsewhere|other\s+(articles|pieces|essays|papers|columns|stories)|ever|this\s+(magazine|publication|paper|newspaper|site)|the\s+archive|in\s+general|anywhere|previously|again)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WideningQuestion();

    [GeneratedRegex(@"\s*\b(in|of|for|since)?\s*\b(1[5-9]|20)\d\d\b")]
    private static partial Regex TitleYear();

    [GeneratedRegex(@"\b(?<prep>about|on|of)\s+(this|it|that)\b(?!\s+(magazine|publication|paper|newspaper|site|archive|article|piece|essay|column|story|post)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex SubjectReference();

    [GeneratedRegex(@"\b(the|this|that)\s+(author|authors|writer|writers|columnist|columnists|reporter|critic|reviewer)\b(?!\s+of\b)", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorReference();

    [GeneratedRegex(@"\b(the|this|that)\s+(article|piece|essay|column|story|post|review|report|text)\b", RegexOptions.IgnoreCase)]
    private static partial Regex PieceReference();

    [GeneratedRegex(@"\b(?<verb>wrote|write|writes|authored|published|printed)\s+(this|it|that)\b(?=\s*[?.!]?\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex WhoWroteIt();

    /// <summary>"it" as the subject or object of a question verb: "when was it published", "what does it say".</summary>
    [GeneratedRegex(@"(?<=\b(was|is|does|did|has|had|about|in|of)\s)it\b(?!\s+(true|said|claimed|possible|likely|known|clear)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex ItPronoun();
}
