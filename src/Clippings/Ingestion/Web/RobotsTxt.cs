using System.Globalization;
using System.Text.RegularExpressions;

namespace Clippings.Ingestion.Web;

/// <summary>
/// A site's robots.txt as RFC 9309 reads it: the group for our product token ("clippings") or else "*", longest matching
/// rule wins (allow on a tie), <c>*</c> and <c>$</c> in paths; plus the common extensions <c>Crawl-delay</c> and <c>Sitemap</c>.
/// </summary>
public sealed class RobotsTxt
{
    /// <summary>The token matched against User-agent lines (case-insensitive).</summary>
    public const string ProductToken = "clippings";

    private readonly List<(string Pattern, bool Allow, Regex Match)> _rules;

    private RobotsTxt(List<(string Pattern, bool Allow, Regex Match)> rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps, bool disallowAll)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
        DisallowsAll = disallowAll;
    }

    /// <summary>No robots.txt (a 4xx): everything is allowed.</summary>
    public static RobotsTxt AllowAll { get; } = new([], null, [], false);

    /// <summary>robots.txt could not be read (5xx, network): RFC 9309 says to assume everything is disallowed.</summary>
    public static RobotsTxt Unreachable { get; } = new([], null, [], true);

    public TimeSpan? CrawlDelay { get; }

    public IReadOnlyList<string> Sitemaps { get; }

    public bool DisallowsAll { get; }

    public static RobotsTxt Parse(string text)
    {
        var groups = new List<Group>();
        var sitemaps = new List<string>();
        Group? current = null;
        var lastWasAgent = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#')[0].Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var field = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (field)
            {
                case "user-agent":
                    if (current is null || !lastWasAgent)
                    {
                        current = new Group();
                        groups.Add(current);
                    }

                    current.Agents.Add(value.ToLowerInvariant());
                    lastWasAgent = true;
                    continue;
                case "allow" or "disallow" when current is not null:
                    if (value.Length > 0)
                    {
                        current.Rules.Add((value, field == "allow"));
                    }

                    break;
                case "crawl-delay" when current is not null:
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                    {
                        current.Delay = TimeSpan.FromSeconds(seconds);
                    }

                    break;
                case "sitemap":
                    if (Uri.TryCreate(value, UriKind.Absolute, out _))
                    {
                        sitemaps.Add(value);
                    }

                    break;
            }

            lastWasAgent = false;
        }

        // Every group naming our token applies; only when none does, every "*" group.
        var ours = groups.Where(g => g.Agents.Any(a => a != "*" && ProductToken.StartsWith(a, StringComparison.Ordinal) || a.StartsWith(ProductToken, StringComparison.Ordinal))).ToList();
        if (ours.Count == 0)
        {
            ours = groups.Where(g => g.Agents.Contains("*")).ToList();
        }

        var rules = ours.SelectMany(g => g.Rules).Select(r => (r.Path, r.Allow, ToRegex(r.Path))).ToList();
        var delay = ours.Select(g => g.Delay).FirstOrDefault(d => d is not null);
        return new RobotsTxt(rules, delay, sitemaps, false);
    }

    /// <summary>Whether a URL's path (and query) may be fetched. /robots.txt itself always may.</summary>
    public bool Allows(Uri url)
    {
        if (url.AbsolutePath == "/robots.txt")
        {
            return true;
        }

        if (DisallowsAll)
        {
            return false;
        }

        var path = url.PathAndQuery;
        var best = _rules.Where(r => r.Match.IsMatch(path)).OrderByDescending(r => r.Pattern.Length).ThenByDescending(r => r.Allow).FirstOrDefault();
        return best.Pattern is null || best.Allow;
    }

    private sealed class Group
    {
        public List<string> Agents { get; } = [];
        public List<(string Path, bool Allow)> Rules { get; } = [];
        public TimeSpan? Delay { get; set; }
    }

    /// <summary>A rule path as a prefix pattern: <c>*</c> is any run of characters, a final <c>$</c> anchors the end.</summary>
    private static Regex ToRegex(string pattern)
    {
        var anchored = pattern.EndsWith('$');
        var body = anchored ? pattern[..^1] : pattern;
        var expression = "^" + string.Join(".*", body.Split('*').Select(Regex.Escape)) + (anchored ? "$" : "");
        return new Regex(expression, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }
}
