using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A WordPress eXtended RSS export: published posts only (pages, attachments and drafts are skipped). Authors come
/// from dc:creator and Co-Authors Plus author terms, the section from the category, the publication from the tag or
/// the original_publication field. DTDs are refused, so entity-expansion and external-entity files cannot harm us.
/// </summary>
public sealed class WxrArticleReader : IArchiveReader
{
    private static readonly XNamespace Wp = "http://wordpress.org/export/1.2/";
    private static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    public string Format => "wxr";

    public bool CanRead(string path, string head) =>
        head.Contains("<rss", StringComparison.Ordinal) && (head.Contains("wordpress.org/export", StringComparison.Ordinal) || head.Contains("<wp:", StringComparison.Ordinal));

    public async Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken)
    {
        XDocument document;
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            Async = true,
        };
        try
        {
            using var source = new StringReader(text);
            using var reader = XmlReader.Create(source, settings);
            document = await XDocument.LoadAsync(reader, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArchiveFormatException("the export declares a DTD (entity declarations are refused for safety); remove the <!DOCTYPE …> block", ex);
        }
        catch (XmlException ex)
        {
            throw new ArchiveFormatException($"not well-formed XML at line {ex.LineNumber}: {ex.Message}", ex);
        }

        var channel = document.Root?.Element("channel") ?? throw new ArchiveFormatException("no <channel> element: not a WordPress export");
        var logins = channel.Elements(Wp + "author").ToDictionary(
            a => (string?)a.Element(Wp + "author_login") ?? "",
            a => TextNormalizer.Line((string?)a.Element(Wp + "author_display_name") ?? (string?)a.Element(Wp + "author_login")),
            StringComparer.OrdinalIgnoreCase);

        var articles = new List<Article>();
        var warnings = new List<string>();
        var parser = new HtmlParser();
        foreach (var item in channel.Elements("item"))
        {
            var type = (string?)item.Element(Wp + "post_type");
            var status = (string?)item.Element(Wp + "status");
            if (!string.Equals(type, "post", StringComparison.Ordinal) || (status is not null && !string.Equals(status, "publish", StringComparison.Ordinal)))
            {
                continue;
            }

            var meta = item.Elements(Wp + "postmeta").ToDictionary(
                m => (string?)m.Element(Wp + "meta_key") ?? "",
                m => (string?)m.Element(Wp + "meta_value") ?? "",
                StringComparer.OrdinalIgnoreCase);
            var title = TextNormalizer.Line((string?)item.Element("title"));
            var html = (string?)item.Element(Content + "encoded") ?? "";
            HtmlText.CheckNesting(html);
            var body = parser.ParseDocument("<html><body>" + html + "</body></html>").Body!;
            var articleText = TextNormalizer.Join(HtmlText.Paragraphs(body));
            if (title.Length == 0 || articleText.Length == 0)
            {
                warnings.Add($"post '{title}' has no title or no content; skipped");
                continue;
            }

            var coAuthors = item.Elements("category").Where(c => (string?)c.Attribute("domain") == "author").Select(c => Login((string)c, logins)).ToList();
            var authors = coAuthors.Count > 0 ? coAuthors : [Login((string?)item.Element(Dc + "creator") ?? "", logins)];
            var precision = meta.GetValueOrDefault("date_precision") switch { "month" => DatePrecision.Month, "year" => DatePrecision.Year, _ => DatePrecision.Day };
            var postDate = (string?)item.Element(Wp + "post_date");
            DateOnly? published = DateTime.TryParse(postDate, CultureInfo.InvariantCulture, DateTimeStyles.None, out var when) ? DateOnly.FromDateTime(when) : null;
            if (published is null)
            {
                warnings.Add($"post '{title}' has no date");
            }

            var slug = (string?)item.Element(Wp + "post_name");
            articles.Add(new Article
            {
                Id = meta.GetValueOrDefault("archive_id") is { Length: > 0 } id ? id : slug ?? HtmlArticleReader.Slug(title),
                Title = title,
                Authors = authors.Where(a => a.Length > 0).Distinct().ToList(),
                Section = item.Elements("category").FirstOrDefault(c => (string?)c.Attribute("domain") == "category") is { } category ? TextNormalizer.Line((string)category) : null,
                Publication = meta.GetValueOrDefault("original_publication") is { Length: > 0 } original ? TextNormalizer.Line(original)
                    : item.Elements("category").FirstOrDefault(c => (string?)c.Attribute("domain") == "post_tag") is { } tag ? TextNormalizer.Line((string)tag) : null,
                Published = published,
                DatePrecision = precision,
                Url = (string?)item.Element("link"),
                Text = articleText,
                SourcePath = path,
            });
        }

        return new ArchiveReadResult(articles, [], warnings);
    }

    private static string Login(string login, Dictionary<string, string> logins) =>
        logins.TryGetValue(login.Trim(), out var name) ? name : TextNormalizer.Line(login);
}
