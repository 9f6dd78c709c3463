using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Clippings.Archive;
using Clippings.Ingestion.StaticSites;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A static-site document: Markdown (or a Jekyll .html post) with YAML, TOML or JSON front matter, as Jekyll, Hugo and
/// Go-style blogs keep posts. Reads title, authors (by, author, authors; slugs resolved through the site's author data),
/// date (front matter, else the file name, else the folder), categories/section and URL; template syntax, images and
/// kramdown attributes never become text; raw HTML blocks keep their text; code blocks are kept. Redirect stubs, drafts,
/// listing templates and author records are skipped on purpose. The "# Title" heading is not body text; block quotes keep
/// their line breaks (verse).
/// </summary>
public sealed partial class MarkdownArticleReader : IArchiveReader, ISiteAwareReader
{
    private const int MaxIncludeBytes = 2 * 1024 * 1024;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    private static readonly string[] DateKeys = ["date", "published", "pubDate", "pub_date", "publishDate", "publish_date", "published_at", "publication_date", "created", "created_at"];

    private static readonly string[] AuthorKeys = ["authors", "author", "by", "byline", "creator", "creators"];

    private static readonly HashSet<string> SkippedHtml = new(StringComparer.OrdinalIgnoreCase)
    {
        "SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "IMG", "PICTURE", "SOURCE", "VIDEO", "AUDIO", "IFRAME", "OBJECT", "EMBED", "CANVAS",
        "MAP", "BUTTON", "INPUT", "SELECT", "TEXTAREA", "HEAD", "TITLE", "META", "LINK",
    };

    private static readonly HashSet<string> BlockHtml = new(StringComparer.OrdinalIgnoreCase)
    {
        "P", "DIV", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "UL", "OL", "BLOCKQUOTE", "PRE", "TABLE", "THEAD", "TBODY", "TFOOT", "TR",
        "FIGURE", "FIGCAPTION", "SECTION", "ARTICLE", "ASIDE", "HEADER", "FOOTER", "NAV", "DL", "DT", "DD", "HR", "CAPTION", "MAIN",
        "ADDRESS", "DETAILS", "SUMMARY", "CENTER", "FORM", "FIELDSET",
    };

    public string Format => "markdown";

    /// <summary>A .md/.markdown file, or any file opening with a front-matter fence (a Jekyll .html post is one too).</summary>
    public bool CanRead(string path, string head) => IsMarkdownPath(path) || FrontMatter.StartsWithFence(head);

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Read(path, text, null));

    public Task<ArchiveReadResult> ReadAsync(string path, string text, SiteContext? site, CancellationToken cancellationToken) =>
        Task.FromResult(Read(path, text, site));

    private static bool IsMarkdownPath(string path) =>
        Path.GetExtension(path).ToUpperInvariant() is ".MD" or ".MARKDOWN" or ".MDOWN" or ".MKD";

    private static ArchiveReadResult Read(string path, string text, SiteContext? site)
    {
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (StaticSiteCatalog.IsAuthorRecord(path, site))
        {
            return StaticSiteCatalog.ReadAuthorRecord(path) is { } record
                ? ArchiveReadResult.Skip($"author record ({record.Profile.Name})", [record.Profile])
                : ArchiveReadResult.Skip("author record without a name");
        }

        var document = FrontMatter.Parse(text, allowJson: IsMarkdownPath(path));
        var warnings = new List<string>(document.Warnings);
        if (document.Flag("draft") == true || document.Flag("published") == false)
        {
            return ArchiveReadResult.Skip("a draft (draft: true or published: false)");
        }

        var redirect = document.Scalar("redirect", "redirect_to", "redirect_url", "redirectTo");
        if (redirect is not null && string.IsNullOrWhiteSpace(document.Body))
        {
            return ArchiveReadResult.Skip($"a redirect stub to {redirect}");
        }

        var (published, precision) = PublicationDate(document, path);
        var fileName = Path.GetFileNameWithoutExtension(path);
        if (published is null && (TemplateSyntax.IsListing(document.Body) || fileName == "_index"))
        {
            return ArchiveReadResult.Skip("a listing template or section page (loops over posts, no date)");
        }

        if (published is null)
        {
            warnings.Add("no publication date");
        }

        if (document.Scalar("date_precision") is { } declared)
        {
            precision = declared switch { "month" => DatePrecision.Month, "year" => DatePrecision.Year, _ => DatePrecision.Day };
        }

        var includes = new List<string>();
        var body = TemplateSyntax.Strip(document.Body, everywhere: document.Flag("template") == true, includes);
        string? heading = null;
        var paragraphs = new List<string>();
        if (IsMarkdownPath(path) || !Path.GetExtension(path).StartsWith(".htm", StringComparison.OrdinalIgnoreCase))
        {
            var walker = new BlockWalker(Path.GetDirectoryName(Path.GetFullPath(path))!, includes, warnings);
            walker.Walk(Markdown.Parse(body, Pipeline), paragraphs, verse: false);
            heading = walker.Heading;
        }
        else
        {
            // A Jekyll .html post: the body is HTML (Jekyll does not run Markdown over it).
            paragraphs.AddRange(HtmlParagraphs(body));
        }

        var textBody = TextNormalizer.Join(paragraphs);
        if (textBody.Length == 0)
        {
            if (redirect is not null)
            {
                return ArchiveReadResult.Skip($"a redirect stub to {redirect}");
            }

            throw new ArchiveFormatException("the article body is empty");
        }

        var bios = new List<AuthorProfile>();
        var authors = Authors(document, site, bios);
        var folderName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
        // A page bundle (post/index.md) is named by its folder.
        var baseName = fileName is "index" or "_index" && folderName is { Length: > 0 } ? folderName : fileName;
        var slug = document.Scalar("slug", "basename");
        var section = document.List("categories", spaceSeparated: true).FirstOrDefault() ?? document.Scalar("category", "section") ?? ContentSection(path, site);
        var explicitUrl = document.Scalar("canonical_url", "canonicalURL", "canonical", "url", "permalink");
        var url = explicitUrl is not null
            ? site?.Absolute(explicitUrl) ?? explicitUrl
            : site?.Absolute(slug ?? FileDatePrefix().Replace(baseName, ""));

        if (document.Scalar("author_bio") is { } bio && authors.Count > 0)
        {
            bios.Add(new AuthorProfile(authors[0], TextNormalizer.Line(bio)));
        }

        var article = new Article
        {
            Id = document.Scalar("id") ?? slug ?? baseName,
            Title = TextNormalizer.Line(document.Scalar("title", "linkTitle") ?? heading ?? fileName),
            Authors = authors,
            // Tags are topics: never the section or the publication.
            Section = TextNormalizer.Line(section) is { Length: > 0 } s ? s : null,
            Publication = TextNormalizer.Line(document.Scalar("publication") ?? site?.Title) is { Length: > 0 } p ? p : null,
            Published = published,
            DatePrecision = precision,
            Url = url,
            Text = textBody,
            SourcePath = path,
        };

        return new ArchiveReadResult([article], bios.DistinctBy(b => b.Name, StringComparer.OrdinalIgnoreCase).ToList(), warnings);
    }

    /// <summary>The date from front matter, else from the file name (2017-02-03-slug, 2021-9-1-slug), else from the folders (/2019/04/slug.md).</summary>
    internal static (DateOnly? Date, DatePrecision Precision) PublicationDate(FrontMatterDocument document, string path)
    {
        foreach (var key in DateKeys)
        {
            if (document.Fields.TryGetValue(key, out var value) && value is not bool && ParseDate(FrontMatter.AsScalar(value)) is { Date: not null } parsed)
            {
                return parsed;
            }
        }

        if (LeadingDate().Match(Path.GetFileName(path)) is { Success: true } named && MakeDate(named) is { } fromName)
        {
            return (fromName, DatePrecision.Day);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))?.Replace('\\', '/') ?? "";
        if (FolderDate().Match(folder) is { Success: true } dated && int.Parse(dated.Groups[1].Value, CultureInfo.InvariantCulture) is var year and >= 1800 and <= 2200)
        {
            var month = dated.Groups[2].Success ? int.Parse(dated.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
            var day = dated.Groups[3].Success ? int.Parse(dated.Groups[3].Value, CultureInfo.InvariantCulture) : 1;
            if (month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
            {
                return (new DateOnly(year, month, day), dated.Groups[3].Success ? DatePrecision.Day : dated.Groups[2].Success ? DatePrecision.Month : DatePrecision.Year);
            }
        }

        return (null, DatePrecision.Day);
    }

    /// <summary>A date as people write them in front matter, tolerating unpadded parts and trailing junk ("2024-4-09", "2017-09-27 (optional)").</summary>
    internal static (DateOnly? Date, DatePrecision Precision) ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, DatePrecision.Day);
        }

        var parsed = HtmlArticleReader.ParseDate(value);
        if (parsed.Date is not null)
        {
            return parsed;
        }

        return LeadingDate().Match(value.Trim()) is { Success: true } m && MakeDate(m) is { } date ? (date, DatePrecision.Day) : (null, DatePrecision.Day);
    }

    private static DateOnly? MakeDate(Match m)
    {
        var year = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var month = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;
    }

    /// <summary>Byline entries from every author key, split into people and resolved through the site's author records.</summary>
    private static List<string> Authors(FrontMatterDocument document, SiteContext? site, List<AuthorProfile> bios)
    {
        var entries = new List<string>();
        foreach (var key in AuthorKeys)
        {
            if (!document.Fields.TryGetValue(key, out var value) || value is null)
            {
                continue;
            }

            foreach (var item in value is IReadOnlyList<object?> list ? list : [value])
            {
                if (item is IReadOnlyDictionary<string, object?> record)
                {
                    var name = FrontMatter.AsScalar(Get(record, "name") ?? Get(record, "display_name") ?? Get(record, "title"));
                    if (name is { Length: > 0 })
                    {
                        entries.Add(name);
                        if (FrontMatter.AsScalar(Get(record, "bio") ?? Get(record, "description")) is { Length: > 0 } bio)
                        {
                            bios.Add(new AuthorProfile(TextNormalizer.Line(name), TextNormalizer.Line(bio)));
                        }
                    }
                }
                else if (FrontMatter.AsScalar(item) is { Length: > 0 } entry)
                {
                    entries.Add(entry);
                }
            }

            if (entries.Count > 0)
            {
                break;
            }
        }

        var names = new List<string>();
        foreach (var entry in entries)
        {
            // A whole entry may be a slug ("jdoe") or a list of slugs ("jdoe, asmith").
            var parts = site?.Resolve(entry) is { } whole ? [whole.Name] : Bylines.Split(entry);
            foreach (var part in parts)
            {
                var profile = site?.Resolve(part);
                if (profile?.Bio is not null)
                {
                    bios.Add(profile);
                }

                names.Add(profile?.Name ?? part);
            }
        }

        return names.Select(TextNormalizer.Line).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The first content folder under the site root (Hugo content/&lt;section&gt;/, Jekyll &lt;category&gt;/_posts/), if any.</summary>
    private static string? ContentSection(string path, SiteContext? site)
    {
        if (site?.Root is not { } root)
        {
            return null;
        }

        var relative = Path.GetRelativePath(root, Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.FirstOrDefault(p => p is not ("content" or "_posts" or "posts" or "post" or "blog" or "_drafts") && !p.All(char.IsAsciiDigit) && !p.StartsWith('_'));
    }

    private static object? Get(IReadOnlyDictionary<string, object?> map, string key) => map.TryGetValue(key, out var value) ? value : null;

    /// <summary>Paragraph texts of an HTML fragment: block elements become paragraphs; styles, scripts and images give nothing.</summary>
    internal static List<string> HtmlParagraphs(string html)
    {
        HtmlText.CheckNesting(html);
        var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>");
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        WalkHtml(document.Body!, paragraphs, current, pre: false);
        Flush(paragraphs, current);
        return paragraphs;
    }

    private static void WalkHtml(INode node, List<string> paragraphs, StringBuilder current, bool pre)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    current.Append(pre ? text.Data : Whitespace().Replace(text.Data, " "));
                    break;
                case IElement element when SkippedHtml.Contains(element.TagName):
                    break;
                case IElement { LocalName: "svg" } svg:
                    // An inline chart's labels and figures are what it says (survey results); its styles are not.
                    Flush(paragraphs, current);
                    foreach (var row in svg.QuerySelectorAll("text").GroupBy(t => t.GetAttribute("y") ?? ""))
                    {
                        current.Append(string.Join(' ', row.Select(t => Whitespace().Replace(t.TextContent, " ").Trim())));
                        Flush(paragraphs, current);
                    }

                    break;
                case IElement { TagName: "BR" }:
                    current.Append('\n');
                    break;
                case IElement { TagName: "TD" or "TH" } cell:
                    if (current.ToString().Trim().Length > 0)
                    {
                        current.Append(" | ");
                    }

                    WalkHtml(cell, paragraphs, current, pre);
                    break;
                case IElement element when BlockHtml.Contains(element.TagName):
                    Flush(paragraphs, current);
                    WalkHtml(element, paragraphs, current, pre || element.TagName == "PRE");
                    Flush(paragraphs, current);
                    break;
                case IElement element:
                    WalkHtml(element, paragraphs, current, pre);
                    break;
            }
        }
    }

    private static void Flush(List<string> paragraphs, StringBuilder current)
    {
        var text = current.ToString().Trim();
        if (text.Length > 0)
        {
            paragraphs.Add(text);
        }

        current.Clear();
    }

    /// <summary>Walks Markdown blocks into paragraphs, recursing into lists and quotes; replaces include markers with the side file's text.</summary>
    private sealed class BlockWalker(string folder, List<string> includes, List<string> warnings)
    {
        public string? Heading { get; private set; }

        public void Walk(ContainerBlock container, List<string> paragraphs, bool verse)
        {
            foreach (var block in container)
            {
                switch (block)
                {
                    case HeadingBlock { Level: 1 } h when Heading is null && paragraphs.Count == 0 && !verse:
                        Heading = InlineText(h.Inline, verse: false);
                        break;
                    case HeadingBlock h:
                        paragraphs.Add(InlineText(h.Inline, verse: false));
                        break;
                    case ParagraphBlock p:
                        var text = InlineText(p.Inline, verse);
                        if (IncludeParagraph().Match(text.Trim()) is { Success: true } include)
                        {
                            paragraphs.AddRange(Include(includes[int.Parse(include.Groups[1].Value, CultureInfo.InvariantCulture)]));
                        }
                        else
                        {
                            paragraphs.Add(text);
                        }

                        break;
                    case QuoteBlock quote:
                        // A quote is one paragraph whose lines survive (verse, letters).
                        var inner = new List<string>();
                        Walk(quote, inner, verse: true);
                        paragraphs.Add(string.Join('\n', inner.Where(i => i.Length > 0)));
                        break;
                    case ListBlock list:
                        // Numbered notes ("1. This was the case…") keep their numbers; they are part of the text.
                        foreach (var item in list.OfType<ListItemBlock>())
                        {
                            var prefix = list.IsOrdered ? $"{item.Order}{list.OrderedDelimiter} " : "";
                            var itemParagraphs = new List<string>();
                            Walk(item, itemParagraphs, verse);
                            if (itemParagraphs.Count > 0 && item.FirstOrDefault() is ParagraphBlock)
                            {
                                itemParagraphs[0] = prefix + itemParagraphs[0];
                            }

                            paragraphs.AddRange(itemParagraphs);
                        }

                        break;
                    case CodeBlock code:
                        paragraphs.Add(string.Join('\n', code.Lines.Lines.Take(code.Lines.Count).Select(l => l.ToString())));
                        break;
                    case HtmlBlock html:
                        paragraphs.AddRange(HtmlParagraphs(string.Join('\n', html.Lines.Lines.Take(html.Lines.Count).Select(l => l.ToString()))));
                        break;
                    case Table table:
                        foreach (var row in table.OfType<TableRow>())
                        {
                            paragraphs.Add(string.Join(" | ", row.OfType<TableCell>().Select(c => string.Join(' ', c.OfType<ParagraphBlock>().Select(cp => InlineText(cp.Inline, false))))));
                        }

                        break;
                    case ContainerBlock nested:
                        Walk(nested, paragraphs, verse);
                        break;
                }
            }
        }

        /// <summary>The text of a side file a Go template pulls in with {{raw (file "…")}}; only files inside the post's folder tree.</summary>
        private List<string> Include(string relative)
        {
            var full = Path.GetFullPath(Path.Combine(folder, relative));
            var info = new FileInfo(full);
            if (!full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !info.Exists || info.Length > MaxIncludeBytes)
            {
                warnings.Add($"included file {relative} is missing or outside the post's folder; left out");
                return [];
            }

            var content = File.ReadAllText(full);
            return Path.GetExtension(full).StartsWith(".htm", StringComparison.OrdinalIgnoreCase) ? HtmlParagraphs(content) : [content];
        }

        private static string InlineText(ContainerInline? container, bool verse)
        {
            var builder = new StringBuilder();
            Append(container, builder, verse);
            return builder.ToString();
        }

        private static void Append(ContainerInline? container, StringBuilder builder, bool verse)
        {
            if (container is null)
            {
                return;
            }

            foreach (var inline in container)
            {
                switch (inline)
                {
                    case LiteralInline literal:
                        builder.Append(literal.Content.ToString());
                        break;
                    case LineBreakInline lineBreak:
                        builder.Append(verse || lineBreak.IsHard ? '\n' : ' ');
                        break;
                    case CodeInline code:
                        builder.Append(code.Content);
                        break;
                    case HtmlEntityInline entity:
                        builder.Append(entity.Transcoded.ToString());
                        break;
                    case AutolinkInline autolink:
                        builder.Append(autolink.Url);
                        break;
                    case LinkInline { IsImage: true }:
                        // Alt text describes a picture; it is not something the piece says.
                        break;
                    case HtmlInline:
                        break;
                    case ContainerInline nested:
                        Append(nested, builder, verse);
                        break;
                }
            }
        }
    }

    [GeneratedRegex(@"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")]
    private static partial Regex LeadingDate();

    [GeneratedRegex(@"^\d{4}-\d{1,2}-\d{1,2}-")]
    private static partial Regex FileDatePrefix();

    [GeneratedRegex(@"/(\d{4})(?:/(\d{1,2})(?:/(\d{1,2}))?)?(?:/[^/]*)?$")]
    private static partial Regex FolderDate();

    [GeneratedRegex("^\uE000(\\d+)\uE000$")]
    private static partial Regex IncludeParagraph();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
