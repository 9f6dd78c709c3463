using Clippings.Archive;
using Clippings.Retrieval;

namespace Clippings.Tests.Retrieval;

public sealed class ScopedArticleReferencesTests
{
    private static readonly ArticleSummary Piece = new(
        "budget", "Where the Money Goes in 2019", ["Priya Nandakumar"], "The Harbour Review", "Council Watch",
        new DateOnly(2019, 2, 27), DatePrecision.Day, "https://example.org/budget");

    [Theory]
    [InlineData("Who is the author?", "Who is Priya Nandakumar?")]
    [InlineData("Tell me about the writer", "Tell me about Priya Nandakumar")]
    [InlineData("What is this piece about?", "What is \"Where the Money Goes in 2019\" about?")]
    [InlineData("When was it published?", "When was \"Where the Money Goes in 2019\" published?")]
    [InlineData("Who wrote this?", "Who wrote \"Where the Money Goes in 2019\"?")]
    [InlineData("What does the article say about potholes?", "What does \"Where the Money Goes in 2019\" say about potholes?")]
    public void ReferencesToTheScopedPieceBecomeItsTitleAndAuthors(string question, string expected) =>
        Assert.Equal(expected, ScopedArticleReferences.Resolve(question, Piece));

    [Fact]
    public void AWideningQuestionSearchesThePiecesSubjectNotThePieceOrItsYear()
    {
        var resolved = ScopedArticleReferences.Resolve("Has this magazine written about this before?", Piece);
        Assert.Equal("Has this magazine written about Where the Money Goes before?", resolved);
    }

    [Theory]
    [InlineData("What did the council decide about parking?")]
    [InlineData("Is it true that taxes rose?")]
    public void QuestionsWithoutAReferenceAreUnchanged(string question) =>
        Assert.Equal(question, ScopedArticleReferences.Resolve(question, Piece));
}
