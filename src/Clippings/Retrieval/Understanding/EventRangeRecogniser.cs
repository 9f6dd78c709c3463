using System.Text.RegularExpressions;
using Clippings.Text;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// A range bounded by pieces rather than dates: "which posts did we publish between the Go 1.16 and Go 1.17 release
/// announcements?", "what ran since the generics proposal?". The events are kept as phrases; the retriever finds the piece
/// each names and takes its date. Only a question that lists pieces uses the range: in "how did pause times develop between
/// the GC post and the keynote" the two pieces are the subject, not the bounds.
/// </summary>
public sealed partial class EventRangeRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        if (draft.Dates is not null)
        {
            return;
        }

        var text = draft.Text;
        var between = Between().Match(text);
        if (between.Success && !draft.IsClaimed(between.Index, between.Index + between.Length))
        {
            var first = between.Groups["a"].Value.Trim();
            var second = between.Groups["b"].Value.Trim();

            // "the Go 1.16 and Go 1.17 release announcements": the first event shares the second's tail.
            var firstWords = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var secondWords = second.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (secondWords.Length > firstWords.Length && firstWords.Length <= 3)
            {
                first = string.Join(' ', firstWords.Concat(secondWords.Skip(firstWords.Length)));
            }

            if (IsEvent(first) && IsEvent(second))
            {
                draft.Claim(between.Index, between.Index + between.Length, nameof(EventRangeRecogniser));
                draft.Events = new EventRange(first, second);
            }

            return;
        }

        var bound = Bound().Match(text);
        if (bound.Success && IsEvent(bound.Groups["e"].Value) && !draft.IsClaimed(bound.Index, bound.Index + bound.Length))
        {
            draft.Claim(bound.Index, bound.Index + bound.Length, nameof(EventRangeRecogniser));
            var e = bound.Groups["e"].Value.Trim();
            draft.Events = bound.Groups["rel"].Value.ToLowerInvariant() is "since" or "after" ? new EventRange(e, null) : new EventRange(null, e);
        }
    }

    /// <summary>Names a piece: a few words, at least one of them a content word that is not a date word.</summary>
    private static bool IsEvent(string phrase)
    {
        var words = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 1 and <= 8 && LexicalAnalyzer.Tokenize(phrase).Any(t => !QuestionWords.ScopeWords.Contains(t) && LexicalAnalyzer.Analyze(t).Count > 0);
    }

    [GeneratedRegex(@"\bbetween\s+(?:the\s+|our\s+)?(?<a>(?:[^?.!,;]|\.(?=\d))+?)\s+and\s+(?:the\s+|our\s+)?(?<b>(?:[^?.!,;]|\.(?=\d))+?)\s*(?=[?!,;]|\.(?!\d)|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Between();

    // "since the X" needs "the": "since joining Google" is not a piece.
    [GeneratedRegex(@"\b(?<rel>since|after|before|until)\s+the\s+(?<e>(?:[^?.!,;]|\.(?=\d))+?)\s*(?=[?!,;]|\.(?!\d)|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Bound();
}
