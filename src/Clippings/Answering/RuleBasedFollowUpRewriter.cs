using System.Text.RegularExpressions;
using Clippings.Conversations;
using Clippings.Retrieval;

namespace Clippings.Answering;

/// <summary>
/// Resolves follow-ups without a model: a question that leans on the previous turn (a pronoun, "and …",
/// "what about …") gets the previous turn's subject appended: the cited piece's author and title and the
/// names the previous question used.
/// </summary>
public sealed partial class RuleBasedFollowUpRewriter : IFollowUpRewriter
{
    public Task<string> RewriteAsync(string question, Conversation conversation, CancellationToken cancellationToken) =>
        Task.FromResult(Rewrite(question, conversation));

    public static bool IsFollowUp(string question) => FollowUpSignal().IsMatch(question);

    public static string Rewrite(string question, Conversation conversation)
    {
        if (conversation.Turns.Count == 0 || !(IsFollowUp(question) || LeansOnPrevious(question)))
        {
            return question;
        }

        var previous = conversation.Turns[^1];
        var context = new List<string>();
        var subject = previous.Answer.Citations.FirstOrDefault();
        if (subject is not null && !previous.Answer.Refused)
        {
            context.Add(string.Join(" and ", subject.Authors));
            context.Add(ArchiveCatalog.StripSeriesPrefix(subject.Title).Trim());
        }

        // Names the previous question used ("Abouzaid, the son of Morad") carry over to "his father".
        var names = CapitalisedWord().Matches(previous.Question).Select(m => m.Value)
            .Where(w => !CommonCapitalised().IsMatch(w)).Distinct(StringComparer.Ordinal).ToList();
        context.AddRange(names);

        var extra = string.Join(", ", context.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.OrdinalIgnoreCase));
        return extra.Length == 0 ? question : $"{question} ({extra})";
    }

    /// <summary>
    /// In a conversation, a short question with no name of its own ("who else was on the shortlist?", "how many homes
    /// will be affordable?") is about what was just discussed.
    /// </summary>
    internal static bool LeansOnPrevious(string question)
    {
        var content = Text.LexicalAnalyzer.Analyze(question);
        return content.Count <= 3 && !CapitalisedWord().IsMatch(question) && !question.Contains('"', StringComparison.Ordinal);
    }

    /// <summary>
    /// A question that only makes sense after another ("what else did they find?", "who wrote that?"): a pronoun or
    /// "what else" standing for something, and no subject of its own. With no earlier turn there is nothing to resolve it to.
    /// </summary>
    public static bool NeedsAnEarlierTurn(string question) => Antecedent().IsMatch(question) && LeansOnPrevious(question);

    [GeneratedRegex(@"^\s*(what|who)\s+else\b|\b(that|this|those|these)\s*[?.!]*$|\b(he|she|him|his|her|hers|they|them|their)\b|\b(this|that|the\s+same)\s+(essay|paper|piece|article|column|author|writer|story)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Antecedent();

    [GeneratedRegex(@"^\s*(and|but|also|so|then|what about|how about|what else|who else)\b|\b(that|this|those|these)\s*[?.!]*$|\b(he|she|him|his|her|hers|it|its|they|them|their)\b|\b(this|that|the same)\s+(essay|paper|piece|article|column|author|writer|story)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpSignal();

    [GeneratedRegex(@"(?<=\s)[A-Z][\w'-]{2,}")]
    private static partial Regex CapitalisedWord();

    [GeneratedRegex(@"^(Which|What|Who|When|Where|How|Why|Does|Did|The|This|That|And|In|On|Of|According|Is|Was|Were|Are|Can|Could|Would|Should|Tell|Give|List|Show)$")]
    private static partial Regex CommonCapitalised();
}
