using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Clippings.Ingestion;

/// <summary>
/// Brings text from any source to the archive's plain form: entities decoded, typographic quotes and dashes as
/// ASCII (dashes as "--", as the archive prints them), odd spaces as spaces, whitespace collapsed inside lines,
/// paragraphs separated by one blank line, verse line breaks kept.
/// </summary>
public static partial class TextNormalizer
{
    /// <summary>Normalizes one paragraph; single line breaks (verse) survive, other whitespace collapses.</summary>
    public static string Paragraph(string text)
    {
        var decoded = text.Contains('&', StringComparison.Ordinal) ? WebUtility.HtmlDecode(text) : text;
        var builder = new StringBuilder(decoded.Length);
        foreach (var ch in decoded.Normalize(NormalizationForm.FormC))
        {
            switch (ch)
            {
                case '\u2018' or '\u2019' or '\u201a' or '\u201b' or '\u2032':
                    builder.Append('\'');
                    break;
                case '\u201c' or '\u201d' or '\u201e' or '\u201f' or '\u2033':
                    builder.Append('"');
                    break;
                case '\u2014' or '\u2015':
                    builder.Append("--");
                    break;
                case '\u2013' or '\u2010' or '\u2011' or '\u2012' or '\u2212':
                    builder.Append('-');
                    break;
                case '\u2026':
                    builder.Append("...");
                    break;
                case '\u00a0' or '\u2007' or '\u202f' or '\u2009' or '\u200a' or '\u2002' or '\u2003' or '\t' or '\r' or '\f' or '\v':
                    builder.Append(' ');
                    break;
                case '\u200b' or '\u200c' or '\u200d' or '\ufeff' or '\u00ad':
                    break;
                default:
                    if (!char.IsControl(ch) || ch == '\n')
                    {
                        builder.Append(ch);
                    }

                    break;
            }
        }

        var lines = builder.ToString().Split('\n').Select(l => Spaces().Replace(l, " ").Trim()).Where(l => l.Length > 0);
        return string.Join('\n', lines);
    }

    /// <summary>Joins normalized, non-empty paragraphs with blank lines: the stored article text.</summary>
    public static string Join(IEnumerable<string> paragraphs) =>
        string.Join("\n\n", paragraphs.Select(Paragraph).Where(p => p.Length > 0));

    /// <summary>A single-line value (title, name): all whitespace collapsed.</summary>
    public static string Line(string? text) => text is null ? "" : Spaces().Replace(Paragraph(text).Replace('\n', ' '), " ").Trim();

    [GeneratedRegex(@"[ ]{2,}")]
    private static partial Regex Spaces();
}
