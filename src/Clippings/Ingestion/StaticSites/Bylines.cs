using System.Text.RegularExpressions;

namespace Clippings.Ingestion.StaticSites;

/// <summary>
/// Turns byline entries as sites write them into people's names: one entry may name several people ("A, B, and C",
/// "A and B", "A &amp; B"), carry a role ("…, for the X team", "…, on behalf of …"), an affiliation in parentheses,
/// "and contributors", or prose with dates ("A, July 2011; updated by B, May 2013"). Team bylines stay whole.
/// </summary>
public static partial class Bylines
{
    /// <summary>The people named by <paramref name="entries"/>, in order, without duplicates.</summary>
    public static IReadOnlyList<string> Split(IEnumerable<string> entries) =>
        entries.SelectMany(Split).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The people named by one byline entry.</summary>
    public static IReadOnlyList<string> Split(string entry)
    {
        var names = new List<string>();
        // ";" separates clauses of a prose byline; each clause names its own people.
        foreach (var rawClause in TextNormalizer.Line(entry).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var clause = ByPrefix().Replace(rawClause, "");
            clause = Parenthesised().Replace(clause, " ");
            clause = RoleSuffix().Replace(clause, "");
            clause = Others().Replace(clause, "");
            clause = TrailingDate().Replace(clause, "");
            clause = clause.Trim(' ', ',', '.', ':', '-');
            if (clause.Length == 0)
            {
                continue;
            }

            if (IsTeam(clause))
            {
                names.Add(clause);
                continue;
            }

            foreach (var part in Separators().Split(clause))
            {
                var name = TrailingDate().Replace(part, "").Trim(' ', ',', '.', ':');
                if (name.Length == 0 || !name.Any(char.IsLetter) || DateWords().IsMatch(name))
                {
                    continue;
                }

                // "Jr." and "PhD" belong to the name before them, not to a new person.
                if (NameSuffix().IsMatch(name) && names.Count > 0)
                {
                    names[^1] += ", " + name;
                    continue;
                }

                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>A group byline ("The Go Team", "Editorial Board", "Data desk"): one author, never split.</summary>
    public static bool IsTeam(string name) => TeamWords().IsMatch(name) || name.StartsWith("The ", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?:(?:written|updated|edited|revised|translated|illustrated|reported)\s+)?by\s+", RegexOptions.IgnoreCase)]
    private static partial Regex ByPrefix();

    [GeneratedRegex(@"\s*\([^)]*\)")]
    private static partial Regex Parenthesised();

    // A role after a comma ("Russ Cox, for the Go team") or an explicit "on behalf of" anywhere.
    [GeneratedRegex(@"(?:,\s*(?:for|on behalf of|from|at|with|of)\s+.*$)|(?:\s+on behalf of\s+.*$)", RegexOptions.IgnoreCase)]
    private static partial Regex RoleSuffix();

    [GeneratedRegex(@"(?:,?\s*(?:and|&)\s+(?:many\s+)?(?:other\s+)?(?:contributors|others|friends|colleagues))\s*$|,?\s+et al\.?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Others();

    // ", July 2011", ", 2013", ", 3 May 2013", ", 2013-05-03" at the end of a clause.
    [GeneratedRegex(@"(?:,\s*|\s+)(?:\d{1,2}\s+)?(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+)?(?:\d{1,2},?\s+)?\d{4}(?:-\d{1,2}-\d{1,2})?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex TrailingDate();

    [GeneratedRegex(@"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?(?:\s+\d{1,4})?$", RegexOptions.IgnoreCase)]
    private static partial Regex DateWords();

    // ", and " / ", & " / " and " / " & " / "," (and the same conjunction in a few other languages).
    [GeneratedRegex(@"\s*,\s*(?:and|&|und|et|y)\s+|\s+(?:and|und|et|y)\s+|\s*&\s*|\s*\+\s+|\s*,\s*")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^(?:Jr|Sr|II|III|IV|PhD|Ph\.D|MD|M\.D|Esq)\.?$", RegexOptions.IgnoreCase)]
    private static partial Regex NameSuffix();

    [GeneratedRegex(@"\b(?:team|group|staff|editors|editorial|board|committee|desk|leadership|working group|contributors|authors|community|collective|newsroom)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TeamWords();
}
