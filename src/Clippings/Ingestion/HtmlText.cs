using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Clippings.Ingestion;

/// <summary>Turns an HTML content element into paragraphs: block elements become paragraphs, &lt;br&gt; a line break.</summary>
internal static class HtmlText
{
    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "P", "BLOCKQUOTE", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "PRE", "DD", "DT", "FIGCAPTION",
    };

    private static readonly HashSet<string> SkippedTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "IFRAME", "SVG", "FORM", "BUTTON", "SELECT", "OPTION", "INPUT", "TEXTAREA", "LABEL", "NAV", "ASIDE", "FOOTER", "IMG", "PICTURE", "VIDEO", "AUDIO",
    };

    /// <summary>Paragraph texts under <paramref name="root"/>, in document order.</summary>
    /// <summary>Deeper element nesting than this is refused before parsing (real pages stay under a hundred).</summary>
    public const int MaxNesting = 2000;

    private static readonly HashSet<string> UnclosedTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
        "p", "li", "td", "tr", "th", "option", "dt", "dd",
    };

    /// <summary>
    /// Throws when the markup nests elements deeper than <see cref="MaxNesting"/>: the HTML parser's tree building
    /// is quadratic in the depth of open elements, so a hostile page of 200,000 nested &lt;div&gt;s would take hours.
    /// A cheap linear scan of start and end tags (void and optionally-closed tags ignored) is enough to tell.
    /// </summary>
    public static void CheckNesting(string html)
    {
        var depth = 0;
        var deepest = 0;
        var span = html.AsSpan();
        for (var i = span.IndexOf('<'); i >= 0 && i < span.Length - 1; )
        {
            var closing = span[i + 1] == '/';
            var nameStart = closing ? i + 2 : i + 1;
            var nameEnd = nameStart;
            while (nameEnd < span.Length && char.IsAsciiLetterOrDigit(span[nameEnd]))
            {
                nameEnd++;
            }

            if (nameEnd > nameStart && char.IsAsciiLetter(span[nameStart]) && !UnclosedTags.Contains(span[nameStart..nameEnd].ToString()))
            {
                var tagEnd = span[nameEnd..].IndexOf('>');
                var selfClosing = tagEnd > 0 && span[nameEnd + tagEnd - 1] == '/';
                if (closing)
                {
                    depth = Math.Max(0, depth - 1);
                }
                else if (!selfClosing)
                {
                    depth++;
                    deepest = Math.Max(deepest, depth);
                    if (deepest > MaxNesting)
                    {
                        throw new ArchiveFormatException($"HTML elements nested more than {MaxNesting} levels deep; not an article page");
                    }
                }
            }

            var next = span[(i + 1)..].IndexOf('<');
            i = next < 0 ? -1 : i + 1 + next;
        }
    }

    public static List<string> Paragraphs(IElement root, int maxDepth = 200)
    {
        var paragraphs = new List<string>();
        var loose = new System.Text.StringBuilder();
        Walk(root, paragraphs, loose, 0, maxDepth, Math.Max(1, root.TextContent.Length));
        Flush(paragraphs, loose);
        return paragraphs.Select(TextNormalizer.Paragraph).Where(p => p.Length > 0).ToList();
    }

    /// <summary>
    /// A block that looks like furniture by its class but holds this share of the content's text is a layout wrapper
    /// ("content-with-sidebar", "post-share-wrap" around the whole piece), not furniture: it is read.
    /// </summary>
    private const double FurnitureMaxShare = 0.3;

    private static void Walk(INode node, List<string> paragraphs, System.Text.StringBuilder loose, int depth, int maxDepth, int rootChars)
    {
        if (depth > maxDepth)
        {
            throw new ArchiveFormatException($"HTML nested deeper than {maxDepth} levels; refusing to read it.");
        }

        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IElement element when SkippedTags.Contains(element.TagName)
                    || Boilerplate.IsBoilerplate(element) && element.TextContent.Length < FurnitureMaxShare * rootChars:
                    continue;
                case IElement element when BlockTags.Contains(element.TagName) && !HasBlockChild(element):
                    Flush(paragraphs, loose);
                    paragraphs.Add(InlineText(element));
                    break;
                case IElement element when element.TagName.Equals("BR", StringComparison.OrdinalIgnoreCase):
                    loose.Append('\n');
                    break;
                case IElement element:
                    var isBlockContainer = element.TagName is "DIV" or "SECTION" or "ARTICLE" or "MAIN" or "UL" or "OL" or "TABLE" or "TR" or "TD" or "BLOCKQUOTE" or "HEADER" or "DL";
                    if (isBlockContainer)
                    {
                        Flush(paragraphs, loose);
                    }

                    Walk(element, paragraphs, loose, depth + 1, maxDepth, rootChars);
                    if (isBlockContainer)
                    {
                        Flush(paragraphs, loose);
                    }

                    break;
                case IText text:
                    loose.Append(text.Data);
                    break;
            }
        }
    }

    private static bool HasBlockChild(IElement element) =>
        element.Children.Any(c => BlockTags.Contains(c.TagName) || c.TagName is "DIV" or "SECTION" or "UL" or "OL" or "TABLE");

    /// <summary>Text of an inline run, with &lt;br&gt; as a line break (verse).</summary>
    public static string InlineText(IElement element)
    {
        var builder = new System.Text.StringBuilder();
        AppendInline(element, builder, 0);
        return builder.ToString();
    }

    private static void AppendInline(INode node, System.Text.StringBuilder builder, int depth)
    {
        if (depth > 200)
        {
            throw new ArchiveFormatException("HTML nested deeper than 200 levels; refusing to read it.");
        }

        foreach (var child in node.ChildNodes)
        {
            if (child is IElement element)
            {
                if (element.TagName.Equals("BR", StringComparison.OrdinalIgnoreCase))
                {
                    builder.Append('\n');
                }
                else if (!SkippedTags.Contains(element.TagName))
                {
                    AppendInline(element, builder, depth + 1);
                }
            }
            else if (child is IText text)
            {
                // Source line breaks inside a paragraph are just spaces; only <br> makes a verse line.
                builder.Append(text.Data.Replace('\n', ' ').Replace('\r', ' '));
            }
        }
    }

    private static void Flush(List<string> paragraphs, System.Text.StringBuilder loose)
    {
        var text = loose.ToString();
        if (!string.IsNullOrWhiteSpace(text.Replace('\n', ' ')))
        {
            paragraphs.Add(text);
        }

        loose.Clear();
    }

    public static string? Meta(IDocument document, string property) =>
        document.QuerySelector($"meta[property='{property}'], meta[name='{property}']")?.GetAttribute("content");

    public static IEnumerable<string> MetaAll(IDocument document, string property) =>
        document.QuerySelectorAll($"meta[property='{property}'], meta[name='{property}']").Select(m => m.GetAttribute("content") ?? "").Where(c => c.Length > 0);

    public static bool IsHtml(IDocument document) => document is IHtmlDocument;
}

/// <summary>What is page furniture rather than article: share bars, teaser lists, bios, support boxes, banners.</summary>
internal static class Boilerplate
{
    private static readonly string[] Markers =
    [
        "share", "social", "related", "also-in", "more-from", "author-bio", "about-author", "bio-box", "support", "donate", "cta",
        "newsletter", "subscribe", "cookie", "consent", "breadcrumb", "advert", "promo", "sidebar", "comments", "footer", "nav", "menu",
        "tags-links", "cat-links", "entry-meta", "entry-footer", "skip-link", "popup", "banner",
    ];

    /// <summary>Markers that name furniture even inside a longer class name ("jp-relatedposts", "sharedaddy").</summary>
    private static readonly string[] StrongMarkers = ["related", "sharedaddy", "share-", "social", "newsletter", "subscribe", "advert", "sponsor", "promo", "outbrain", "taboola"];

    /// <remarks>Callers weigh the element's size too: a class word alone does not make a whole body furniture.</remarks>
    public static bool IsBoilerplate(IElement element)
    {
        var signature = ((element.ClassName ?? "") + " " + (element.Id ?? "")).ToLowerInvariant();
        if (signature.Trim().Length == 0)
        {
            return element.GetAttribute("role") is "navigation" or "banner" or "contentinfo" or "complementary";
        }

        return Markers.Any(m => signature.Split(' ', '_').Any(token => token == m || token.StartsWith(m + "-", StringComparison.Ordinal) || token.EndsWith("-" + m, StringComparison.Ordinal)))
            || StrongMarkers.Any(m => signature.Contains(m, StringComparison.Ordinal))
            // Author boxes are read as bios, never as the piece's text.
            || IsAuthorBio(element);
    }

    public static bool IsAuthorBio(IElement element)
    {
        var signature = ((element.ClassName ?? "") + " " + (element.Id ?? "")).ToLowerInvariant();
        return signature.Contains("author-bio", StringComparison.Ordinal) || signature.Contains("about-author", StringComparison.Ordinal)
            || signature.Contains("bio-box", StringComparison.Ordinal) || signature.Contains("author-box", StringComparison.Ordinal)
            || signature.Contains("author-info", StringComparison.Ordinal) || signature.Contains("author-card", StringComparison.Ordinal)
            || signature.Contains("about-the-author", StringComparison.Ordinal);
    }
}
