using System.Text.RegularExpressions;

namespace Clippings.Answering;

/// <summary>
/// Makes an answer's Markdown safe to render with or without HTML allowed: archived text is quoted into answers, and a
/// consumer rendering <c>&lt;script&gt;</c> or <c>&lt;img onerror&gt;</c> as HTML would run it. Angle brackets become
/// entities (shown as the same characters), and a link or image opener (<c>](</c>) is escaped so archived text cannot
/// make a <c>javascript:</c> link. The <c>[n]</c> markers stay as they are.
/// </summary>
public static partial class SafeMarkdown
{
    public static string Escape(string markdown) =>
        markdown.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("](", "]\\(", StringComparison.Ordinal);

    /// <summary>Titles are plain text: tags an ingest let through are dropped.</summary>
    public static string PlainText(string text) => Tags().Replace(text, "").Trim();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();
}
