using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A post from a Medium export (posts/*.html, h-entry markup): title .p-name, body .e-content, author .p-author,
/// date .dt-published, URL the .p-canonical link. Drafts (draft_* files, or no author and no date), responses
/// (a comment exported as a post: one paragraph, no image) and the account's profile page are skipped with a reason.
/// </summary>
public sealed partial class MediumArticleReader : IArchiveReader
{
    public string Format => "medium";

    /// <summary>
    /// Medium's export markup: an h-entry with Medium's "graf" paragraphs or data-field sections, or the profile h-card;
    /// or Medium's export file name (2018-08-11_Title-0123456789ab.html, draft_Title-….html), since real exports put a
    /// long style sheet before the markup, past the head the loader shows us.
    /// </summary>
    public bool CanRead(string path, string head) =>
        (path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
        && ((head.Contains("h-entry", StringComparison.Ordinal) && (head.Contains("graf--", StringComparison.Ordinal) || head.Contains("data-field=\"body\"", StringComparison.Ordinal)))
            || (head.Contains("h-card", StringComparison.Ordinal) && head.Contains("Medium user ID", StringComparison.Ordinal))
            || ExportFileName().IsMatch(Path.GetFileName(path)));

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Read(path, text));

    private static ArchiveReadResult Read(string path, string text)
    {
        HtmlText.CheckNesting(text);
        var document = new HtmlParser().ParseDocument(text);
        var entry = document.QuerySelector(".h-entry");
        if (entry is null)
        {
            return document.QuerySelector(".h-card") is not null
                ? ArchiveReadResult.Skip("the Medium account's profile page, not an article")
                : throw new ArchiveFormatException("named like a Medium export post but has no h-entry article");
        }

        var author = TextNormalizer.Line(entry.QuerySelector(".p-author")?.TextContent);
        var datetime = entry.QuerySelector(".dt-published")?.GetAttribute("datetime");
        if (Path.GetFileName(path).StartsWith("draft_", StringComparison.OrdinalIgnoreCase) || (author.Length == 0 && datetime is null))
        {
            return ArchiveReadResult.Skip("a Medium draft (never published)");
        }

        var content = entry.QuerySelector(".e-content") ?? throw new ArchiveFormatException("Medium post without an e-content body");
        var title = TextNormalizer.Line(entry.QuerySelector(".p-name")?.TextContent);
        var paragraphs = HtmlText.Paragraphs(content);
        // Medium repeats the title as the body's first heading (graf--title).
        if (paragraphs.Count > 0 && TextNormalizer.Line(paragraphs[0]) == title)
        {
            paragraphs.RemoveAt(0);
        }

        // A response (comment) is exported like a post; Ghost's importer flags the same shape: one paragraph, no image.
        if (paragraphs.Count <= 1 && content.QuerySelector("img, figure") is null)
        {
            return ArchiveReadResult.Skip("a Medium response (a comment exported as a post), not an article");
        }

        var articleText = TextNormalizer.Join(paragraphs);
        if (title.Length == 0 || articleText.Length == 0)
        {
            throw new ArchiveFormatException($"Medium post without {(title.Length == 0 ? "a title (.p-name)" : "text")}");
        }

        var warnings = new List<string>();
        var (published, precision) = HtmlArticleReader.ParseDate(datetime);
        if (published is null)
        {
            warnings.Add("no publication date");
        }

        var article = new Article
        {
            // Not the canonical URL: exports give several posts the same one. The file name carries Medium's post id.
            Id = "medium-" + HtmlArticleReader.Slug(Path.GetFileNameWithoutExtension(path)),
            Title = title,
            Authors = author.Length > 0 ? [author] : [],
            Published = published,
            DatePrecision = precision,
            Url = entry.QuerySelector("a.p-canonical")?.GetAttribute("href")?.Trim(),
            Text = articleText,
            SourcePath = path,
        };
        return new ArchiveReadResult([article], [], warnings);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}_|draft_).+-[0-9a-f]{8,16}\.html?$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ExportFileName();
}
