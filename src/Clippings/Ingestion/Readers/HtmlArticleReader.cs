using System.Globalization;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Clippings.Archive;
using Clippings.Ingestion.Html;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A published article page. Metadata from JSON-LD (@graph, arrays, Article-family types), microdata, and meta tags
/// (article:, og:, twitter:, dc., parsely-, sailthru.); the body is the page's main content chosen by content
/// (<see cref="MainContent"/>), read into paragraphs by Clippings' own rules, so navigation, share boxes, comments,
/// "Also in…" teasers and footers never become article text. "About the author" boxes become author bios.
/// </summary>
public sealed partial class HtmlArticleReader : IArchiveReader
{
    public string Format => "html";

    public bool CanRead(string path, string head) =>
        head.Contains("<html", StringComparison.OrdinalIgnoreCase) || head.Contains("<!doctype html", StringComparison.OrdinalIgnoreCase)
        || (path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".html", StringComparison.OrdinalIgnoreCase)) && head.Contains('<', StringComparison.Ordinal);

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Parse(text, path));

    public static ArchiveReadResult Parse(string html, string path) => ParseWithMethod(html, path).Result;

    /// <summary>The result, and how the body was found (markup, readability or page): the extraction bench reports it.</summary>
    internal static (ArchiveReadResult Result, string Method) ParseWithMethod(string html, string path)
    {
        HtmlText.CheckNesting(html);
        var parser = new HtmlParser(new HtmlParserOptions { IsNotConsumingCharacterReferences = false });
        var document = parser.ParseDocument(html);
        var warnings = new List<string>();

        // Everything read from the page's furniture comes first: the main-content finder changes the document.
        var meta = new MetaTags(document);
        var jsonLd = StructuredData.ReadJsonLd(document.QuerySelectorAll("script[type='application/ld+json' i]").Select(s => s.TextContent), document.Title);
        var headings = document.QuerySelectorAll("article h1, main h1, h1").Where(h => !MainContent.InsideFurniture(h)).Select(h => TextNormalizer.Line(h.TextContent)).Where(h => h.Length > 0).Distinct().ToList();
        var siteNames = new[] { meta.First("og:site_name"), meta.First("application-name"), jsonLd?.Publisher, jsonLd?.SiteName, meta.First("apple-mobile-web-app-title") };
        var authors = ReadAuthors(document, meta, jsonLd);
        var title = ReadTitle(document, meta, path, jsonLd, siteNames.Concat(authors), headings, warnings);
        var (published, precision) = ReadDate(document, meta, jsonLd);
        if (published is null)
        {
            warnings.Add("no publication date");
        }

        var section = meta.First("article:section") ?? jsonLd?.Section ?? meta.First("parsely-section") ?? meta.First("section");
        var publishedIn = PublishedIn().Match(document.QuerySelector(".posted-on, .dateline")?.TextContent ?? "");
        // The venue a piece first appeared in when the page says so, else the site that publishes it.
        var publication = document.QuerySelector(".publication")?.TextContent ?? (publishedIn.Success ? publishedIn.Groups[1].Value : null)
            ?? DatelinePublication(document) ?? siteNames.FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
        var url = document.QuerySelector("link[rel=canonical]")?.GetAttribute("href") ?? meta.First("og:url") ?? jsonLd?.Url;
        var bios = ReadBios(document, authors);

        var choice = MainContent.Find(document, url) ?? throw new ArchiveFormatException("no article body (no main content, <article>, <main> or <body>)");
        var paragraphs = HtmlText.Paragraphs(choice.Element);
        // A heading that repeats the title, or a byline line that repeats the authors, is not body text.
        while (paragraphs.Count > 0 && (PageTitle.Same(paragraphs[0], title) || authors.Count > 0 && Bylines.Names(paragraphs[0]).SequenceEqual(authors, StringComparer.OrdinalIgnoreCase) && paragraphs[0].Length < 120))
        {
            paragraphs.RemoveAt(0);
        }

        var text = TextNormalizer.Join(paragraphs);
        if (text.Length == 0)
        {
            throw new ArchiveFormatException("the article body is empty (no paragraph text in the page's main content)");
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

        return (new ArchiveReadResult([article], bios, warnings), choice.Method);
    }

    private static string ReadTitle(IDocument document, MetaTags meta, string path, JsonLdArticle? jsonLd, IEnumerable<string?> siteNames, IReadOnlyList<string> headings, List<string> warnings)
    {
        var declared = new[]
        {
            // Readability's order, which most extractors share: structured data, Dublin Core, Open Graph, then the rest.
            jsonLd?.Headline, meta.First("dc.title"), meta.First("dcterm.title"), meta.First("og:title"), meta.First("title"),
            meta.First("twitter:title"), meta.First("parsely-title"), meta.First("sailthru.title"), ItemProp(document, "headline"), document.Title,
        }.FirstOrDefault(t => !string.IsNullOrWhiteSpace(t) && !IsSiteName(t));
        // A "headline" that is the site's own name (og:site_name, the JSON-LD publisher or website) is a CMS filling the
        // field with a constant, not the piece's title; application-name is left out here, as some sites put the headline in it.
        bool IsSiteName(string candidate) =>
            new[] { meta.First("og:site_name"), jsonLd?.Publisher, jsonLd?.SiteName }.Any(site => site is not null && PageTitle.Same(candidate, site));
        if (declared is not null)
        {
            var title = PageTitle.Clean(declared, siteNames, headings);
            if (title.Length > 0)
            {
                return title;
            }
        }

        // The first heading outside promos, teasers and navigation names the piece.
        var heading = headings.FirstOrDefault() ?? document.QuerySelectorAll("h2, h3")
            .Where(h => !MainContent.InsideFurniture(h) && !Boilerplate.IsBoilerplate(h))
            .Select(h => TextNormalizer.Line(h.TextContent)).FirstOrDefault(h => h.Length > 0);
        if (heading is not null)
        {
            warnings.Add("no title in the page's metadata or <title>; the first heading is used");
            return heading;
        }

        warnings.Add("no title anywhere on the page (metadata, <title> or a heading); the file name is used");
        return TextNormalizer.Line(Path.GetFileNameWithoutExtension(path));
    }

    private static List<string> ReadAuthors(IDocument document, MetaTags meta, JsonLdArticle? jsonLd)
    {
        var profileUrls = new List<string>();
        // Structured data first: it names people, not a printed line.
        var fromJsonLd = new List<string>();
        foreach (var person in jsonLd?.Authors ?? [])
        {
            if (person.Name is { } name && !Bylines.LooksLikeUrl(name))
            {
                fromJsonLd.AddRange(Bylines.Names(name, printed: false));
            }
            else if ((person.Url ?? person.Name) is { } link)
            {
                profileUrls.Add(link);
            }
        }

        if (fromJsonLd.Count > 0)
        {
            return fromJsonLd.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }

        var metaNames = new List<string>();
        foreach (var property in new[] { "dc.creator", "dcterm.creator", "article:author", "author", "parsely-author", "sailthru.author", "byl", "citation_author", "og:article:author" })
        {
            foreach (var value in meta.All(property))
            {
                if (Bylines.LooksLikeUrl(value))
                {
                    profileUrls.Add(value);
                }
                else
                {
                    metaNames.AddRange(Bylines.Names(value));
                }
            }

            if (metaNames.Count > 0)
            {
                return metaNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            }
        }

        // Microdata and printed bylines.
        // The first byline of the piece itself: teasers, related links and comments carry other people's bylines.
        foreach (var selector in new[] { "[itemprop=author] [itemprop=name]", "[itemprop=author]", "[rel=author]", "[class*=byline i] [rel=author], .byline__name, .byline-name, .author-name, .author__name, .c-byline__author-name", ".byline, .byline-author, .post-author, .entry-author, .article-author, .author, address.author, [class*=byline i]" })
        {
            // An article's own footer often carries its byline; teasers, related links and comments never do.
            var structured = selector.StartsWith('[');
            var candidates = document.QuerySelectorAll(selector).Where(e => !MainContent.InsideFurniture(e, footersCount: false, byTags: !structured)).ToList();
            var byline = candidates.FirstOrDefault(e => e.Closest("article, main, [role=main]") is not null) ?? candidates.FirstOrDefault();
            if (byline is null)
            {
                continue;
            }

            // Several authors are marked up one element each, side by side in the same byline.
            var siblings = candidates.Where(e => e == byline || e.TagName is "SPAN" or "A" or "B" or "STRONG" && e.ParentElement is not null && e.ParentElement == byline.ParentElement).ToList();
            var names = siblings
                .Select(e => e.GetAttribute("content") ?? SpacedText(e))
                .Where(t => !string.IsNullOrWhiteSpace(t) && t.Length < 300)
                .SelectMany(t => Bylines.Names(t))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Take(8)
                .ToList();
            if (names.Count > 0)
            {
                return names;
            }
        }

        // Only a profile link: its slug is the last resort.
        return profileUrls.Select(Bylines.NameFromProfileUrl).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static (DateOnly? Date, DatePrecision Precision) ReadDate(IDocument document, MetaTags meta, JsonLdArticle? jsonLd)
    {
        var candidates = new[]
        {
            // The article node's structured date first: CMSs often fill article:published_time with the last update.
            jsonLd is { IsArticle: true } ? jsonLd.DatePublished : null, meta.First("article:published_time"), jsonLd?.DatePublished, ItemProp(document, "datePublished"), meta.First("og:published_time"),
            meta.First("parsely-pub-date"), meta.First("sailthru.date"), meta.First("dc.date.issued"), meta.First("dcterms.issued"),
            meta.First("dc.date"), meta.First("dcterms.date"), meta.First("dcterms.created"), meta.First("dc.date.created"),
            meta.First("publish-date"), meta.First("publish_date"), meta.First("publication_date"), meta.First("pubdate"),
            meta.First("date"), meta.First("citation_publication_date"), meta.First("article.published"),
            document.QuerySelector("article time[datetime], time[pubdate], time.published, time.entry-date")?.GetAttribute("datetime"),
        };
        foreach (var candidate in candidates)
        {
            var (date, precision) = ParseDate(candidate);
            if (date is not null)
            {
                if (document.QuerySelector("article time[datetime]")?.TextContent is { } shown && YearOnly().IsMatch(shown.Trim()))
                {
                    // The page shows only a year ("1908"): the stored date is a placeholder for that year.
                    precision = DatePrecision.Year;
                }

                return (date, precision);
            }
        }

        var time = document.QuerySelector("article time[datetime], time[datetime]")?.GetAttribute("datetime");
        return ParseDate(time);
    }

    internal static string IdFromPath(string path, string? url)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        if (!string.IsNullOrWhiteSpace(stem) && !stem.Equals("index", StringComparison.OrdinalIgnoreCase) && !stem.Equals("source", StringComparison.OrdinalIgnoreCase))
        {
            return stem;
        }

        var fromUrl = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? IdFromUrl(absolute) : url is null ? "" : Slug(url.TrimEnd('/').Split('/')[^1]);
        if (fromUrl.Length > 0)
        {
            return fromUrl;
        }

        // "…/some-piece/index.html": the folder names the piece.
        var folder = Path.GetFileName(Path.GetDirectoryName(path));
        return string.IsNullOrWhiteSpace(folder) ? stem : Slug(folder);
    }

    /// <summary>
    /// A page's id from its (canonical) URL, by the rule files follow: the last path segment without its extension, or the
    /// folder for an index page (<c>…/some-piece/</c>, <c>…/some-piece.html</c> and <c>…/some-piece/index.html</c> are all
    /// <c>some-piece</c>); a site root is its host. Web sync and files name the same piece alike.
    /// </summary>
    internal static string IdFromUrl(Uri url)
    {
        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        while (segments.Count > 0)
        {
            var last = segments[^1];
            var dot = last.LastIndexOf('.');
            if (dot > 0 && last[(dot + 1)..].ToLowerInvariant() is "html" or "htm" or "php" or "asp" or "aspx" or "shtml" or "xhtml")
            {
                last = last[..dot];
            }

            var slug = Slug(last);
            if (slug.Length > 0 && slug is not "index" and not "default")
            {
                return slug;
            }

            segments.RemoveAt(segments.Count - 1);
        }

        return Slug(url.Host);
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

        if (DateOnly.TryParse(value, CultureInfo.InvariantCulture, out var date))
        {
            return (date, DatePrecision.Day);
        }

        // "2019-01-03T07:00:02.000+0000", "20190103", "2019-01-03 07:00:02 +0000": the day at the front is enough.
        var leading = LeadingIsoDay().Match(value);
        return leading.Success && DateOnly.TryParseExact(leading.Groups[1].Value + leading.Groups[2].Value + leading.Groups[3].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day, DatePrecision.Day)
            : (null, DatePrecision.Day);
    }

    private static List<AuthorProfile> ReadBios(IDocument document, IReadOnlyList<string> authors)
    {
        var bios = new List<AuthorProfile>();
        var boxes = document.QuerySelectorAll("[class*=author], [class*=bio], [id*=author], [id*=bio]").Where(Boilerplate.IsAuthorBio).ToList();
        // Nested boxes (an .author-box around an .author-bio) are one bio, read from the outermost.
        foreach (var box in boxes.Where(b => !boxes.Any(other => other != b && other.Contains(b))).Take(4))
        {
            var nameElement = box.QuerySelector(".bio-name, .author-name, .author__name, [itemprop=name], h4, h3 a, strong, b");
            var name = Bylines.Names(nameElement?.TextContent).FirstOrDefault() ?? "";
            if (name.Length == 0 || (authors.Count > 0 && !authors.Contains(name, StringComparer.OrdinalIgnoreCase) && name.Split(' ').Length == 1))
            {
                name = authors.FirstOrDefault() ?? name;
            }

            var clone = (IElement)box.Clone();
            foreach (var heading in clone.QuerySelectorAll("h1, h2, h3, .bio-name, h4, .author-name, .author__name").ToList())
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
            if (name.Length > 0 && bio.Length > 20 && !bios.Any(b => b.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                bios.Add(new AuthorProfile(name, bio));
            }
        }

        return bios;
    }

    /// <summary>Text with a space between elements: "by&lt;a&gt;Lucas Nolan&lt;/a&gt;&lt;span&gt;22 Dec&lt;/span&gt;" must not read "Nolan22".</summary>
    private static string SpacedText(IElement element) =>
        string.Join(' ', element.Descendants<IText>().Select(t => t.Data));

    private static string? DatelinePublication(IDocument document)
    {
        var dateline = document.QuerySelector(".dateline")?.TextContent;
        var parts = dateline?.Split('|').Select(p => p.Trim()).ToArray();
        return parts is { Length: 3 } ? parts[1] : null;
    }

    private static string? ItemProp(IDocument document, string name)
    {
        var element = document.QuerySelector($"[itemprop={name}]");
        if (element is null)
        {
            return null;
        }

        var value = element.GetAttribute("content") ?? element.GetAttribute("datetime") ?? element.TextContent;
        return string.IsNullOrWhiteSpace(value) ? null : TextNormalizer.Line(value);
    }

    [GeneratedRegex(@"published in ([^,]+),", RegexOptions.IgnoreCase)]
    private static partial Regex PublishedIn();

    [GeneratedRegex(@"^\d{4}$")]
    private static partial Regex YearOnly();

    [GeneratedRegex(@"^(\d{4})-?(\d{2})-?(\d{2})")]
    private static partial Regex LeadingIsoDay();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex SlugChars();
}
