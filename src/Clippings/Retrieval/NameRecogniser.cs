using System.Text.RegularExpressions;

namespace Clippings.Retrieval;

/// <summary>An author the question names, where, and how sure the match is.</summary>
public sealed record NameMatch(string Author, int Start, int End, string Typed, bool Corrected);

/// <summary>
/// Finds the archive's authors in a question as people type them: full names in any case, initials with or without
/// dots, a unique last or first name when it is capitalised or reads as a name ("lamb on chimney sweepers",
/// "madison's paper"), and a misspelt full name within a small edit distance of exactly one catalog name.
/// Collective bylines ("The Go Team", "Staff") are never an author filter unless the question says "by …".
/// </summary>
public static partial class NameRecogniser
{
    public static IReadOnlyList<NameMatch> Find(string text, ArchiveCatalog catalog)
    {
        var found = new List<NameMatch>();
        var lower = text.ToLowerInvariant();
        foreach (var (alias, canonical) in catalog.AuthorAliases)
        {
            var collective = IsCollective(canonical);
            var multiWord = alias.Contains(' ', StringComparison.Ordinal);
            // Initials are typed "G. K.", "G.K." or "g k": match on a dot-free, space-tolerant form.
            var pattern = @"(?<![\w-])" + LoosePattern(alias) + @"(?:'s|s'|s)?(?![\w-])";
            foreach (Match match in Regex.Matches(text, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                var before = text[..match.Index];
                // A group byline is a filter only when asked for as one: "by the Go team", or the bot's own
                // "What else has The Go Team written here?" with the byline exactly as printed.
                if (collective && !ByBefore().IsMatch(before)
                    && !(match.Value.StartsWith(canonical, StringComparison.Ordinal) && BylineAsked().IsMatch(before)))
                {
                    continue;
                }

                if (!multiWord)
                {
                    // A first name alone ("Tobias") is a name only where the sentence reads it as one: "King Charles" is not Charles Lamb.
                    var firstName = canonical.StartsWith(alias + " ", StringComparison.OrdinalIgnoreCase);
                    var capitalised = !firstName && char.IsUpper(match.Value[0]) && !before.TrimEnd().EndsWith(" the", StringComparison.OrdinalIgnoreCase)
                        && !(before.Trim().Length == 0 && IsCommonOpening(match.Value));
                    // A lowercase single word ("lamb", "will") is a name only where the sentence treats it as one.
                    if (!capitalised && !ReadsAsName(text, match))
                    {
                        continue;
                    }

                    // "lambs" without an apostrophe is a plural, not a possessive, for a single word.
                    if (match.Value.EndsWith('s') && !alias.EndsWith('s') && !match.Value.EndsWith("'s", StringComparison.Ordinal) && !match.Value.EndsWith("s'", StringComparison.Ordinal))
                    {
                        continue;
                    }
                }

                found.Add(new NameMatch(canonical, match.Index, match.Index + match.Length, match.Value, false));
            }
        }

        // Longer matches win over the names inside them ("Charles Lamb" over "Lamb"); the same author counts once.
        var kept = found.Where(f => !found.Any(o => o != f && o.Start <= f.Start && o.End >= f.End && o.End - o.Start > f.End - f.Start))
            .OrderBy(f => f.Start).ToList();

        if (kept.Count == 0)
        {
            kept.AddRange(FindMisspelt(text, lower, catalog));
        }

        return kept.GroupBy(k => k.Author, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).OrderBy(k => k.Start).ToList();
    }

    /// <summary>"The Go Team", "Go tools team", "Staff", "The Editors": a byline for a group, not a person.</summary>
    public static bool IsCollective(string name) => CollectiveByline().IsMatch(name);

    /// <summary>Full names typed with a small slip: one edit for short names, two for long ones, one candidate only.</summary>
    private static IEnumerable<NameMatch> FindMisspelt(string text, string lower, ArchiveCatalog catalog)
    {
        var words = Word().Matches(lower).ToList();
        var best = new List<(string Author, int Start, int End, string Typed, int Distance)>();
        foreach (var (alias, canonical) in catalog.AuthorAliases)
        {
            if (IsCollective(canonical))
            {
                continue;
            }

            var aliasKey = Key(alias);
            var parts = aliasKey.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (parts < 2 && aliasKey.Length < 7)
            {
                continue;
            }

            var allowed = aliasKey.Length >= 12 ? 2 : 1;
            for (var i = 0; i + parts <= words.Count; i++)
            {
                var start = words[i].Index;
                var end = words[i + parts - 1].Index + words[i + parts - 1].Length;
                var typed = text[start..end];
                var typedKey = Key(typed.EndsWith("'s", StringComparison.OrdinalIgnoreCase) ? typed[..^2] : typed);
                if (Math.Abs(typedKey.Length - aliasKey.Length) > allowed || typedKey == aliasKey)
                {
                    continue;
                }

                // Single words need the first letter right and a name's place in the sentence ("hamliton on").
                if (parts == 1 && (typedKey[0] != aliasKey[0] || !NameContextAfter().IsMatch(lower[end..])))
                {
                    continue;
                }

                var distance = EditDistance(typedKey, aliasKey);
                if (distance > 0 && distance <= allowed)
                {
                    best.Add((canonical, start, end, typed, distance));
                }
            }
        }

        if (best.Count == 0)
        {
            return [];
        }

        var min = best.Min(b => b.Distance);
        var closest = best.Where(b => b.Distance == min).ToList();
        var authors = closest.Select(c => c.Author).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (authors.Count != 1)
        {
            return [];
        }

        var pick = closest.OrderByDescending(c => c.End - c.Start).First();
        return [new NameMatch(pick.Author, pick.Start, pick.End, pick.Typed, true)];
    }

    private static bool ReadsAsName(string text, Match match)
    {
        if (match.Value.EndsWith("'s", StringComparison.OrdinalIgnoreCase) || match.Value.EndsWith("s'", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return ByBefore().IsMatch(text[..match.Index]) || NameContextAfter().IsMatch(text[(match.Index + match.Length)..])
            || AskedAbout().IsMatch(text[..match.Index]);
    }

    private static bool IsCommonOpening(string word) => CommonOpening().IsMatch(word);

    private static string Key(string name) => Regex.Replace(name.ToLowerInvariant().Replace(".", " ", StringComparison.Ordinal), @"\s+", " ").Trim();

    private static string LoosePattern(string alias)
    {
        var key = Key(alias);
        var parts = key.Split(' ');
        var pieces = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var piece = Regex.Escape(parts[i]);
            if (i < parts.Length - 1)
            {
                // Between initials the space may vanish ("gk chesterton"); between words it is required.
                piece += parts[i].Length == 1 ? @"\.?\s*" : @"\.?\s+";
            }

            pieces.Add(piece);
        }

        return string.Concat(pieces);
    }

    /// <summary>Optimal string alignment distance: an adjacent swap ("seranno") costs one edit.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"\b(team|staff|editors?|desk|bureau|contributors|leadership|newsroom|committee|board)\b|^the\s", RegexOptions.IgnoreCase)]
    private static partial Regex CollectiveByline();

    [GeneratedRegex(@"\b(has|have|is|was|are|were)\s+$", RegexOptions.IgnoreCase)]
    private static partial Regex BylineAsked();

    [GeneratedRegex(@"\b(by|from)\s+(the\s+)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ByBefore();

    [GeneratedRegex(@"^(?:'s|s')?\s+(on|about|say|says|said|think|thinks|thought|write|writes|wrote|written|argue|argues|argued|mean|means|meant|publish|published|describe|describes|described|feel|feels|claim|claims|review|reviewed)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NameContextAfter();

    [GeneratedRegex(@"\bwho\s+(is|was)\s+$|\b(mention|mentions|mentioning|mentioned|cite|cites|quote|quotes|quoting)\s+$", RegexOptions.IgnoreCase)]
    private static partial Regex AskedAbout();

    [GeneratedRegex(@"^(Will|May|Mark|Grace|Hope|Bill|Frank|Rich|Young|Long|Little|Price)$")]
    private static partial Regex CommonOpening();

    [GeneratedRegex(@"[\p{L}][\p{L}'.-]*")]
    private static partial Regex Word();
}
