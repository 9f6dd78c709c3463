using Clippings.Answering;
using Clippings.Archive;
using Clippings.Conversations;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Storage.Sqlite;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace Clippings.Tests.Answering;

public sealed class ExtractiveAnswerComposerTests : IAsyncDisposable
{
    private static readonly ArticleSummary Tides = new("tides", "The Tides of Port Calder", ["Maren Holt"], "The Harbour Review", "Tidelines", new DateOnly(2022, 6, 5), DatePrecision.Day, "https://example.org/tides");
    private static readonly ArticleSummary Trams = new("trams", "Trams Return", ["Lucia Serrano"], "The Harbour Review", "In Transit", new DateOnly(2019, 11, 23), DatePrecision.Day, "https://example.org/trams");

    private const string TidesText = "The spring tide rose four metres on Tuesday. Fishermen moved their boats to the inner basin before dawn. The harbour master said the sea wall held.";
    private const string TramsText = "Trams returned to Harrow Street in November. The line carries sixty thousand passengers a week.";

    private readonly SqliteArchiveIndex _index = new(ClippingsTestHost.TempIndexPath("composer"));
    private readonly ExtractiveAnswerComposer _composer;

    public ExtractiveAnswerComposerTests()
    {
        _composer = new ExtractiveAnswerComposer(_index, Options.Create(new RetrievalOptions()));
    }

    public ValueTask DisposeAsync() => _index.DisposeAsync();

    [Fact]
    public void AFollowUpsOwnWordsPickTheSentenceNotTheSubjectCarriedFromThePreviousTurn()
    {
        const string text = "Each oyster is sold with a tag showing the bed it came from. They are small, briny and expensive: 3 pounds each. The oysters grow in Skerry Bay.";
        var oysters = Tides with { Id = "oysters", Title = "The Oysters Come Back" };
        var hit = new PassageHit(oysters, 0, 0, text.Length, text, 1, 1, 1, 1);

        // The rule-based rewriter appends the previous turn's subjects in parentheses after the reader's question.
        var picked = ExtractiveAnswerComposer.PickSentences("How much does each one cost? (The Oysters Come Back, oysters, Skerry)", [new ArticleMatch(oysters, 1, [hit])], 1);

        Assert.Equal("They are small, briny and expensive: 3 pounds each.", Assert.Single(picked).Sentence.Text);
    }

    [Fact]
    public async Task QuotesTheBestSentencesWithExactOffsetsAndMarkers()
    {
        var answer = await _composer.ComposeAsync(Context("How high did the spring tide rise?", Match(Tides, TidesText), Match(Trams, TramsText)), CancellationToken.None);

        Assert.False(answer.Refused);
        var first = answer.Citations[0];
        Assert.Equal("tides", first.ArticleId);
        Assert.Equal("The spring tide rose four metres on Tuesday.", first.Quote);
        Assert.Equal(first.Quote, TidesText[first.Start..first.End]);
        Assert.Contains("[1]", answer.Text, StringComparison.Ordinal);
        Assert.All(answer.Citations, c => Assert.Contains($"[{c.N}]", answer.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhoWroteQuestionsLeadWithTheMetadata()
    {
        var context = Context("Who wrote the piece about the spring tide?", Match(Tides, TidesText)) is var c
            ? c with { Plan = c.Plan with { AsksForMetadata = true } }
            : null!;
        var answer = await _composer.ComposeAsync(context, CancellationToken.None);
        Assert.StartsWith("The Tides of Port Calder was written by Maren Holt and first appeared in The Harbour Review on 5 June 2022. [1]", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IrrelevantRetrievalIsRefusedWithTheClosestPieces()
    {
        var context = Context("What is the best smartphone?", Match(Trams, TramsText));
        context = context with { Retrieval = context.Retrieval with { IsRelevant = false } };
        var answer = await _composer.ComposeAsync(context, CancellationToken.None);
        Assert.True(answer.Refused);
        Assert.Empty(answer.Citations);
        Assert.Equal(AnswerForm.NotFound, answer.Form);
        Assert.Contains("Trams Return", answer.Text, StringComparison.Ordinal);
        Assert.Equal(["trams"], answer.ClosestArticles.Select(a => a.Id));
    }

    [Fact]
    public async Task CoverageListsPiecesNewestFirstWithOneQuoteEach()
    {
        var context = Context("Have we written about the harbour before?", Match(Trams, TramsText), Match(Tides, TidesText));
        context = context with { Plan = context.Plan with { Intent = QuestionIntent.Coverage, Topic = "the harbour" } };
        var answer = await _composer.ComposeAsync(context, CancellationToken.None);
        Assert.Equal(AnswerForm.Coverage, answer.Form);
        Assert.Equal(["tides", "trams"], answer.Citations.Select(c => c.ArticleId));
        Assert.StartsWith("Yes: the archive has 2 pieces on the harbour, newest first:", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamingEndsWithTheSameAnswer()
    {
        var context = Context("How high did the spring tide rise?", Match(Tides, TidesText));
        var updates = new List<AnswerUpdate>();
        await foreach (var update in _composer.StreamAsync(context, CancellationToken.None))
        {
            updates.Add(update);
        }

        Assert.Equal(updates[0].TextDelta, updates[^1].Final!.Text);
    }

    private static AnswerContext Context(string question, params ArticleMatch[] matches) => new(
        question,
        new QueryPlan { Question = question, SearchText = question },
        new RetrievalResult { Articles = matches, Passages = matches.SelectMany(m => m.Passages).ToList(), IsRelevant = true, TopDenseScore = 0.7 },
        Conversation.Empty);

    private static ArticleMatch Match(ArticleSummary article, string text) =>
        new(article, 1, [new PassageHit(article, 0, 0, text.Length, text, 1, 0.7, 1, 1)]);
}
