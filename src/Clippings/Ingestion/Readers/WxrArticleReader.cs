using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A WordPress eXtended RSS export, any WXR version (1.0, 1.1, 1.2, http or https namespace: the wp namespace is
/// taken from the file's own wp:wxr_version element). Published posts only; pages, attachments, menus, drafts,
/// private, scheduled and password-protected posts are counted in a warning. Authors come from dc:creator through
/// the wp:author display names, or from Co-Authors Plus author terms; the section from the category; the
/// publication only from an original_publication field (a tag is a topic, not a publication). DTDs are refused,
/// so entity-expansion and external-entity files cannot harm us.
/// </summary>
public sealed partial class WxrArticleReader : IArchiveReader
{
    private static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";

    public string Format => "wxr";

    public bool CanRead(string path, string head) =>
        head.Contains("<rss", StringComparison.Ordinal) && (head.Contains("wordpress.org/export", StringComparison.Ordinal) || head.Contains("<wp:", StringComparison.Ordinal));

    public async Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken)
    {
        var document = await LoadAsync(text, cancellationToken).ConfigureAwait(false);
        var channel = document.Root?.Element("channel") ?? throw new ArchiveFormatException("no <channel> element: not a WordPress export");
        var wp = WpNamespace(channel);
        var logins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var author in channel.Elements(wp + "author"))
        {
            var login = ((string?)author.Element(wp + "author_login"))?.Trim() ?? "";
            logins.TryAdd(login, TextNormalizer.Line((string?)author.Element(wp + "author_display_name") is { Length: > 0 } display ? display : login));
        }

        var site = (string?)channel.Element(wp + "base_blog_url") ?? (string?)channel.Element("link");
        var articles = new List<Article>();
        var warnings = new List<string>();
        var skipped = new SkipCounter();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var parser = new HtmlParser();
        foreach (var item in channel.Elements("item"))
        {
            var type = ((string?)item.Element(wp + "post_type"))?.Trim();
            var status = ((string?)item.Element(wp + "status"))?.Trim();
            if (!string.Equals(type, "post", StringComparison.Ordinal))
            {
                skipped.Add(type switch
                {
                    "page" => ("page", "pages"),
                    "attachment" => ("attachment", "attachments"),
                    "nav_menu_item" => ("nav menu item", "nav menu items"),
                    "wp_navigation" => ("wp_navigation item", "wp_navigation items"),
                    null or "" => ("item with no WordPress post type", "items with no WordPress post type"),
                    _ => ($"{type} item", $"{type} items"),
                });
                continue;
            }

            if (status is not null && !string.Equals(status, "publish", StringComparison.Ordinal))
            {
                skipped.Add(status switch
                {
                    "draft" or "auto-draft" => ("draft", "drafts"),
                    "private" => ("private post", "private posts"),
                    "future" => ("scheduled post", "scheduled posts"),
                    "pending" => ("post pending review", "posts pending review"),
                    "trash" => ("trashed post", "trashed posts"),
                    _ => ($"{status} post", $"{status} posts"),
                });
                continue;
            }

            if (((string?)item.Element(wp + "post_password"))?.Length > 0)
            {
                skipped.Add(("password-protected post", "password-protected posts"));
                continue;
            }

            var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var m in item.Elements(wp + "postmeta"))
            {
                meta.TryAdd((string?)m.Element(wp + "meta_key") ?? "", (string?)m.Element(wp + "meta_value") ?? "");
            }

            var articleText = TextNormalizer.Join(WordPressContent.Paragraphs((string?)item.Element(Content + "encoded") ?? "", parser));
            var slug = ((string?)item.Element(wp + "post_name"))?.Trim();
            var title = TextNormalizer.Line((string?)item.Element("title"));
            if (articleText.Length == 0)
            {
                skipped.Add(("post with no text", "posts with no text"));
                continue;
            }

            if (title.Length == 0)
            {
                title = DerivedTitle(slug, articleText);
                warnings.Add($"a post has no title; called it '{title}'");
            }

            var creator = ((string?)item.Element(Dc + "creator") ?? "").Trim().TrimStart('>').Trim();
            var coAuthors = item.Elements("category").Where(c => (string?)c.Attribute("domain") == "author").Select(c => Login((string)c, logins)).ToList();
            var authors = coAuthors.Count > 0 ? coAuthors : [Login(creator, logins)];
            var precision = meta.GetValueOrDefault("date_precision") switch { "month" => DatePrecision.Month, "year" => DatePrecision.Year, _ => DatePrecision.Day };
            var published = Date((string?)item.Element(wp + "post_date")) ?? Date((string?)item.Element(wp + "post_date_gmt")) ?? RssDate((string?)item.Element("pubDate"));
            if (published is null)
            {
                warnings.Add($"post '{title}' has no date");
            }

            var id = meta.GetValueOrDefault("archive_id") is { Length: > 0 } archiveId ? archiveId
                : slug is { Length: > 0 } ? slug
                : HtmlArticleReader.Slug(title) is { Length: > 0 } titleSlug ? titleSlug
                : $"wp-post-{((string?)item.Element(wp + "post_id"))?.Trim()}";
            var postId = ((string?)item.Element(wp + "post_id"))?.Trim();
            if (!seen.Add(id))
            {
                // Another post with this slug: a distinct post (own post_id) gets a distinct id; the same item twice is one article.
                if (postId is { Length: > 0 } && seen.Add($"{id}-{postId}"))
                {
                    id = $"{id}-{postId}";
                }
                else
                {
                    warnings.Add($"post '{title}' repeats the id {id}; the first one is kept");
                    continue;
                }
            }

            var section = item.Elements("category").Where(c => (string?)c.Attribute("domain") == "category").Select(c => TextNormalizer.Line((string)c))
                .FirstOrDefault(c => c.Length > 0 && !c.Equals("Uncategorized", StringComparison.OrdinalIgnoreCase));
            articles.Add(new Article
            {
                Id = id,
                Title = title,
                Authors = authors.Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
                Section = section,
                Publication = meta.GetValueOrDefault("original_publication") is { Length: > 0 } original ? TextNormalizer.Line(original) : null,
                Published = published,
                DatePrecision = precision,
                Url = AbsoluteUrl(((string?)item.Element("link"))?.Trim(), site),
                Text = articleText,
                SourcePath = path,
            });
        }

        if (skipped.Total > 0)
        {
            warnings.Insert(0, "skipped " + skipped);
        }

        if (articles.Count == 0)
        {
            // A split export's pages-only or attachments-only file: readable, and deliberately no article.
            return ArchiveReadResult.Skip(skipped.Total > 0 ? $"no published posts (skipped {skipped})" : "no items: an export with no posts") with { Warnings = warnings };
        }

        return new ArchiveReadResult(articles, [], warnings);
    }

    private static async Task<XDocument> LoadAsync(string text, CancellationToken cancellationToken)
    {
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
            return await XDocument.LoadAsync(reader, LoadOptions.None, cancellationToken).ConfigureAwait(false);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArchiveFormatException("the export declares a DTD (entity declarations are refused for safety); remove the <!DOCTYPE …> block", ex);
        }
        catch (XmlException ex)
        {
            throw new ArchiveFormatException($"not well-formed XML at line {ex.LineNumber}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The wp namespace of this export, from its wp:wxr_version element (WordPress itself refuses a file without a
    /// valid version: it is plain RSS, or something else, and reading it as an empty export would hide that).
    /// </summary>
    private static XNamespace WpNamespace(XElement channel)
    {
        var versions = channel.Elements().Where(e => e.Name.LocalName == "wxr_version").ToList();
        var version = versions.FirstOrDefault(e => WxrNamespace().IsMatch(e.Name.NamespaceName));
        if (version is null)
        {
            throw new ArchiveFormatException(versions.Count == 0
                ? "no wp:wxr_version element: RSS, not a WordPress export (WXR)"
                : $"wp:wxr_version is in the namespace '{versions[0].Name.NamespaceName}', not a WordPress export namespace");
        }

        var value = version.Value.Trim();
        if (!VersionNumber().IsMatch(value))
        {
            throw new ArchiveFormatException($"wp:wxr_version '{value}' is not a WXR version number (1.0, 1.1, 1.2): not a valid WordPress export");
        }

        return version.Name.Namespace;
    }

    private static string DerivedTitle(string? slug, string text)
    {
        if (slug is { Length: > 0 } && !slug.All(char.IsAsciiDigit))
        {
            var words = Uri.UnescapeDataString(slug).Replace('-', ' ').Replace('_', ' ').Trim();
            return char.ToUpperInvariant(words[0]) + words[1..];
        }

        var first = text.Split(' ', 9);
        return string.Join(' ', first.Take(8)) + (first.Length > 8 ? "..." : "");
    }

    private static DateOnly? Date(string? value) =>
        value is { Length: > 0 } && !value.StartsWith("0000", StringComparison.Ordinal)
            && DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var when) ? DateOnly.FromDateTime(when) : null;

    /// <summary>RFC 822 pubDate; the weekday is ignored, since real exports carry wrong ones.</summary>
    private static DateOnly? RssDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var withoutWeekday = Weekday().Replace(value.Trim(), "");
        return DateTimeOffset.TryParse(withoutWeekday, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? DateOnly.FromDateTime(when.UtcDateTime) : null;
    }

    private static string? AbsoluteUrl(string? link, string? site)
    {
        if (string.IsNullOrEmpty(link) || Uri.IsWellFormedUriString(link, UriKind.Absolute) || site is null || !Uri.TryCreate(site, UriKind.Absolute, out var baseUri))
        {
            return string.IsNullOrEmpty(link) ? null : link;
        }

        return Uri.TryCreate(baseUri, link, out var absolute) ? absolute.ToString() : link;
    }

    private static string Login(string login, Dictionary<string, string> logins) =>
        logins.TryGetValue(login.Trim(), out var name) ? name : TextNormalizer.Line(login);

    [GeneratedRegex(@"^https?://wordpress\.org/export/\d+\.\d+/?$")]
    private static partial Regex WxrNamespace();

    [GeneratedRegex(@"^\d+\.\d+$")]
    private static partial Regex VersionNumber();

    [GeneratedRegex(@"^[A-Za-z]{3},\s*")]
    private static partial Regex Weekday();

    /// <summary>Counts what was skipped by kind, in first-seen order: "21 pages, 37 attachments, 1 draft".</summary>
    private sealed class SkipCounter
    {
        private readonly List<(string Singular, string Plural)> _order = [];
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

        public int Total => _counts.Values.Sum();

        public void Add((string Singular, string Plural) kind)
        {
            if (_counts.TryGetValue(kind.Singular, out var count))
            {
                _counts[kind.Singular] = count + 1;
            }
            else
            {
                _order.Add(kind);
                _counts[kind.Singular] = 1;
            }
        }

        public override string ToString() =>
            string.Join(", ", _order.Select(k => _counts[k.Singular] is var n && n == 1 ? $"1 {k.Singular}" : $"{_counts[k.Singular]} {k.Plural}"));
    }
}
