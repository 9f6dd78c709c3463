using System.Globalization;
using System.Text.RegularExpressions;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// The one home of premise checks: what the question takes for granted that the archive cannot meet. A column nobody
/// writes, a byline no author of the archive has, a year after its newest piece, dates outside the span of what is asked
/// about. The first problem found is the one the reader is told.
/// </summary>
public sealed partial class PremiseRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        var text = draft.Text;
        var column = WhoWritesColumn().Match(text);
        if (!draft.AuthorFromDescription && draft.Writers.Count == 0 && column.Success && draft.Sections.Count == 0)
        {
            draft.AddPremise($"The archive has no {column.Groups["what"].Value.Trim()} {column.Groups["kind"].Value}: none of its authors' notes or sections mention one.");
        }

        draft.AddPremise(UnknownByline(text, draft.Names, draft.Catalog));
        draft.AddPremise(FutureYear(text, draft.Catalog));
        draft.AddPremise(OutsideTheSpan(draft));
    }

    /// <summary>Dates entirely before or after the pieces in scope (the archive's, or the named authors'): nothing to relax to.</summary>
    private static string? OutsideTheSpan(QuestionDraft draft)
    {
        if (draft.Dates is not { } dates)
        {
            return null;
        }

        var authors = draft.Writers;
        var scoped = draft.Catalog.Articles.Where(a => a.Published is not null
            && (authors.Count == 0 || a.Authors.Any(n => authors.Contains(n, StringComparer.OrdinalIgnoreCase)))).ToList();
        if (scoped.Count == 0 || scoped.Any(a => (dates.From is null || a.Published >= dates.From) && (dates.To is null || a.Published <= dates.To)))
        {
            // Inside the span but empty: the retriever relaxes the dates when the search finds nothing, and says so.
            return null;
        }

        var first = scoped.Min(a => a.Published)!.Value;
        var last = scoped.Max(a => a.Published)!.Value;
        var who = authors.Count > 0 ? $"{string.Join(" and ", authors)}'s pieces in the archive run" : "The archive runs";
        return (dates.To is not null && dates.To < first) || (dates.From is not null && dates.From > last)
            ? $"{who} from {first.Year} to {last.Year}; there is nothing {DateScope.Describe(dates.From, dates.To)}."
            : null;
    }

    /// <summary>"essays by jane austen": a two-word byline that is no author of the archive is a premise it cannot meet.</summary>
    private static string? UnknownByline(string text, IReadOnlyList<NameMatch> names, ArchiveCatalog catalog)
    {
        var match = ByNamedPerson().Match(text);
        if (!match.Success || names.Any(n => n.Start >= match.Groups["name"].Index - 1))
        {
            return null;
        }

        var words = match.Groups["name"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Any(w => QuestionWords.ScopeWords.Contains(w) || QuestionWords.MonthNames.Contains(w.ToLowerInvariant()) || w.Length < 2)
            || catalog.SectionNames.Any(n => QuestionWords.CoreName(n).Contains(words[0], StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var name = string.Join(' ', words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        var known = catalog.Authors.OrderByDescending(a => a.ArticleCount).Take(3).Select(a => a.Name).ToList();
        return $"No one named {name} writes in the archive" + (known.Count > 0 ? $"; its most frequent authors are {string.Join(", ", known)}." : ".");
    }

    /// <summary>A year after the archive's newest piece ("gophercon 2030") is an event it cannot have covered.</summary>
    private static string? FutureYear(string text, ArchiveCatalog catalog)
    {
        var last = catalog.Articles.Where(a => a.Published is not null).Select(a => a.Published!.Value).DefaultIfEmpty().Max();
        if (last == default)
        {
            return null;
        }

        foreach (Match m in BareYear().Matches(text))
        {
            var year = int.Parse(m.Value, CultureInfo.InvariantCulture);
            if (year > last.Year)
            {
                return $"The archive's newest piece is from {last.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}, so it has nothing on {year}.";
            }
        }

        return null;
    }

    [GeneratedRegex(@"\bwho\s+(writes|wrote|does|edits|covers)\s+(the|your|a)\s+(?<what>[\w\s-]{2,30}?)\s+(?<kind>column|section|page|reviews|desk)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WhoWritesColumn();

    [GeneratedRegex(@"\b(essays|pieces|articles|posts|papers|columns|stories|anything|something|works?|books|written|wrote|letters)\s+by\s+(?<name>\p{L}[\p{L}'-]+\s+\p{L}[\p{L}'-]+)\s*[?.!]*$", RegexOptions.IgnoreCase)]
    private static partial Regex ByNamedPerson();

    [GeneratedRegex(@"(?<![\w.-])(1[5-9]\d{2}|20\d{2})(?![\w.-])")]
    private static partial Regex BareYear();
}
