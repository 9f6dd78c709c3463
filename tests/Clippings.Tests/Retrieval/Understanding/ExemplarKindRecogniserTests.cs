using Clippings.Embeddings;
using Clippings.Retrieval;
using Clippings.Retrieval.Understanding;
using Clippings.Storage;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Retrieval.Understanding;

/// <summary>The exemplar vote as the assistant runs it: after the patterns, taking a kind only when the question can have it.</summary>
public sealed class ExemplarKindRecogniserTests(LocalEmbedderFixture fixture) : IClassFixture<LocalEmbedderFixture>
{
    private async Task<QueryPlan> AnalyzeAsync(string question)
    {
        var catalog = await ArchiveCatalogs.SamplesAsync();
        var embedder = new ArchiveEmbedder(fixture.Generator, new EmbeddingSpace("test", 384), "Represent this sentence for searching relevant passages: ");
        var classifier = new NearestExemplarIntentClassifier(fixture.Generator, prefix: embedder.QueryPrefix, embedQuestion: embedder.EmbedQueryAsync);
        return await new QueryAnalyzer(classifier).AnalyzeAsync(question, catalog, null, null, CancellationToken.None);
    }

    [Theory]
    [InlineData("past articles on buses please", QuestionIntent.Coverage)]
    [InlineData("have you guys done anything on the fish market", QuestionIntent.Coverage)]
    [InlineData("which journalists work on this paper", QuestionIntent.AuthorList)]
    [InlineData("how many writers do you have", QuestionIntent.AuthorList)]
    [InlineData("maren holt background?", QuestionIntent.AuthorProfile)]
    public async Task A_kind_the_patterns_miss_is_read_from_the_exemplars(string question, QuestionIntent intent) =>
        Assert.Equal(intent, (await AnalyzeAsync(question)).Intent);

    [Theory]
    [InlineData("what did maren holt write about the ferry")]
    [InlineData("how much did the night buses cost?")]
    public async Task A_question_with_a_topic_left_is_never_read_as_a_listing_or_a_profile(string question)
    {
        var intent = (await AnalyzeAsync(question)).Intent;
        Assert.NotEqual(QuestionIntent.ArticleList, intent);
        Assert.NotEqual(QuestionIntent.AuthorProfile, intent);
    }

    [Fact]
    public async Task The_vote_and_the_search_share_one_embedding_of_the_question()
    {
        var embedder = new ArchiveEmbedder(fixture.Generator, new EmbeddingSpace("test", 384), "prefix: ");
        var classifier = new NearestExemplarIntentClassifier(fixture.Generator, prefix: embedder.QueryPrefix, embedQuestion: embedder.EmbedQueryAsync);
        await classifier.VoteAsync("warm up", CancellationToken.None);
        var before = fixture.Generator.Calls;
        await classifier.VoteAsync("anything on the lantern prize?", CancellationToken.None);
        await embedder.EmbedQueryAsync("anything on the lantern prize?", CancellationToken.None);
        Assert.Equal(before + 1, fixture.Generator.Calls);
    }
}
