using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A CMS article page. Metadata from Open Graph / article: meta tags, JSON-LD, the byline and &lt;time&gt;; text from
/// the article body container only, so navigation, share boxes, "Also in…" teasers and footers never become
/// article text. The "About the author" box becomes the author's bio.
/// </summary>
public sealed partial class HtmlArticleReader : IArchiveReader
{
    private static readonly string[] BodySelectors =
    [
        "[itemprop=articleBody]", ".entry-content", ".article-body", ".post-content", ".post-body", ".article-content", ".story-body", "article .content",
    ];

    public string Format => "html";

    public bool CanRead(string path, string head) =>
        head.Contains("<html", StringComparison.OrdinalIgnoreCase) || head.Contains("<!doctype html", StringComparison.OrdinalIgnoreCase)
        || (path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".html", StringComparison.OrdinalIgnoreCase)) && head.Contains('<', StringComparison.Ordinal);

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Parse(text, path));

    public static ArchiveReadResult Parse(string html, string path)
    {
        HtmlText.CheckNesting(html);
        var parser = new HtmlParser(new HtmlParserOptions { IsNotConsumingCharacterReferences = false });
        var document = parser.ParseDocument(html);
        var warnings = new List<string>();
        var jsonLd = ReadJsonLd(document);

        var title = TextNormalizer.Line(HtmlText.Meta(document, "og:title") ?? jsonLd.Headline
            ?? document.QuerySelector("article h1, h1")?.TextContent ?? StripSiteName(document.Title));
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new ArchiveFormatException("no title (og:title, JSON-LD headline, <h1> or <title>)");
        }

        var authors = HtmlText.MetaAll(document, "article:author").Select(TextNormalizer.Line).ToList();
        if (authors.Count == 0)
        {
            authors = jsonLd.Authors.ToList();
        }

        if (authors.Count == 0)
        {
            authors = document.QuerySelectorAll("[itemprop=author], .author, .byline, [rel=author]")
                .Select(e => ByPrefix().Replace(TextNormalizer.Line(e.TextContent), ""))
                .Where(a => a.Length is > 1 and < 80).Distinct().ToList();
        }

        var (published, precision) = ParseDate(HtmlText.Meta(document, "article:published_time") ?? jsonLd.DatePublished
            ?? document.QuerySelector("article time[datetime], time[datetime]")?.GetAttribute("datetime"));
        if (published is null)
        {
            warnings.Add("no publication date");
        }
        else if (document.QuerySelector("article time[datetime]")?.TextContent is { } shown && YearOnly().IsMatch(shown.Trim()))
        {
            // The page shows only a year ("1908"): the stored date is a placeholder for that year.
            precision = DatePrecision.Year;
        }

        var section = HtmlText.Meta(document, "article:section") ?? jsonLd.Section;
        var publishedIn = PublishedIn().Match(document.QuerySelector(".posted-on, .dateline")?.TextContent ?? "");
        var publication = document.QuerySelector(".publication")?.TextContent ?? (publishedIn.Success ? publishedIn.Groups[1].Value : null);
        publication ??= HtmlText.MetaAll(document, "article:tag").FirstOrDefault();
        publication ??= DatelinePublication(document);

        var url = document.QuerySelector("link[rel=canonical]")?.GetAttribute("href") ?? HtmlText.Meta(document, "og:url") ?? jsonLd.Url;

        var bodyElement = BodySelectors.Select(s => document.QuerySelector(s)).FirstOrDefault(e => e is not null)
            ?? document.QuerySelector("article") ?? document.QuerySelector("main") ?? document.Body
            ?? throw new ArchiveFormatException("no article body");
        var paragraphs = HtmlText.Paragraphs(bodyElement);
        // A heading that repeats the title is not body text.
        if (paragraphs.Count > 0 && string.Equals(paragraphs[0], title, StringComparison.OrdinalIgnoreCase))
        {
            paragraphs.RemoveAt(0);
        }

        var text = TextNormalizer.Join(paragraphs);
        if (text.Length == 0)
        {
            throw new ArchiveFormatException("the article body is empty");
        }

        var article = new Article
        {
            Id = IdFromPath(path, url),
            Title = title,
            Authors = authors,
            Publication = publication is null ? null : TextNormalizer.Line(publication),
            Section = section is null ? null : TextNormalizer.Line(section),
            Published = published,
            DatePrecision = precision,
            Url = url,
            Text = text,
            SourcePath = path,
        };

        return new ArchiveReadResult([article], ReadBios(document, authors), warnings);
    }

    internal static string IdFromPath(string path, string? url)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        if (!string.IsNullOrWhiteSpace(stem) && !stem.Equals("index", StringComparison.OrdinalIgnoreCase))
        {
            return stem;
        }

        return url is null ? stem : Slug(url.TrimEnd('/').Split('/')[^1]);
    }

    internal static string Slug(string value) => SlugChars().Replace(value.ToLowerInvariant(), "-").Trim('-');

    internal static (DateOnly? Date, DatePrecision Precision) ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, DatePrecision.Day);
        }

        value = value.Trim();
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return (DateOnly.FromDateTime(instant.UtcDateTime), DatePrecision.Day);
        }

        if (Regex.IsMatch(value, @"^\d{4}-\d{2}$"))
        {
            return (DateOnly.ParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture), DatePrecision.Month);
        }

        if (Regex.IsMatch(value, @"^\d{4}$"))
        {
            return (new DateOnly(int.Parse(value, CultureInfo.InvariantCulture), 1, 1), DatePrecision.Year);
        }

        return DateOnly.TryParse(value, CultureInfo.InvariantCulture, out var date) ? (date, DatePrecision.Day) : (null, DatePrecision.Day);
    }

    private static List<AuthorProfile> ReadBios(IDocument document, IReadOnlyList<string> authors)
    {
        var bios = new List<AuthorProfile>();
        foreach (var box in document.QuerySelectorAll("*").Where(Boilerplate.IsAuthorBio).Take(4))
        {
            var name = TextNormalizer.Line(box.QuerySelector(".bio-name, h4, strong, .author-name")?.TextContent);
            if (name.Length == 0 || name.Length > 80)
            {
                name = authors.FirstOrDefault() ?? "";
            }

            var clone = (IElement)box.Clone();
            foreach (var heading in clone.QuerySelectorAll("h1, h2, h3, .bio-name, h4, .author-name").ToList())
            {
                heading.Remove();
            }

            var bio = TextNormalizer.Line(clone.TextContent);
            // "G. K. Chesterton G. K. Chesterton (1874-1936) was…": drop the leading name link and separators.
            bio = bio.TrimStart(' ', '-', '\u2014', ':', '|');
            if (name.Length > 0 && bio.StartsWith(name + " " + name, StringComparison.Ordinal))
            {
                bio = bio[(name.Length + 1)..];
            }

            bio = bio.TrimStart(' ', '-', ':', '|');
            if (name.Length > 0 && bio.Length > 20)
            {
                bios.Add(new AuthorProfile(name, bio));
            }
        }

        return bios;
    }

    private static string? DatelinePublication(IDocument document)
    {
        var dateline = document.QuerySelector(".dateline")?.TextContent;
        var parts = dateline?.Split('|').Select(p => p.Trim()).ToArray();
        return parts is { Length: 3 } ? parts[1] : null;
    }

    private static string StripSiteName(string? title)
    {
        if (title is null)
        {
            return "";
        }

        var bar = title.LastIndexOf(" | ", StringComparison.Ordinal);
        return bar > 0 ? title[..bar] : title;
    }

    private sealed record JsonLdArticle(string? Headline, IReadOnlyList<string> Authors, string? DatePublished, string? Section, string? Url);

    private static JsonLdArticle ReadJsonLd(IDocument document)
    {
        foreach (var script in document.QuerySelectorAll("script[type='application/ld+json']"))
        {
            try
            {
                using var json = JsonDocument.Parse(script.TextContent);
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
                {
                    root = root[0];
                }

                if (root.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var authors = new List<string>();
                if (root.TryGetProperty("author", out var author))
                {
                    foreach (var entry in author.ValueKind == JsonValueKind.Array ? author.EnumerateArray().ToArray() : [author])
                    {
                        var name = entry.ValueKind == JsonValueKind.String ? entry.GetString() : entry.TryGetProperty("name", out var n) ? n.GetString() : null;
                        if (!string.IsNullOrWhiteSpace(name))
                        {
                            authors.Add(TextNormalizer.Line(name));
                        }
                    }
                }

                return new JsonLdArticle(
                    Get(root, "headline"),
                    authors,
                    Get(root, "datePublished"),
                    Get(root, "articleSection"),
                    Get(root, "mainEntityOfPage") ?? Get(root, "url"));
            }
            catch (JsonException)
            {
                // Broken JSON-LD is common on real sites; the meta tags still carry the metadata.
            }
        }

        return new JsonLdArticle(null, [], null, null, null);
    }

    private static string? Get(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^\s*by\s+", RegexOptions.IgnoreCase)]
    private static partial Regex ByPrefix();

    [GeneratedRegex(@"published in ([^,]+),", RegexOptions.IgnoreCase)]
    private static partial Regex PublishedIn();

    [GeneratedRegex(@"^\d{4}$")]
    private static partial Regex YearOnly();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugChars();
}
