using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// WordPress post content (WXR content:encoded, REST content.rendered) to paragraphs: block comments removed,
/// shortcodes resolved (caption text kept, media and embeds dropped, other enclosing shortcodes unwrapped), and
/// classic-editor text, where blank lines are paragraph breaks, given paragraphs as WordPress's wpautop would.
/// </summary>
internal static partial class WordPressContent
{
    /// <summary>Shortcodes whose output is media or an embed, never prose: dropped with whatever they enclose.</summary>
    private static readonly HashSet<string> DroppedShortcodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "gallery", "embed", "audio", "video", "playlist", "videopress", "wpvideo", "youtube", "vimeo", "soundcloud", "googlemaps",
        "instagram", "tweet", "twitter", "slideshow", "contact-form", "contact-form-7", "wpforms", "gravityform", "ratings", "polldaddy",
    };

    private static readonly string[] BlockStarts =
    [
        "<p", "<div", "<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<ul", "<ol", "<li", "<blockquote", "<pre", "<table", "<figure",
        "<dl", "<hr", "<section", "<article", "<header", "<footer", "<aside", "<nav", "<form", "<address", "<iframe", "<script", "<style",
    ];

    /// <summary>The paragraphs of one post body, in order; empty when the body holds no text (only images or dynamic blocks).</summary>
    public static List<string> Paragraphs(string html, HtmlParser parser)
    {
        var isBlockEditor = html.Contains("<!-- wp:", StringComparison.Ordinal);
        var cleaned = Shortcodes(BlockComment().Replace(html, "\n"));
        if (!isBlockEditor)
        {
            // The block editor saves finished HTML; only classic-editor text relies on wpautop at display time.
            cleaned = AutoParagraphs(cleaned);
        }

        // A literal "<![CDATA[ … ]]>" in a post (split CDATA in the export) is text; HTML would swallow it as a bogus comment.
        cleaned = cleaned.Replace("<![CDATA[", "&lt;![CDATA[", StringComparison.Ordinal).Replace("]]>", "]]&gt;", StringComparison.Ordinal);
        HtmlText.CheckNesting(cleaned);
        var body = parser.ParseDocument("<html><body>" + cleaned + "</body></html>").Body!;
        return HtmlText.Paragraphs(body);
    }

    /// <summary>Plain text of an HTML title or name (REST title.rendered carries entities and sometimes tags).</summary>
    public static string InlineText(string? html, HtmlParser parser)
    {
        if (string.IsNullOrEmpty(html))
        {
            return "";
        }

        if (!html.Contains('<', StringComparison.Ordinal))
        {
            return TextNormalizer.Line(html);
        }

        HtmlText.CheckNesting(html);
        var body = parser.ParseDocument("<html><body>" + html + "</body></html>").Body!;
        return TextNormalizer.Line(body.TextContent);
    }

    /// <summary>Resolves shortcodes; text in brackets that is not shortcode-like ("[sic]", "[1]") is left alone.</summary>
    internal static string Shortcodes(string html)
    {
        // [caption]<img/> The caption[/caption], or the older caption="…" attribute: the caption is the text worth keeping.
        html = Caption().Replace(html, m =>
        {
            var inner = m.Groups["inner"].Value;
            var attribute = CaptionAttribute().Match(m.Groups["attrs"].Value);
            var caption = attribute.Success ? attribute.Groups[1].Value : ImageOrLink().Replace(inner, "");
            return "\n\n<p>" + caption.Trim() + "</p>\n\n";
        });

        html = Enclosing().Replace(html, m => DroppedShortcodes.Contains(m.Groups["name"].Value) ? "" : m.Groups["inner"].Value);
        return SelfClosing().Replace(html, m =>
        {
            var name = m.Groups["name"].Value;
            // A bare "[word]" is only a shortcode when it is a known media one; with attributes it is one anyway.
            return DroppedShortcodes.Contains(name) || m.Groups["attrs"].Value.Contains('=', StringComparison.Ordinal) || m.Groups["attrs"].Value.Contains("://", StringComparison.Ordinal) ? "" : m.Value;
        });
    }

    /// <summary>
    /// A small wpautop: blank lines separate paragraphs and single newlines are line breaks, except in chunks that
    /// already start with a block element (WordPress leaves those alone too).
    /// </summary>
    internal static string AutoParagraphs(string html)
    {
        var text = html.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (!text.Contains('\n', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 64);
        var inPre = false;
        foreach (var chunk in BlankLines().Split(text))
        {
            var trimmed = chunk.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            // Preformatted text keeps its blank lines: no paragraphs are made inside <pre>.
            var opensPre = trimmed.Contains("<pre", StringComparison.OrdinalIgnoreCase);
            var closesPre = trimmed.Contains("</pre>", StringComparison.OrdinalIgnoreCase);
            if (inPre || opensPre || BlockStarts.Any(b => trimmed.StartsWith(b, StringComparison.OrdinalIgnoreCase)))
            {
                builder.Append(trimmed).Append(inPre || (opensPre && !closesPre) ? "\n\n" : "\n");
            }
            else
            {
                builder.Append("<p>").Append(trimmed.Replace("\n", "<br>\n", StringComparison.Ordinal)).Append("</p>\n");
            }

            inPre = (inPre || opensPre) && !closesPre;
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"<!--\s*/?wp:.*?-->", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"\[caption(?<attrs>[^\]]*)\](?<inner>.*?)\[/caption\]", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Caption();

    [GeneratedRegex(@"\bcaption=""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex CaptionAttribute();

    [GeneratedRegex(@"<a\b[^>]*>\s*<img\b[^>]*>\s*</a>|<img\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ImageOrLink();

    [GeneratedRegex(@"\[(?<name>[a-z][a-z0-9_-]*)(?<attrs>[^\]]*)\](?<inner>.*?)\[/\k<name>\]", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Enclosing();

    [GeneratedRegex(@"\[(?<name>[a-z][a-z0-9_-]*)(?<attrs>(?:\s[^\]]*)?)/?\]", RegexOptions.IgnoreCase)]
    private static partial Regex SelfClosing();

    [GeneratedRegex(@"\n[ \t]*\n\s*")]
    private static partial Regex BlankLines();

    /// <summary>Removes descendants matching <paramref name="selector"/> (export furniture such as subscribe buttons).</summary>
    public static void Remove(IElement root, string selector)
    {
        foreach (var element in root.QuerySelectorAll(selector).ToList())
        {
            element.Remove();
        }
    }
}
