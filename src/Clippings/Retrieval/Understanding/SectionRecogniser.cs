using System.Text.RegularExpressions;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// Sections and publications the question names: "the Spectator" the paper, not "a spectator"; in lowercase, a name of
/// several words ("council watch") or one standing as a name ("the last rambler essay").
/// </summary>
public sealed class SectionRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft) => draft.Sections = FindSections(draft.Text, draft.Catalog);

    private static List<string> FindSections(string text, ArchiveCatalog catalog)
    {
        var matches = new List<(string Name, int Length, bool IsPublication)>();
        var publications = catalog.Articles.Select(a => a.Publication).Where(p => p is not null).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in catalog.SectionNames)
        {
            var core = QuestionWords.CoreName(name);
            if (core.Length < 4)
            {
                continue;
            }

            // Capitalised match: "the Spectator" the paper, not "a spectator". In lowercase, a name of several words
            // ("council watch") is still the name, and one word is when it stands as one ("the last rambler essay", "what did the spectator say").
            var pattern = @"(?<![\w-])" + Regex.Escape(core) + @"(?![\w-])";
            if (Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant)
                || (core.Contains(' ', StringComparison.Ordinal) && Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant | RegexOptions.IgnoreCase))
                || Regex.IsMatch(text, @"\b(the|last|first|final|latest|earliest|newest|oldest|in)\s+" + Regex.Escape(core) + @"(?:'s)?\s+(paper|papers|essay|essays|column|columns|piece|pieces|post|posts|number|numbers|issue|issues|here)\b|\bin\s+the\s+" + Regex.Escape(core) + @"\b|\bthe\s+" + Regex.Escape(core) + @"\s+(say|says|said|write|writes|wrote|argue|argues|argued|think|thinks|thought|publish|publishes|published|print|printed|cover|covers|covered|report|reported|claim|claimed)\b|\b(for|in|from|of)\s+the\s+" + Regex.Escape(core) + @"\s*[?.!]*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase))
            {
                matches.Add((name, core.Length, publications.Contains(name)));
            }
        }

        // Drop names contained in a longer matched name ("London Magazine" inside "New London Magazine").
        var kept = matches.Where(m => !matches.Any(o => o.Length > m.Length && QuestionWords.CoreName(o.Name).Contains(QuestionWords.CoreName(m.Name), StringComparison.Ordinal))).ToList();

        // "Federalist" names both a section and an edition's publication: the section (the broader name) is meant.
        kept = kept.Where(k => !(k.IsPublication && !QuestionWords.IsAlsoSection(k.Name, catalog)
            && kept.Any(o => o.Name != k.Name && QuestionWords.IsAlsoSection(o.Name, catalog) && QuestionWords.CoreName(o.Name).Equals(QuestionWords.CoreName(k.Name), StringComparison.OrdinalIgnoreCase)))).ToList();

        // A named publication is more specific than a section: "Federalist papers in The New-York Packet" means the Packet.
        if (kept.Any(k => k.IsPublication && !QuestionWords.IsAlsoSection(k.Name, catalog)) && kept.Any(k => QuestionWords.IsAlsoSection(k.Name, catalog)))
        {
            kept = kept.Where(k => k.IsPublication && !QuestionWords.IsAlsoSection(k.Name, catalog)).ToList();
        }

        return kept.Select(k => k.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}
