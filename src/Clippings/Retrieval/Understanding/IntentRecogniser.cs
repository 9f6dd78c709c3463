using System.Text.RegularExpressions;
using Clippings.Text;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// The question's kind, decided in one place from everything found before it: an author described → their profile;
/// "who writes for…" → the author list; "what have we said about X" → coverage; a listing by author, section, date or
/// order when no topic is left; otherwise passages. Also whether it asks for a piece's metadata and for joint authorship.
/// </summary>
public sealed partial class IntentRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        var text = draft.Text;
        var authors = draft.Writers;
        draft.RequireAllAuthors = authors.Count > 1 && JointlyWords().IsMatch(text);
        string? topic = null;
        var dateSpans = draft.Claims.Where(c => c.By is nameof(DateRecogniser) or nameof(EventRangeRecogniser)).Select(c => (c.Start, c.End)).ToList();
        var intent = draft.AuthorFromDescription
            ? QuestionIntent.AuthorProfile
            : AuthorListQuestion().IsMatch(text) && authors.Count == 0
                ? QuestionIntent.AuthorList
                : DetectIntent(text, draft.Catalog, authors, draft.Names.Select(m => m.Typed).ToList(), draft.Sections, draft.Dates is not null || draft.Events is not null, draft.NamedArticleIds.Count > 0, dateSpans, draft.Order, out topic);

        // A mention is searched in the text: neither a listing of the person's pieces nor their profile.
        if (draft.MentionedName is not null && intent is QuestionIntent.ArticleList or QuestionIntent.AuthorProfile)
        {
            intent = QuestionIntent.Passages;
        }

        draft.Intent = intent;
        draft.Topic = topic;
        draft.AsksForMetadata = MetadataQuestion().IsMatch(text) && !AuthorListQuestion().IsMatch(text);
    }

    private static QuestionIntent DetectIntent(string text, ArchiveCatalog catalog, IReadOnlyList<string> authors, IReadOnlyList<string> typedNames, IReadOnlyList<string> sections, bool hasDates, bool namesArticles, List<(int Start, int End)> dateSpans, DateOrder order, out string? topic)
    {
        topic = null;
        var coverage = CoverageQuestion().Match(text);
        if (coverage.Success)
        {
            topic = TopicTail().Replace(coverage.Groups["topic"].Value.Trim(' ', '?', '.', '!'), "").Trim();
            return QuestionIntent.Coverage;
        }

        if (authors.Count > 0 && !namesArticles && AuthorProfileQuestion().IsMatch(text) && !WrittenByQuestion().IsMatch(text))
        {
            return QuestionIntent.AuthorProfile;
        }

        // "What else has X written here?", "the first piece by X", "pieces since 2025": a listing when no topic is left.
        var listing = ListingQuestion().IsMatch(text) || WrittenByQuestion().IsMatch(text) || order != DateOrder.None || (hasDates && BarePiecesQuestion().IsMatch(text));
        if (listing && !namesArticles && (authors.Count > 0 || sections.Count > 0 || hasDates || order != DateOrder.None))
        {
            // A listing by metadata only when nothing topical is left once the scope words are removed.
            var withoutDates = text;
            foreach (var (start, end) in dateSpans.OrderByDescending(s => s.Start))
            {
                withoutDates = withoutDates.Remove(start, end - start);
            }

            // Every name the catalog knows is scope, not topic ("Federalist papers in The New-York Packet").
            var nameWords = authors.Concat(typedNames).Concat(sections).Concat(catalog.SectionNames).Concat(catalog.AuthorAliases.Keys)
                .SelectMany(n => LexicalAnalyzer.Tokenize(n).Concat(LexicalAnalyzer.Tokenize(QuestionWords.WithoutPossessives(n)))).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // The tokenizer joins "cox's" into "coxs": possessives go first so the name is recognised as scope.
            withoutDates = QuestionWords.WithoutPossessives(withoutDates);
            var remaining = LexicalAnalyzer.Tokenize(withoutDates)
                .Where(t => !QuestionWords.ScopeWords.Contains(t) && !nameWords.Contains(t) && !QuestionWords.MonthNames.Contains(t) && !t.All(char.IsDigit) && t.Length > 1)
                .ToList();
            if (remaining.Count == 0)
            {
                return QuestionIntent.ArticleList;
            }
        }

        return QuestionIntent.Passages;
    }

    [GeneratedRegex(@"\s+(before|already|previously|in\s+the\s+past|ever|yet|so\s+far|lately|recently)$", RegexOptions.IgnoreCase)]
    private static partial Regex TopicTail();

    [GeneratedRegex(@"\b(jointly|together|co-?authored|co-?wrote|both\s+\w+\s+and)\b", RegexOptions.IgnoreCase)]
    private static partial Regex JointlyWords();

    [GeneratedRegex(@"\b(what|anything|something)\s+(have|has|did)\s+(we|you|the\s+\w+|this\s+\w+)\s+(said|written|published|run|covered|printed)\s+(about|on)\s+(?<topic>.+)|\b(have|has|did)\s+(we|you|the\s+\w+|this\s+\w+)\s+(already\s+|ever\s+)?(written|published|run|covered|printed|said\s+anything)\s+(a\s+piece\s+|anything\s+|an\s+article\s+|an\s+essay\s+)?(about|on)\s+(?<topic>.+)|\b(past|previous|earlier)\s+coverage\s+(of|on|about)\s+(?<topic>.+)|\bour\s+(pieces|articles|coverage|essays)\s+(on|about)\s+(?<topic>.+)|\bfind\s+(our\s+)?(pieces|articles|essays|columns)\s+(on|about)\s+(?<topic>.+)", RegexOptions.IgnoreCase)]
    private static partial Regex CoverageQuestion();

    [GeneratedRegex(@"\bwho\s+(is|was|were)\b(?!.*\b(wrote|write|author of)\b)|\btell\s+me\s+about\b|\b(biography|bio|life|career|background|born|died|death|later\s+life)\b|\bwent\s+on\s+to\b|\bgo\s+on\s+to\b|\bwhat\s+(post|office|position|job|role)\b|\bwhat\s+do\s+(you|we)\s+know\s+about\b|\b(pen[\s-]?name|pseudonym|nom\s+de\s+plume|real\s+name|wrote\s+under|signed\s+(his|her|their))\b|\babout\s+the\s+author\b|\bwho\s+is\s+the\s+author\b", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorProfileQuestion();

    [GeneratedRegex(@"^\s*(which|what|list|show|name|give\s+me|find)\b.*?\b(papers?|essays?|articles?|pieces?|columns?|numbers|issues|posts|works|writings)\b|\blist\b", RegexOptions.IgnoreCase)]
    private static partial Regex ListingQuestion();

    [GeneratedRegex(@"\b(who\s+(writes|wrote|has\s+written|contributes|contributed|blogs|posts)\s+(for|in|on|to|here|at)\b|who\s+(are|were)\s+(the|your|its|our|all\s+the)\s+(writers|authors|columnists|contributors|critics|reviewers|bloggers)|\b(list|name|show)\s+(me\s+)?(the|all|your|its)?\s*(writers|authors|columnists|contributors)\b|\bwho\s+writes\s+here)", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorListQuestion();

    [GeneratedRegex(@"\b(what|which)\s+(else\s+)?(has|have|did|does)\b.*\b(written|write|writes|wrote|published|publish|posted|post)\b|\b(anything|everything|all)\s+(else\s+)?by\b|\bother\s+(pieces|articles|posts|essays|columns)\s+by\b", RegexOptions.IgnoreCase)]
    private static partial Regex WrittenByQuestion();

    [GeneratedRegex(@"^\s*(pieces|articles|posts|essays|papers|columns|stories|anything|everything)\b|\bwhat\s+did\s+(we|you|they)\s+(publish|run|print|post)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BarePiecesQuestion();

    [GeneratedRegex(@"\bwho\s+(wrote|write|writes|authored|is\s+the\s+author|was\s+the\s+author)\b|\bwhen\s+(was|were|did|is)\b|\bwhat\s+(date|year|day)\b|\bwhich\s+(newspaper|magazine|paper|publication|journal|periodical)\b|\bwhere\s+(was|were|did)\b.*\b(appear|published|printed|first|run)\b|\bin\s+which\s+(newspaper|magazine|publication)\b|\bwhat\s+(newspaper|magazine|publication)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MetadataQuestion();
}
