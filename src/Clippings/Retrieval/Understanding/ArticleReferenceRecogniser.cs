using System.Globalization;
using System.Text.RegularExpressions;
using Clippings.Text;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// Articles the question names: by series number ("Federalist No. 10", "nos. 10 and 51", "the first number of the
/// Rambler") or by a quoted title. A number the series never reached is kept as the missing article, for the refusal.
/// </summary>
public sealed partial class ArticleReferenceRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        var seriesText = SeriesText(draft.Text, draft.Catalog);
        foreach (Match match in SeriesReference().Matches(seriesText))
        {
            // SeriesText only changes letter case and the spacing after "no", so positions are close enough to claim.
            draft.Claim(Math.Min(match.Index, draft.Text.Length), Math.Min(draft.Text.Length, match.Index + match.Length), nameof(ArticleReferenceRecogniser));
        }

        var (numbers, seriesArticles, missing) = FindSeriesArticles(seriesText, draft.Catalog, draft.Sections);
        draft.SeriesNumbers = numbers;
        draft.MissingArticle = missing;
        draft.QuotedPhrases = QuotedPhrase().Matches(draft.Text).Select(m => m.Groups["q"].Value.Trim()).ToList();
        draft.NamedArticleIds = seriesArticles.Concat(FindQuotedTitles(draft.Text, draft.Catalog)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>"federalist no. 90", "nos 10 and 51" typed in lowercase reads as "Federalist No. 90" for the series matcher.</summary>
    private static string SeriesText(string text, ArchiveCatalog catalog)
    {
        var result = Regex.Replace(text, @"\bno(?<s>s?)(?:\.\s*|\s+)(?=\d)", "No${s}. ", RegexOptions.CultureInvariant);
        foreach (var core in catalog.SectionNames.Select(QuestionWords.CoreName).Where(c => c.Length >= 4 && !c.Contains(' ', StringComparison.Ordinal)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            result = Regex.Replace(result, @"\b" + Regex.Escape(core) + @"(?='s|,?\s+Nos?\.)", core, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        }

        return result;
    }

    private static (List<int> Numbers, List<string> Articles, string? Missing) FindSeriesArticles(string text, ArchiveCatalog catalog, IReadOnlyList<string> sections)
    {
        var numbers = new List<(int Number, string? Series)>();
        foreach (Match match in SeriesReference().Matches(text))
        {
            var series = match.Groups["series"].Success ? match.Groups["series"].Value : null;
            foreach (Capture capture in match.Groups["n"].Captures)
            {
                numbers.Add((int.Parse(capture.Value, CultureInfo.InvariantCulture), series));
            }
        }

        foreach (Match match in OrdinalFirstReference().Matches(text))
        {
            numbers.Add((1, match.Groups["series"].Success ? match.Groups["series"].Value : null));
        }

        var articles = new List<string>();
        string? missing = null;
        foreach (var (number, series) in numbers)
        {
            var candidates = catalog.SeriesNumbers[number].ToList();
            var seriesName = series ?? sections.Select(QuestionWords.CoreName).FirstOrDefault();
            if (seriesName is not null)
            {
                var seriesCore = QuestionWords.CoreName(seriesName);
                candidates = candidates.Where(a => a.Title.Contains(seriesCore, StringComparison.OrdinalIgnoreCase)
                    || QuestionWords.CoreName(a.Section ?? "").Equals(seriesCore, StringComparison.OrdinalIgnoreCase)
                    || QuestionWords.CoreName(a.Publication ?? "").Equals(seriesCore, StringComparison.OrdinalIgnoreCase)).ToList();
            }

            if (candidates.Count == 0)
            {
                if (seriesName is not null && catalog.Articles.Any(a => a.Title.Contains(QuestionWords.CoreName(seriesName), StringComparison.OrdinalIgnoreCase)))
                {
                    missing ??= $"{QuestionWords.CoreName(seriesName)} No. {number}";
                }

                continue;
            }

            if (candidates.Count <= 3)
            {
                articles.AddRange(candidates.Select(c => c.Id));
            }
        }

        return (numbers.Select(n => n.Number).Distinct().ToList(), articles.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), articles.Count == 0 ? missing : null);
    }

    private static List<string> FindQuotedTitles(string text, ArchiveCatalog catalog)
    {
        var found = new List<string>();
        foreach (Match match in QuotedPhrase().Matches(text))
        {
            var quoted = match.Groups["q"].Value.Trim();
            if (quoted.Length < 3)
            {
                continue;
            }

            var quotedTerms = LexicalAnalyzer.Analyze(quoted);
            if (quotedTerms.Count == 0)
            {
                continue;
            }

            foreach (var article in catalog.Articles)
            {
                var title = ArchiveCatalog.StripSeriesPrefix(article.Title).Trim();
                if (string.Equals(title, quoted, StringComparison.OrdinalIgnoreCase)
                    || (quoted.Length >= 8 && title.StartsWith(quoted, StringComparison.OrdinalIgnoreCase))
                    || (catalog.TitleTerms.TryGetValue(article.Id, out var terms) && terms.Count > 0 && terms.Count <= quotedTerms.Count + 1
                        && quotedTerms.All(terms.Contains) && terms.All(quotedTerms.Contains)))
                {
                    found.Add(article.Id);
                }
            }
        }

        return found.Count <= 5 ? found : [];
    }

    [GeneratedRegex(@"(?:(?<series>[A-Z][\w-]+)(?:'s)?,?\s+)?\bNos?\.?\s*(?<n>\d{1,4})(?:(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+or\s+)(?:Nos?\.?\s*)?(?<n>\d{1,4}))*", RegexOptions.CultureInvariant)]
    private static partial Regex SeriesReference();

    [GeneratedRegex(@"\b(?:very\s+)?first\s+(?:number|issue|paper|essay)\s+of\s+(?:[Tt]he\s+)?(?<series>[A-Z][\w-]+)", RegexOptions.CultureInvariant)]
    private static partial Regex OrdinalFirstReference();

    [GeneratedRegex("(?:^|[\\s(])['\"](?<q>[^'\"]{3,120}?)['\"](?=[\\s,.?!;:)]|$)")]
    private static partial Regex QuotedPhrase();
}
