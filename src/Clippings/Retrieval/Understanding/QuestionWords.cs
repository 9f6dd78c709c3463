using System.Text.RegularExpressions;
using Clippings.Storage;

namespace Clippings.Retrieval.Understanding;

/// <summary>The words and name forms several recognisers share.</summary>
internal static partial class QuestionWords
{
    internal static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary>Words that carry no topic in listing questions; what remains after removing them is the topic.</summary>
    internal static readonly HashSet<string> ScopeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "which", "what", "list", "show", "name", "all", "every", "archive", "archives", "published", "publish", "printed", "print",
        "appeared", "appear", "written", "wrote", "write", "writes", "credited", "attributed", "jointly", "together", "first",
        "came", "come", "out", "ran", "run", "were", "was", "are", "is", "in", "the", "by", "of", "during", "from", "to", "and",
        "did", "does", "do", "have", "has", "we", "our", "you", "there", "any", "on", "between", "before", "after", "since", "until",
        "year", "years", "month", "day", "date", "dates", "when", "where", "who", "whom", "for", "me", "give", "find", "tell",
        "paper", "papers", "essay", "essays", "article", "articles", "piece", "pieces", "column", "columns", "numbers", "issues",
        "magazine", "newspaper", "series", "about", "this", "that", "these", "those", "a", "an", "s", "its", "their", "his", "her",
        "many", "much", "how", "contributed", "contribution", "contributions", "authored", "co", "both", "together", "with",
        "else", "here", "us", "blog", "site", "ever", "anything", "everything", "post", "posts", "review", "reviews", "entry", "entries",
        "first", "earliest", "oldest", "last", "final", "latest", "newest", "most", "recent", "recently", "piece", "story", "work", "ones",
        "column", "publication", "publications", "journal", "s", "has", "had", "been", "put", "them", "thing", "things", "stuff",
    };

    internal static string Normalize(string question)
    {
        var text = question.Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u201c', '"').Replace('\u201d', '"').Replace('\u00a0', ' ');
        return WhiteSpace().Replace(text, " ").Trim();
    }

    internal static string WithoutPossessives(string text) =>
        Regex.Replace(text, @"(?<=\w)['’]s\b|(?<=s)['’](?!\w)", "", RegexOptions.CultureInvariant);

    /// <summary>"The Spectator" → "Spectator"; "The Federalist (J. &amp; A. McLean edition, vol. II)" → "Federalist".</summary>
    internal static string CoreName(string name)
    {
        var core = name;
        var paren = core.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            core = core[..paren];
        }

        core = core.Trim();
        if (core.StartsWith("The ", StringComparison.OrdinalIgnoreCase))
        {
            core = core[4..];
        }

        return core.Trim();
    }

    internal static bool IsAlsoSection(string name, ArchiveCatalog catalog) =>
        catalog.Articles.Any(a => string.Equals(a.Section, name, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
