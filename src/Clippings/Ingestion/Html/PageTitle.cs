using System.Text.RegularExpressions;

namespace Clippings.Ingestion.Html;

/// <summary>
/// The article's title without the site's name: "Headline | Site", "Site – Headline", "Headline :: Section :: Site"
/// lose the site part (named by og:site_name, application-name or the publisher), and a page title that merely
/// wraps the article's &lt;h1&gt; gives the &lt;h1&gt;.
/// </summary>
internal static partial class PageTitle
{
    public static string Clean(string title, IEnumerable<string?> siteNames, IReadOnlyList<string> headings)
    {
        title = TextNormalizer.Line(title);
        foreach (var site in siteNames.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => TextNormalizer.Line(s)).Distinct())
        {
            var stripped = StripAffix(title, site);
            if (stripped.Length > 0 && stripped.Length < title.Length)
            {
                title = stripped;
                break;
            }
        }

        // A title made of segments one of which is the page's heading: the heading is the article's title.
        var segments = Separator().Split(title).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (segments.Count > 1)
        {
            foreach (var heading in headings)
            {
                var match = segments.FirstOrDefault(s => Same(s, heading));
                // The longest segment only: a site's logo is often an <h1> too, and names the short segment.
                if (match is not null && segments.All(s => s == match || s.Length < match.Length))
                {
                    return match;
                }
            }
        }

        return title;
    }

    /// <summary>Removes <paramref name="site"/> from either end of <paramref name="title"/> when a separator divides them.</summary>
    private static string StripAffix(string title, string site)
    {
        if (Same(title, site))
        {
            return title;
        }

        if (title.EndsWith(site, StringComparison.OrdinalIgnoreCase))
        {
            var rest = title[..^site.Length];
            var trimmed = TrailingSeparator().Replace(rest, "");
            if (trimmed.Length < rest.Length)
            {
                return trimmed.Trim();
            }
        }

        if (title.StartsWith(site, StringComparison.OrdinalIgnoreCase))
        {
            var rest = title[site.Length..];
            var trimmed = LeadingSeparator().Replace(rest, "");
            if (trimmed.Length < rest.Length)
            {
                return trimmed.Trim();
            }
        }

        return title;
    }

    public static bool Same(string a, string b) =>
        string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);

    private static string Normalize(string text) => string.Join(' ', Clippings.Evaluation.ExtractionScore.Tokens(text));

    [GeneratedRegex(@"\s+(?:\||–|—|--|-|::|:|·|•|»|«|/|~|\\)\s+")]
    private static partial Regex Separator();

    [GeneratedRegex(@"\s*(?:\||–|—|--|-|::|:|·|•|»|«|/|~|\\|,)\s*$")]
    private static partial Regex TrailingSeparator();

    [GeneratedRegex(@"^\s*(?:\||–|—|--|-|::|:|·|•|»|«|/|~|\\)\s*")]
    private static partial Regex LeadingSeparator();
}
