using Clippings.Text;

namespace Clippings.Retrieval.Understanding;

/// <summary>A recogniser that needs the local encoder, so it is awaited; a synchronous analysis leaves it out.</summary>
public interface IAsyncQuestionRecogniser
{
    Task RecogniseAsync(QuestionDraft draft, CancellationToken cancellationToken);
}

/// <summary>
/// The question's kind by its nearest written exemplars, where the patterns found none ("anything on trams?", "tell me
/// who she is"): the patterns come first, then a confident vote, and a kind is only taken when the question has what
/// that kind needs (a named author for a profile, a scope for a listing, no author for the author list).
/// </summary>
public sealed class ExemplarKindRecogniser(NearestExemplarIntentClassifier classifier) : IAsyncQuestionRecogniser
{
    public async Task RecogniseAsync(QuestionDraft draft, CancellationToken cancellationToken)
    {
        if (draft.Intent != QuestionIntent.Passages || draft.MentionedName is not null || draft.NamedArticleIds.Count > 0 || draft.Premise is not null)
        {
            return;
        }

        // A named author with a topic left ("what did madison say about factions") can only be voted into a coverage list,
        // the same search in another form; the vote would cost a second embedding (the names masked), so it is not taken.
        if (draft.Names.Count > 0 && TopicWords(draft) is not null)
        {
            return;
        }

        var vote = await classifier.ClassifyAsync(draft.Text, draft.Names.Select(n => n.Typed).ToList(), cancellationToken).ConfigureAwait(false);
        if (vote is null || !Fits(vote.Intent, draft))
        {
            return;
        }

        draft.Intent = vote.Intent;
        if (vote.Intent == QuestionIntent.Coverage)
        {
            draft.Topic ??= draft.AboutPhrase ?? TopicWords(draft);
        }
    }

    private static bool Fits(QuestionIntent intent, QuestionDraft draft) => intent switch
    {
        // A topic left over ("what did she write about the ferry") is searched, not answered with a listing or a profile.
        QuestionIntent.AuthorProfile => draft.Writers.Count > 0 && TopicWords(draft) is null,
        QuestionIntent.AuthorList => draft.Writers.Count == 0,
        QuestionIntent.ArticleList => (draft.Writers.Count > 0 || draft.Sections.Count > 0 || draft.Dates is not null || draft.Order != DateOrder.None) && TopicWords(draft) is null,
        QuestionIntent.Coverage => true,
        _ => false,
    };

    /// <summary>"anything on trams?" → "trams": the question's words less scope words, names, sections and dates.</summary>
    private static string? TopicWords(QuestionDraft draft)
    {
        var names = draft.Names.Select(n => n.Typed).Concat(draft.Sections).Concat(draft.Dates?.Phrases ?? [])
            .SelectMany(n => LexicalAnalyzer.Tokenize(QuestionWords.WithoutPossessives(n)).Concat(LexicalAnalyzer.Tokenize(n)))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var words = LexicalAnalyzer.Tokenize(QuestionWords.WithoutPossessives(draft.Text))
            .Where(t => !QuestionWords.ScopeWords.Contains(t) && !names.Contains(t) && !t.All(char.IsDigit) && LexicalAnalyzer.Analyze(t).Count > 0).ToList();
        return words.Count == 0 ? null : string.Join(' ', words);
    }
}
