using System.Text.RegularExpressions;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// "Pieces that mention X (apart from X's own)": X is searched for in the text rather than used as a byline, and with
/// "apart from their own" X's pieces are left out.
/// </summary>
public sealed partial class MentionRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        var mention = MentionQuestion().Match(draft.Text);
        if (!mention.Success)
        {
            return;
        }

        var who = draft.Names.FirstOrDefault(m => m.Start >= mention.Groups["name"].Index - 1);
        draft.MentionedName = who?.Author ?? mention.Groups["name"].Value.Trim(' ', ',', '?', '.');
        draft.Claim(mention.Index, mention.Index + mention.Length, nameof(MentionRecogniser));
        if (who is not null)
        {
            draft.SetRole(who.Author, ExcludeOwnWords().IsMatch(draft.Text) ? AuthorRoleKind.Excluded : AuthorRoleKind.Mentioned);
        }
    }

    [GeneratedRegex(@"\b(mention|mentions|mentioning|mentioned|cite|cites|citing|quote|quotes|quoting|refer\s+to|refers\s+to|referring\s+to)\s+(?<name>[\w.' -]{2,60})", RegexOptions.IgnoreCase)]
    private static partial Regex MentionQuestion();

    [GeneratedRegex(@"\b(apart\s+from|except|excluding|other\s+than|not\s+counting|besides|leaving\s+out)\s+(his|her|their|\w+'s)\s+own\b|\bnot\s+(by|written\s+by)\s+(him|her|them)\b|\bby\s+others\b|\bby\s+other\s+(writers|authors)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ExcludeOwnWords();
}
