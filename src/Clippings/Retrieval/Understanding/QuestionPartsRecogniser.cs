using System.Text.RegularExpressions;
using Clippings.Text;

namespace Clippings.Retrieval.Understanding;

/// <summary>
/// One question about two separate subjects: "the eel grass survey and the oyster beds", "lamb on chimney sweepers and on
/// beggars", "between the Go 1.5 GC post and the 2018 keynote". Each part is searched on its own as
/// well as the whole, so neither subject crowds out the other. An "and" inside a name, a date range or a list of series
/// numbers was claimed by an earlier step and is not a split; nor is one joining two single words ("trade and commerce").
/// </summary>
public sealed partial class QuestionPartsRecogniser : IQuestionRecogniser
{
    public void Recognise(QuestionDraft draft)
    {
        if (draft.Intent != QuestionIntent.Passages || draft.MentionedName is not null || draft.NamedArticleIds.Count > 0)
        {
            return;
        }

        var text = draft.Text;

        // Names, dates and series numbers were claimed: they belong to a subject but are no subject by themselves. A range
        // between two pieces is two subjects here (a question listing what lies between them has no parts, being a listing).
        var claims = draft.Claims.Where(c => c.By != nameof(EventRangeRecogniser)).ToList();
        var masked = text.ToCharArray();
        foreach (var claim in claims)
        {
            Array.Fill(masked, ' ', claim.Start, Math.Min(claim.End, text.Length) - claim.Start);
        }

        var unclaimed = new string(masked);
        var joins = Conjunction().Matches(text).Where(m => !claims.Any(c => m.Index < c.End && m.Index + m.Length > c.Start)).ToList();
        if (joins.Count != 1)
        {
            return;
        }

        var join = joins[0];
        var left = text[..join.Index].Trim();
        var right = text[(join.Index + join.Length)..].Trim();

        // "…, and what was the arrow used for in it?": a second clause nearly always asks more about the same subject,
        // and searched alone it finds whatever "it" matches. Only two subjects joined as such are parts.
        if (ClauseStart().IsMatch(right))
        {
            // "…in 2019 and when did their hours come back?": a second clause asking *when* asks about another time than the
            // first clause's dates, which then cannot scope the whole question.
            if (AsksWhen().IsMatch(right))
            {
                draft.SecondClauseAt = join.Index + join.Length;
            }

            return;
        }

        // Each side must be a subject of its own: two content words, or one after a repeated preposition ("on X and on Y").
        // "on X and on Y", "about X and Y": the second part takes the head of the first ("lamb on Y", "what did she say about Y").
        var leftConjunct = unclaimed[..join.Index];
        var preposition = LeadingPreposition().Match(right);
        var head = preposition.Success
            ? Regex.Match(left, @"\b" + Regex.Escape(preposition.Groups["p"].Value) + @"\b", RegexOptions.IgnoreCase | RegexOptions.RightToLeft)
            : HeadWord().Match(left);
        var repeated = preposition.Success && head.Success;
        if (head.Success)
        {
            leftConjunct = unclaimed[(head.Index + head.Length)..join.Index];
            right = (repeated ? left[..head.Index] : left[..(head.Index + head.Length)] + " ") + right;
        }

        var needed = repeated ? 1 : 2;
        if (Subject(leftConjunct) < needed || Subject(unclaimed[(join.Index + join.Length)..]) < needed)
        {
            return;
        }

        draft.Parts = [left.TrimEnd(',', ' '), right.TrimEnd('?', '.', '!', ' ')];
    }

    /// <summary>Content words that are not scope words ("which", "pieces", "published").</summary>
    private static int Subject(string part) =>
        LexicalAnalyzer.Tokenize(part).Count(t => !QuestionWords.ScopeWords.Contains(t) && LexicalAnalyzer.Analyze(t).Count > 0);

    [GeneratedRegex(@"\s+(?:and(?:\s+also)?|as\s+well\s+as|;)\s+|\s*;\s*|(?<=\?)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Conjunction();

    [GeneratedRegex(@"^(what|when|who|whom|whose|how|why|where|which|did|does|do|is|was|were|has|have|had|can|could|will|would|should)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ClauseStart();

    [GeneratedRegex(@"\b(about|on|regarding|concerning|between)\b", RegexOptions.IgnoreCase | RegexOptions.RightToLeft)]
    private static partial Regex HeadWord();

    [GeneratedRegex(@"^(when|what\s+(year|date|day|month)|how\s+long|since\s+when)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AsksWhen();

    [GeneratedRegex(@"^(?<p>on|about|of|in|for|with|against|towards?)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingPreposition();
}
