using System.Text.RegularExpressions;
using Clippings.Text;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// "Who writes the food column?", "who is the harbour reporter?": with no name in the question, the author whose note
/// describes what is asked about.
/// </summary>
public sealed partial class AuthorByBioRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        if (draft.Writers.Count > 0 || !WhoWritesQuestion().IsMatch(draft.Text) || FindAuthorByBio(draft.Text, draft.Catalog) is not { } author)
        {
            return;
        }

        draft.SetRole(author, AuthorRoleKind.Wrote);
        draft.AuthorFromDescription = true;
    }

    /// <summary>
    /// "Who writes the food column?": the author whose bio shares the most of the question's words, when it
    /// clearly shares more than any other (at least two words).
    /// </summary>
    private static string? FindAuthorByBio(string text, ArchiveCatalog catalog)
    {
        var terms = LexicalAnalyzer.Analyze(text).Where(t => t is not "writ" and not "write" and not "wrote").ToHashSet(StringComparer.Ordinal);
        var scored = catalog.Authors.Where(a => !string.IsNullOrWhiteSpace(a.Bio))
            .Select(a => (a.Name, Score: LexicalAnalyzer.Analyze(a.Bio!).Distinct(StringComparer.Ordinal).Count(terms.Contains)))
            .OrderByDescending(a => a.Score).Take(2).ToList();
        return scored.Count > 0 && scored[0].Score >= 2 && (scored.Count == 1 || scored[0].Score > scored[1].Score) ? scored[0].Name : null;
    }

    [GeneratedRegex(@"^\s*who\s+(writes|wrote|covers|covered|reviews|edits|is|was)\b(?!.*\b(No\.|Nos\.)\s*\d)", RegexOptions.IgnoreCase)]
    private static partial Regex WhoWritesQuestion();
}
