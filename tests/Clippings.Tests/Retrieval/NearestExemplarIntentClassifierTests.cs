using Clippings.Embeddings;
using Clippings.Retrieval;
using Clippings.Retrieval.Understanding;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace Clippings.Tests.Retrieval;

/// <summary>The local model (snowflake-arctic-embed-xs), loaded once for the class, with a count of the embedding calls made.</summary>
public sealed class LocalEmbedderFixture : IDisposable
{
    public CountingGenerator Generator { get; } = new(new ArcticEmbeddingGenerator(threads: 1));

    public void Dispose() => Generator.Dispose();
}

/// <summary>The real generator, counting the calls and the texts it is given.</summary>
public sealed class CountingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;
    private int _texts;

    public int Calls => _calls;

    public int Texts => _texts;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _texts, texts.Count);
        return inner.GenerateAsync(texts, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose() => inner.Dispose();
}

public sealed class NearestExemplarIntentClassifierTests(LocalEmbedderFixture fixture, ITestOutputHelper output) : IClassFixture<LocalEmbedderFixture>
{
    [Fact]
    public void The_shipped_exemplars_cover_every_kind_with_at_least_forty_phrasings()
    {
        var exemplars = NearestExemplarIntentClassifier.LoadExemplars();
        foreach (var intent in Enum.GetValues<QuestionIntent>())
        {
            Assert.True(exemplars.Count(e => e.Intent == intent) >= 40, $"{intent}: {exemplars.Count(e => e.Intent == intent)} exemplars");
        }

        Assert.Equal(exemplars.Count, exemplars.Select(e => e.Text.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_line_that_is_not_intent_colon_phrasing_is_refused_with_its_number()
    {
        var error = Assert.Throws<ClippingsException>(() => NearestExemplarIntentClassifier.ParseExemplars("# kinds\nCoverage: anything on trams?\nOpinion: what do you think\n"));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, NearestExemplarIntentClassifier.ParseExemplars("Coverage: anything on trams?\n\nAuthorList: who writes here\n").Count);
    }

    [Fact]
    public void The_vote_weighs_the_k_nearest_and_measures_the_lead_over_the_nearest_other_kind()
    {
        IReadOnlyList<IntentExemplar> exemplars =
        [
            new(QuestionIntent.Coverage, "a"), new(QuestionIntent.Coverage, "b"), new(QuestionIntent.AuthorList, "c"), new(QuestionIntent.Passages, "d"),
        ];
        using var classifier = new NearestExemplarIntentClassifier(fixture.Generator, new IntentVoteRules { K = 3 }, exemplars);
        var vote = classifier.Vote([0.5, 0.3, 0.4, 0.1], k: 3);
        Assert.Equal(QuestionIntent.Coverage, vote.Intent);
        Assert.Equal(0.8 / 1.2, vote.Share, 6);
        Assert.Equal(0.1, vote.Margin, 6);
        Assert.Equal("a", vote.NearestExemplar);

        // One neighbour: its kind, whatever the rest.
        Assert.Equal(QuestionIntent.AuthorList, classifier.Vote([0.2, 0.3, 0.9, 0.8], k: 1).Intent);
    }

    [Theory]
    [InlineData("who writes for this newspaper?", QuestionIntent.AuthorList, "")]
    [InlineData("who are the contributers on this website", QuestionIntent.AuthorList, "")]
    [InlineData("who was samuel pepys", QuestionIntent.AuthorProfile, "samuel pepys")]
    [InlineData("tell me about the journalist maria lopez", QuestionIntent.AuthorProfile, "maria lopez")]
    [InlineData("have you ever written about the canal?", QuestionIntent.Coverage, "")]
    [InlineData("any stories on the new hospital", QuestionIntent.Coverage, "")]
    [InlineData("what else has maria lopez written here", QuestionIntent.ArticleList, "maria lopez")]
    [InlineData("the most recent articles by pepys", QuestionIntent.ArticleList, "pepys")]
    [InlineData("why did the bridge over the river collapse", QuestionIntent.Passages, "")]
    [InlineData("how do i profile memory use in my program", QuestionIntent.Passages, "")]
    public async Task Phrasings_that_are_not_exemplars_are_read_as_their_kind(string question, QuestionIntent intent, string name)
    {
        using var classifier = new NearestExemplarIntentClassifier(fixture.Generator);
        Assert.DoesNotContain(classifier.Exemplars, e => string.Equals(e.Text, question, StringComparison.OrdinalIgnoreCase));
        var vote = await classifier.VoteAsync(question, name.Length > 0 ? [name] : [], CancellationToken.None);
        output.WriteLine($"{question} → {vote}");
        Assert.Equal(intent, vote.Intent);
    }

    [Fact]
    public void Names_are_masked_whole_and_in_any_case_and_bracketed_exemplar_names_alike()
    {
        Assert.Equal("what else has alex morgan written, alex morgan's latest", NearestExemplarIntentClassifier.Mask("what else has Maria Lopez written, maria lopez's latest", ["maria lopez"]));
        Assert.Equal("is lambeth near alex morgan", NearestExemplarIntentClassifier.Mask("is lambeth near lamb", ["lamb"]));
        var exemplar = Assert.Single(NearestExemplarIntentClassifier.ParseExemplars("AuthorProfile: who is [helen marsh]?"));
        Assert.Equal(("who is helen marsh?", "who is alex morgan?"), (exemplar.Text, exemplar.Masked));
    }

    [Theory]
    [InlineData("who writes for this newspaper?", QuestionIntent.AuthorList, "")]
    [InlineData("who was samuel pepys", QuestionIntent.AuthorProfile, "samuel pepys")]
    [InlineData("have you ever written about the canal?", QuestionIntent.Coverage, "")]
    public async Task A_clear_question_is_decided_not_left_to_the_patterns(string question, QuestionIntent intent, string name)
    {
        using var classifier = new NearestExemplarIntentClassifier(fixture.Generator);
        var vote = await classifier.ClassifyAsync(question, name.Length > 0 ? [name] : [], CancellationToken.None);
        output.WriteLine($"{question} → {vote?.ToString() ?? "abstained"}");
        Assert.Equal(intent, vote?.Intent);
    }

    [Theory]
    [InlineData("xqzv blorp fnargle 7731")]
    [InlineData("zzzz")]
    public async Task Gibberish_is_left_to_the_patterns(string question)
    {
        using var classifier = new NearestExemplarIntentClassifier(fixture.Generator);
        var vote = await classifier.VoteAsync(question, CancellationToken.None);
        output.WriteLine($"{question} → {vote}");
        Assert.Null(await classifier.ClassifyAsync(question, CancellationToken.None));
    }

    [Fact]
    public async Task A_question_between_two_kinds_is_left_to_the_patterns()
    {
        // Half "who writes here", half "have we covered the bridge": no kind leads.
        using var classifier = new NearestExemplarIntentClassifier(fixture.Generator);
        const string question = "who has written about the bridge";
        output.WriteLine($"{question} → {await classifier.VoteAsync(question, CancellationToken.None)}");
        Assert.Null(await classifier.ClassifyAsync(question, CancellationToken.None));
    }

    [Fact]
    public async Task The_exemplars_are_embedded_once_in_one_call()
    {
        using var classifier = new NearestExemplarIntentClassifier(fixture.Generator);
        var (callsBefore, textsBefore) = (fixture.Generator.Calls, fixture.Generator.Texts);
        await Task.WhenAll(classifier.VoteAsync("who writes here", CancellationToken.None), classifier.VoteAsync("anything on trams?", CancellationToken.None));
        await classifier.VoteAsync("who is maren holt", CancellationToken.None);

        // Tests of one class run one at a time, so the fixture's counts are this test's: one batch of exemplars, then one call per question.
        Assert.Equal(1 + 3, fixture.Generator.Calls - callsBefore);
        Assert.Equal(classifier.Exemplars.Count + 3, fixture.Generator.Texts - textsBefore);
    }
}
