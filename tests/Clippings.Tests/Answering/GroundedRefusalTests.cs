using Clippings.Answering;
using Clippings.Tests.ChatModel;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Answering;

/// <summary>
/// Refusals grounded in what the archive prints, on samples/archive: the thing a question names or is about is absent →
/// refuse and say which; an ordinary word the archive happens not to use, or a typo, never refuses on its own.
/// </summary>
public sealed class GroundedRefusalTests
{
    private static async Task<Answer> AskAsync(string question)
    {
        await using var services = ClippingsTestHost.Create(await SampleArchiveIndex.PathAsync());
        return await services.GetRequiredService<ArchiveAssistant>().AskAsync(new AskRequest(question), CancellationToken.None);
    }

    [Fact]
    public async Task A_topic_the_archive_never_prints_is_refused_and_named()
    {
        var answer = await AskAsync("what did Maren Holt write about the new airport?");
        Assert.True(answer.Refused);
        Assert.StartsWith("The archive never mentions airport", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ordinary_word_the_archive_never_uses_does_not_refuse()
    {
        // "happened" is nowhere in the sample archive; the libraries and their hours are.
        var answer = await AskAsync("what happened to the libraries in 2019 and when did their hours come back?");
        Assert.False(answer.Refused, answer.Text);
    }

    [Fact]
    public async Task A_topic_pinned_by_a_word_few_pieces_use_is_answered()
    {
        // "season" is nowhere in the sample archive; "oyster" is in one piece, which is what the reader means.
        var answer = await AskAsync("what did we write about the oyster season");
        Assert.False(answer.Refused, answer.Text);
        Assert.Contains(answer.Citations, c => c.ArticleId == "table-talk-oyster-season");
    }

    [Fact]
    public async Task A_topic_another_author_covers_is_refused_for_this_one_and_answered_for_theirs()
    {
        var other = await AskAsync("what did maren holt write about the rope walk market?");
        Assert.True(other.Refused, other.Text);
        Assert.Contains("never mentions rope walk market in Maren Holt's pieces", other.Text, StringComparison.Ordinal);

        var own = await AskAsync("what did tobias achterberg write about the rope walk market?");
        Assert.False(own.Refused, own.Text);
        Assert.Contains(own.Citations, c => c.ArticleId == "table-talk-rope-walk-market");
    }

    [Fact]
    public async Task A_quoted_title_the_archive_lacks_is_refused_and_named()
    {
        var answer = await AskAsync("your review of 'The Drowned Orchard'");
        Assert.True(answer.Refused);
        Assert.Contains("never mentions “The Drowned Orchard”", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quoted_phrase_the_archive_prints_is_answered()
    {
        var answer = await AskAsync("who wrote 'the last ferry'?");
        Assert.False(answer.Refused, answer.Text);
    }

    [Fact]
    public async Task A_numbered_thing_the_archive_never_prints_is_refused_and_named()
    {
        var answer = await AskAsync("what did we say about the night bus 99?");
        Assert.True(answer.Refused);
        Assert.Contains("never mentions bus 99", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_word_is_read_as_the_archives_word_and_said()
    {
        var answer = await AskAsync("how many peple rode the night buses");
        Assert.False(answer.Refused, answer.Text);
        Assert.Contains("Reading “peple” as “people”.", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quoted_words_that_are_no_title_are_refused_without_being_repeated()
    {
        var answer = await AskAsync("what did you write about 'i was never here at all'");
        Assert.True(answer.Refused);
        Assert.DoesNotContain("i was never here", answer.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_first_question_that_leans_on_an_earlier_one_asks_what_is_meant()
    {
        var answer = await AskAsync("What else did they find?");
        Assert.True(answer.Refused);
        Assert.StartsWith("That question leans on an earlier one", answer.Text, StringComparison.Ordinal);
    }
}
