using Clippings.Answering;
using Clippings.Conversations;
using Clippings.Evaluation;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Tests.ChatModel;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Answering;

/// <summary>Whole answers to reader questions on samples/archive (embedded once per test run, 20 passages).</summary>
public sealed class ReaderAnswerTests
{
    private static async Task<(ServiceProvider Services, ArchiveAssistant Assistant)> SamplesAsync()
    {
        var services = ClippingsTestHost.Create(await SampleArchiveIndex.PathAsync());
        return (services, services.GetRequiredService<ArchiveAssistant>());
    }

    [Fact]
    public async Task Every_question_the_bot_suggests_is_answered_and_quotes_exactly()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var index = services.GetRequiredService<IArchiveIndex>();
        var questions = (await assistant.SampleQuestionsAsync(3, CancellationToken.None)).ToList();
        foreach (var author in await index.ListAuthorsAsync(CancellationToken.None))
        {
            questions.Add($"Who is {author.Name}?");
            questions.Add($"What else has {author.Name} written here?");
        }

        // Suggestions under an answer, followed as a reader would click them.
        var first = await assistant.AskAsync(new AskRequest("why did the skerry ferry stop running"), CancellationToken.None);
        Assert.False(first.Refused);
        questions.AddRange(first.SuggestedQuestions);

        foreach (var question in questions.Distinct(StringComparer.Ordinal))
        {
            var answer = await assistant.AskAsync(new AskRequest(question, Conversation.Empty.With(new ConversationTurn("why did the skerry ferry stop running", first))), CancellationToken.None);
            Assert.False(answer.Refused, $"{question} was refused: {answer.Text}");
            foreach (var citation in answer.Citations)
            {
                var article = await index.GetArticleAsync(citation.ArticleId, CancellationToken.None);
                Assert.Equal(citation.Quote, article!.Text[citation.Start..citation.End]);
            }
        }
    }

    [Fact]
    public async Task Who_writes_for_the_publication_names_every_author()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var answer = await assistant.AskAsync(new AskRequest("Who writes for this publication?"), CancellationToken.None);
        Assert.False(answer.Refused);
        foreach (var name in new[] { "Maren Holt", "Tobias Achterberg", "Priya Nandakumar", "Eoin Farrelly", "Lucia Serrano" })
        {
            Assert.Contains(name, answer.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_typo_in_a_name_is_answered_and_said()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var answer = await assistant.AskAsync(new AskRequest("what has Tobias Achterburg written"), CancellationToken.None);
        Assert.False(answer.Refused);
        Assert.StartsWith("Reading “Tobias Achterburg” as Tobias Achterberg.", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_latest_and_the_first_piece_come_first()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var latest = await assistant.RetrieveAsync(new AskRequest("latest Council Watch column"), CancellationToken.None);
        Assert.Equal("council-watch-library-reprieve", ArchiveEvaluator.RankedArticleIds(latest)[0]);
        var first = await assistant.RetrieveAsync(new AskRequest("what was the first piece Maren Holt wrote for us?"), CancellationToken.None);
        Assert.Equal("tidelines-last-ferry-to-skerry", ArchiveEvaluator.RankedArticleIds(first)[0]);
    }

    [Fact]
    public async Task A_date_outside_the_archive_is_refused_with_the_reason()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var answer = await assistant.AskAsync(new AskRequest("what did we publish in 2017?"), CancellationToken.None);
        Assert.True(answer.Refused);
        Assert.Contains("from 2019 to 2025", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mentions_apart_from_the_writers_own_find_the_other_pieces()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var context = await assistant.RetrieveAsync(new AskRequest("pieces that mention Maren Holt, apart from her own"), CancellationToken.None);
        Assert.True(context.Retrieval.IsRelevant);
        Assert.Equal("shelf-life-lantern-prize-2021", context.Retrieval.Articles[0].Article.Id);
        Assert.DoesNotContain(context.Retrieval.Articles, a => a.Article.Authors.Contains("Maren Holt"));
    }

    [Fact]
    public async Task A_follow_up_without_a_noun_uses_the_previous_answer()
    {
        var (services, assistant) = await SamplesAsync();
        await using var _ = services;
        var previous = await assistant.AskAsync(new AskRequest("how much will the tram extension cost?"), CancellationToken.None);
        var conversation = Conversation.Empty.With(new ConversationTurn("how much will the tram extension cost?", previous));
        var context = await assistant.RetrieveAsync(new AskRequest("who wrote that?", conversation), CancellationToken.None);
        Assert.True(context.Retrieval.IsRelevant);
        Assert.Equal("in-transit-tram-extension", context.Retrieval.Articles[0].Article.Id);
    }
}
