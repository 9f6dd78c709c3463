using Clippings.Answering;
using Clippings.Conversations;

namespace Clippings.Tests.Answering;

public class RuleBasedFollowUpRewriterTests
{
    private static readonly Conversation History = Conversation.Empty.With(new ConversationTurn(
        "Which Rambler paper tells the story of Abouzaid?",
        new Answer
        {
            Text = "…",
            Citations = [new Citation(1, "rambler-190", "The Rambler, No. 190: The history of Abouzaid", ["Samuel Johnson"], "The Rambler", "1752-01-11", null, "q", 0, 1)],
        }));

    [Fact]
    public void AFollowUpGetsThePreviousSubject()
    {
        var rewritten = RuleBasedFollowUpRewriter.Rewrite("What advice did his father give him?", History);
        Assert.StartsWith("What advice did his father give him?", rewritten, StringComparison.Ordinal);
        Assert.Contains("Samuel Johnson", rewritten, StringComparison.Ordinal);
        Assert.Contains("Abouzaid", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void AStandaloneQuestionIsLeftAlone()
    {
        Assert.Equal("Who wrote Federalist No. 10?", RuleBasedFollowUpRewriter.Rewrite("Who wrote Federalist No. 10?", History));
    }

    [Fact]
    public void NoHistoryNoRewrite()
    {
        Assert.Equal("And what did he say?", RuleBasedFollowUpRewriter.Rewrite("And what did he say?", Conversation.Empty));
    }

    [Theory]
    [InlineData("What else did they find?", true)]
    [InlineData("who wrote that?", true)]
    [InlineData("what did he say about it", true)]
    [InlineData("what about the ferry?", false)]
    [InlineData("what did maren holt write about the ferry", false)]
    [InlineData("how many people rode the night buses", false)]
    public void A_question_that_leans_on_an_earlier_turn_is_told_from_one_that_stands_alone(string question, bool needs) =>
        Assert.Equal(needs, RuleBasedFollowUpRewriter.NeedsAnEarlierTurn(question));
}
