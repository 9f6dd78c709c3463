using System.Text.RegularExpressions;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// "The first / earliest / oldest" and "the last / final / latest / most recent / newest": the pieces wanted in date order.
/// "When did X first appear?" asks for a date, not for the oldest piece. The words after the order word are kept as what
/// is to be ordered, so the retriever can tell "the latest release post" from "since he last went to a play".
/// </summary>
public sealed partial class OrderRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        draft.Order = FindOrder(draft.Text);
        if (draft.Order == DateOrder.None)
        {
            return;
        }

        var word = draft.Order == DateOrder.NewestFirst ? NewestWords().Match(draft.Text) : OldestWords().Match(draft.Text);
        if (word.Success)
        {
            draft.Claim(word.Index, word.Index + word.Length, nameof(OrderRecogniser));
            draft.OrderSubject = string.Join(' ', draft.Text[(word.Index + word.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4));
        }
    }

    internal static DateOrder FindOrder(string text)
    {
        var cleaned = FirstAppeared().Replace(text, " ");
        if (NewestWords().IsMatch(cleaned))
        {
            return DateOrder.NewestFirst;
        }

        return OldestWords().IsMatch(cleaned) ? DateOrder.OldestFirst : DateOrder.None;
    }

    [GeneratedRegex(@"\bfirst\s+(appear|appeared|published|ran|run|printed|came\s+out)\b|\bfor\s+the\s+first\s+time\b|\bat\s+first\b|\bfirst\s+(hand|place|name)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FirstAppeared();

    [GeneratedRegex(@"\b(latest|newest|most\s+recent(ly)?|last|final|recent)\b(?!\s+(week|year|month|night|time|century|decade|name)s?\b)", RegexOptions.IgnoreCase)]
    private static partial Regex NewestWords();

    [GeneratedRegex(@"\b(first|earliest|oldest|very\s+first|initial)\b(?!\s+(name|person|time)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex OldestWords();
}
