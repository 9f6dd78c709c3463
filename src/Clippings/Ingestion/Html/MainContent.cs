using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Clippings.Ingestion.Html;

/// <summary>
/// Finds the element holding a page's article text by content, not by the first selector that matches. Known CMS
/// body markup (<c>[itemprop=articleBody]</c>, <c>.entry-content</c>, …) is a fast path only when it holds most of the
/// page's paragraph text and is not a comment, card or teaser; otherwise SmartReader (a port of Mozilla's
/// Readability) scores the page's blocks and picks the main content.
/// </summary>
internal static class MainContent
{
    private static readonly string KnownBodySelector = string.Join(", ",
        "[itemprop=articleBody]", ".entry-content", ".article-body", ".article__body", ".post-content", ".post-body", ".article-content",
        ".story-body", ".story-content", ".entry-body", ".post-entry", ".td-post-content", ".field-name-body", ".c-entry-content", "article .content");

    /// <summary>Known body markup is taken without scoring the page when it holds nearly all of the page's paragraph text…</summary>
    private const double FastPathShare = 0.5;

    /// <summary>…and is nearly all paragraphs itself: players, captions, related lists and widgets inside it are not.</summary>
    private const double FastPathPurity = 0.9;

    /// <summary>Readability's choice loses to known body markup that holds more than this many times its text.</summary>
    private const double MarkupOverReadability = 2.0;

    public sealed record Choice(IElement Element, string Method);

    /// <summary>The main content element; <paramref name="document"/> may be changed (SmartReader cleans it).</summary>
    public static Choice? Find(IHtmlDocument document, string? url)
    {
        var pageText = ParagraphChars(document.Body);
        var known = document.QuerySelectorAll(KnownBodySelector)
            .Where(e => !InsideFurniture(e))
            .Select(e => (Element: e, Chars: ParagraphChars(e)))
            .OrderByDescending(c => c.Chars)
            .FirstOrDefault();
        if (known.Element is not null && known.Chars > 0 && known.Chars >= FastPathShare * pageText
            && known.Chars >= FastPathPurity * TextChars(known.Element))
        {
            return new Choice(known.Element, "markup");
        }

        // SmartReader edits the document it scores: keep the markup candidate as it was.
        var knownCopy = known.Element?.Clone(deep: true) as IElement;
        var readable = Readability(document, url);
        if (readable is not null && (known.Element is null || readable.TextContent.Trim().Length * MarkupOverReadability >= known.Chars))
        {
            return new Choice(readable, "readability");
        }

        if (knownCopy is not null && known.Chars > 0)
        {
            return new Choice(knownCopy, "markup");
        }

        var fallback = document.QuerySelector("article") ?? document.QuerySelector("main") ?? document.Body;
        return fallback is null ? null : new Choice(fallback, "page");
    }

    private static IElement? Readability(IHtmlDocument document, string? url)
    {
        try
        {
            var address = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : "https://localhost/";
            // Classes stay so Clippings' own boilerplate rules still see share boxes and teasers inside the chosen content.
            using var reader = new SmartReader.Reader(address, document) { ContinueIfNotReadable = true, KeepClasses = true };
            var article = reader.GetArticle();
            if (string.IsNullOrWhiteSpace(article.Content))
            {
                return null;
            }

            var content = new HtmlParser().ParseDocument("<!doctype html><html><body>" + article.Content + "</body></html>");
            return content.Body is { } body && body.TextContent.Trim().Length > 0 ? body : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NullReferenceException or FormatException or UriFormatException or DomException)
        {
            // SmartReader gives up on some malformed pages; the markup fallbacks still read them.
            return null;
        }
    }

    /// <summary>Characters of paragraph text (p, pre, blockquote, li, headings' siblings aside) under an element.</summary>
    public static int ParagraphChars(IElement? root)
    {
        if (root is null)
        {
            return 0;
        }

        var total = 0;
        foreach (var p in root.QuerySelectorAll("p, pre, blockquote"))
        {
            if (p.ParentElement?.Closest("p, pre, blockquote") is null && !InsideFurniture(p, root))
            {
                total += p.TextContent.Trim().Length;
            }
        }

        return total;
    }

    private static readonly HashSet<string> FurnitureWords = new(StringComparer.Ordinal)
    {
        "comment", "comments", "disqus", "respond", "related", "teaser", "teasers", "promo", "recommended", "recirculation", "outbrain", "taboola",
    };

    /// <summary>Characters of text under an element, whitespace runs counted once (source indentation is not text).</summary>
    private static int TextChars(IElement element)
    {
        var count = 0;
        var space = true;
        foreach (var c in element.TextContent)
        {
            var isSpace = char.IsWhiteSpace(c);
            if (!isSpace || !space)
            {
                count++;
            }

            space = isSpace;
        }

        return count;
    }

    /// <summary>Inside comments, navigation, asides, footers or forms: never the article's own body.</summary>
    public static bool InsideFurniture(IElement element, IElement? stop = null)
    {
        for (var e = element; e is not null && e != stop; e = e.ParentElement)
        {
            if (e.TagName is "NAV" or "ASIDE" or "FOOTER" or "FORM")
            {
                return true;
            }

            var signature = ((e.ClassName ?? "") + " " + (e.Id ?? "")).ToLowerInvariant();
            // Whole words of the class or id ("comment-list", "js_comments"), so "commentary" or "has-comments-closed" prose wrappers are not furniture.
            if (signature.Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries).Any(FurnitureWords.Contains))
            {
                return true;
            }
        }

        return false;
    }
}
