using System.Text.RegularExpressions;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A plain-text article: the first line is the title, an optional "By NAME" line names the author and an optional
/// "Date: YYYY-MM-DD" line the date; the rest is paragraphs separated by blank lines.
/// </summary>
public sealed partial class PlainTextArticleReader : IArchiveReader
{
    public string Format => "text";

    public bool CanRead(string path, string head) => true;

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Read(path, text));

    private static ArchiveReadResult Read(string path, string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\uFEFF', '\n', ' ');
        var lines = text.Split('\n').ToList();
        if (lines.Count < 2)
        {
            throw new ArchiveFormatException("a text article needs a title line and a body");
        }

        var title = TextNormalizer.Line(lines[0]);
        lines.RemoveAt(0);
        var authors = new List<string>();
        DateOnly? published = null;
        var precision = DatePrecision.Day;
        while (lines.Count > 0 && (string.IsNullOrWhiteSpace(lines[0]) || Byline().IsMatch(lines[0]) || DateLine().IsMatch(lines[0])))
        {
            if (Byline().Match(lines[0]) is { Success: true } by)
            {
                authors.AddRange(by.Groups[1].Value.Split([",", " and "], StringSplitOptions.RemoveEmptyEntries).Select(TextNormalizer.Line));
            }
            else if (DateLine().Match(lines[0]) is { Success: true } date)
            {
                (published, precision) = HtmlArticleReader.ParseDate(date.Groups[1].Value);
            }

            lines.RemoveAt(0);
        }

        var body = TextNormalizer.Join(string.Join('\n', lines).Split("\n\n").Select(p => p.Replace('\n', ' ')));
        if (body.Length == 0 || title.Length == 0)
        {
            throw new ArchiveFormatException("the text has no title or no body");
        }

        var article = new Article
        {
            Id = HtmlArticleReader.Slug(Path.GetFileNameWithoutExtension(path)),
            Title = title,
            Authors = authors,
            Published = published,
            DatePrecision = precision,
            Text = body,
            SourcePath = path,
        };
        return new ArchiveReadResult([article], [], published is null ? ["no publication date"] : []);
    }

    [GeneratedRegex(@"^\s*by\s+(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex Byline();

    [GeneratedRegex(@"^\s*(?:date|published)\s*:\s*(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex DateLine();
}
