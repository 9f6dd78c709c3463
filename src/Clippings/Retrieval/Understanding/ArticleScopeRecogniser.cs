using System.Text.RegularExpressions;

namespace Clippings.Retrieval.Understanding;

/// <summary>A conversation opened from an article page stays on that article unless the question widens it or names others.</summary>
public sealed partial class ArticleScopeRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft) =>
        draft.KeptScope = draft.ScopedArticleId is not null && !WideningWords().IsMatch(draft.Text) && draft.NamedArticleIds.Count == 0
            && draft.Intent is QuestionIntent.Passages or QuestionIntent.AuthorProfile
            ? draft.ScopedArticleId
            : null;

    [GeneratedRegex(@"\b(before|elsewhere|other\s+(articles|pieces|essays|papers|columns)|ever|this\s+(magazine|publication|paper|newspaper|site)|the\s+archive|in\s+general|anywhere|previously|again)\b", RegexOptions.IgnoreCase)]
    private static partial Regex WideningWords();
}
