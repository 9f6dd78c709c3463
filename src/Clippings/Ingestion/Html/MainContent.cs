using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Clippings.Ingestion.Html;

/// <summary>
/// Finds the element holding a page's article text by content, not by the first selector that matches. SmartReader
/// (a port of Mozilla's Readability) scores the page's blocks and picks the main content; known CMS body markup
/// (<c>[itemprop=articleBody]</c>, <c>.entry-content</c>, …, never inside comments, cards or teasers) is used instead
/// only when it holds the same text, because its edges are exact. A page Readability cannot read falls back to that
/// markup, then to &lt;article&gt;, &lt;main&gt; or &lt;body&gt;.
/// </summary>
internal static class MainContent
{
    private static readonly string KnownBodySelector = string.Join(", ",
        "[itemprop=articleBody]", ".entry-content", ".article-body", ".article__body", ".post-content", ".post-body", ".article-content",
        ".story-body", ".story-content", ".entry-body", ".post-entry", ".td-post-content", ".field-name-body", ".c-entry-content", "article .content");

    /// <summary>
    /// Known body markup agrees with Readability's choice when nearly all its words are in that choice and it holds a good
    /// part of it (on a short piece Readability climbs to a container with the kicker, dateline and bio box); then the
    /// publisher's own markup wins, because its edges are exact.
    /// </summary>
    private const double MarkupWordsInReadability = 0.95;

    private const double ReadabilityWordsInMarkup = 0.5;

    public sealed record Choice(IElement Element, string Method);

    /// <summary>The main content element; <paramref name="document"/> may be changed (SmartReader cleans it).</summary>
    public static Choice? Find(IHtmlDocument document, string? url)
    {
        // A body split into blocks (".story-body-1" … ".story-body-2" in separate wrappers) is one body, so all the
        // outermost matches together are the first candidate, the biggest group of sibling matches the second; the
        // agreement with Readability below decides, so teaser cards that share the body's class never win.
        var matches = document.QuerySelectorAll(KnownBodySelector).Where(e => !InsideFurniture(e)).ToList();
        var outermost = matches.Where(e => !matches.Any(other => other != e && other.Contains(e))).Where(e => ParagraphChars(e) > 0).ToList();
        var biggestGroup = outermost.GroupBy(e => e.ParentElement).OrderByDescending(g => g.Sum(ParagraphChars)).FirstOrDefault()?.ToList() ?? [];
        // SmartReader edits the document it scores: keep the markup candidates as they were.
        var candidates = new List<IElement>();
        if (outermost.Count > 0)
        {
            candidates.Add(Copy(document, outermost));
        }

        if (biggestGroup.Count > 0 && biggestGroup.Count < outermost.Count)
        {
            candidates.Add(Copy(document, biggestGroup));
        }

        var readable = Readability(document, url);
        if (readable is not null)
        {
            foreach (var candidate in candidates)
            {
                var overlap = Clippings.Evaluation.ExtractionScore.Overlap(candidate.TextContent, readable.TextContent);
                if (overlap.Precision >= MarkupWordsInReadability && overlap.Recall >= ReadabilityWordsInMarkup)
                {
                    return new Choice(candidate, "markup");
                }
            }

            return new Choice(readable, "readability");
        }

        var knownCopy = candidates.LastOrDefault();
        if (knownCopy is not null)
        {
            return new Choice(knownCopy, "markup");
        }

        var fallback = document.QuerySelector("article") ?? document.QuerySelector("main") ?? document.Body;
        return fallback is null ? null : new Choice(fallback, "page");
    }

    private static IElement Copy(IHtmlDocument document, List<IElement> elements)
    {
        if (elements.Count == 1)
        {
            return (IElement)elements[0].Clone(deep: true);
        }

        var container = document.CreateElement("div");
        foreach (var element in elements)
        {
            container.AppendChild(element.Clone(deep: true));
        }

        return container;
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
    /// <remarks>With <paramref name="byTags"/> off only class and id words count (comments, related, teasers): structured
    /// data such as an <c>itemprop=author</c> is the piece's own even in an aside or footer.</remarks>
    public static bool InsideFurniture(IElement element, IElement? stop = null, bool footersCount = true, bool byTags = true)
    {
        for (var e = element; e is not null && e != stop; e = e.ParentElement)
        {
            if (byTags && (e.TagName is "NAV" or "ASIDE" or "FORM" || footersCount && e.TagName is "FOOTER"))
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
