using System.Text;
using System.Text.RegularExpressions;
using Markdig.Syntax;

namespace Clippings.Ingestion.StaticSites;

/// <summary>
/// Removes static-site template syntax from a Markdown body before it is parsed, so directives never become article
/// text: Liquid (<c>{{ }}</c>, <c>{% %}</c>; raw blocks keep their content, highlight blocks become code), Hugo shortcodes
/// (<c>{{&lt; &gt;}}</c>, <c>{{% %}}</c>; paired ones keep their inner text), Go templates (<c>{{raw "…"}}</c> gives its string,
/// <c>{{raw (file "x.html")}}</c> a marker the reader replaces with that side file's text) and kramdown attribute lists.
/// </summary>
public static partial class TemplateSyntax
{
    /// <summary>Marks where an included side file goes: a paragraph of its own holding this, the index, this.</summary>
    public const char IncludeMarker = '\uE000';

    private const char RawMarker = '\uE001';

    /// <summary>True when the body loops over pages (a listing template, not an article).</summary>
    public static bool IsListing(string body) => Listing().IsMatch(body);

    /// <summary>
    /// The body without template syntax. Code blocks keep theirs unless <paramref name="everywhere"/> (a body that
    /// is itself a template, where directives inside code run too). Code blocks are found by a first Markdown parse. <paramref name="includes"/> collects the files of
    /// <c>{{raw (file …)}}</c>, numbered by their markers.
    /// </summary>
    public static string Strip(string body, bool everywhere, List<string> includes)
    {
        // Raw blocks are protected first: their content is literal, braces and all.
        var raws = new List<string>();
        body = LiquidRaw().Replace(body, m => { raws.Add(m.Groups[1].Value); return $"{RawMarker}{raws.Count - 1}{RawMarker}"; });
        body = LiquidComment().Replace(body, "");
        body = LiquidHighlight().Replace(body, m => $"\n```{m.Groups[1].Value}\n{m.Groups[2].Value.Trim('\n')}\n```\n");

        string result;
        if (everywhere)
        {
            // Directives may span code blocks (``{{raw `` + code + ``}}``): strip the body in one piece.
            result = StripSegment(body, includes);
        }
        else
        {
            var builder = new StringBuilder(body.Length);
            foreach (var (segment, isCode) in Segments(body))
            {
                builder.Append(isCode ? segment : StripSegment(segment, includes));
            }

            result = builder.ToString();
        }

        return raws.Count == 0 ? result : RawPlaceholder().Replace(result, m => raws[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
    }

    private static string StripSegment(string text, List<string> includes)
    {
        text = HugoComment().Replace(text, "");
        // Shortcode tags go, the text between a pair stays (notes, quotes, details).
        text = HugoShortcode().Replace(text, "");
        text = GoRawFile().Replace(text, m =>
        {
            includes.Add(m.Groups[1].Value);
            return $"\n\n{IncludeMarker}{includes.Count - 1}{IncludeMarker}\n\n";
        });
        text = GoRawString().Replace(text, m => m.Groups[1].Success ? Unescape(m.Groups[1].Value) : m.Groups[2].Value);
        text = GoStringLiteral().Replace(text, m => Unescape(m.Groups[1].Value));
        text = AnyOutput().Replace(text, "");
        text = AnyTag().Replace(text, "");
        text = KramdownLine().Replace(text, "");
        text = HeadingAttributes().Replace(text, "$1");
        text = KramdownInline().Replace(text, "");
        return text;
    }

    /// <summary>The text cut into code blocks (fenced or indented, as Markdown parses them) and everything else, in order.</summary>
    private static IEnumerable<(string Text, bool IsCode)> Segments(string text)
    {
        var position = 0;
        foreach (var code in Markdig.Markdown.Parse(text).Descendants<CodeBlock>())
        {
            if (code.Span.Start < position || code.Span.End >= text.Length)
            {
                continue;
            }

            yield return (text[position..code.Span.Start], false);
            yield return (text[code.Span.Start..(code.Span.End + 1)], true);
            position = code.Span.End + 1;
        }

        yield return (text[position..], false);
    }

    /// <summary>A Go interpreted string literal's value.</summary>
    private static string Unescape(string value) =>
        value.Contains('\\', StringComparison.Ordinal) ? Regex.Unescape(value) : value;

    [GeneratedRegex(@"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", RegexOptions.Singleline)]
    private static partial Regex LiquidRaw();

    [GeneratedRegex(@"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", RegexOptions.Singleline)]
    private static partial Regex LiquidComment();

    [GeneratedRegex(@"\{%-?\s*highlight\s+([\w+#.-]*)[^%]*%\}(.*?)\{%-?\s*endhighlight\s*-?%\}", RegexOptions.Singleline)]
    private static partial Regex LiquidHighlight();

    [GeneratedRegex("\uE001(\\d+)\uE001")]
    private static partial Regex RawPlaceholder();

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex HugoComment();

    [GeneratedRegex(@"\{\{<.*?>\}\}|\{\{%.*?%\}\}", RegexOptions.Singleline)]
    private static partial Regex HugoShortcode();

    [GeneratedRegex(@"\{\{-?\s*raw\s*\(\s*file\s+""([^""]+)""\s*\)\s*-?\}\}")]
    private static partial Regex GoRawFile();

    [GeneratedRegex(@"\{\{-?\s*raw\s+(?:""((?:[^""\\]|\\.)*)""|`([^`]*)`)\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex GoRawString();

    [GeneratedRegex(@"\{\{-?\s*""((?:[^""\\]|\\.)*)""\s*-?\}\}")]
    private static partial Regex GoStringLiteral();

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex AnyOutput();

    [GeneratedRegex(@"\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"^[ \t]*\{:[^}\n]*\}[ \t]*\n?", RegexOptions.Multiline)]
    private static partial Regex KramdownLine();

    [GeneratedRegex(@"^(#{1,6}[ \t][^\n]*?)[ \t]*\{:?[ \t]*[#.][^}\n]*\}[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex HeadingAttributes();

    [GeneratedRegex(@"\{:[ \t]*[#.:\w][^}\n]*\}")]
    private static partial Regex KramdownInline();

    [GeneratedRegex(@"\{\{-?\s*range\b|\{%-?\s*for\s+\w+\s+in\s+(?:site|paginator|collections)\b|\{\{-?\s*(?:template|partial)\s+""[^""]*(?:list|index|summary)", RegexOptions.IgnoreCase)]
    private static partial Regex Listing();
}
