using Clippings.Answering;
using Clippings.Conversations;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Ingestion;

/// <summary>samples/archive (The Harbour Review) is the quickstart archive: it must ingest completely and answer.</summary>
public sealed class SampleArchiveTests
{
    private static string SamplePath => Path.Combine(SharedCorpus.RepoRoot, "samples", "archive");

    [Fact]
    public async Task LoadsTwentyArticlesByFiveColumnistsWithBiosAndNoFailures()
    {
        var loader = new ArchiveLoader();
        var results = new List<ArchiveFileResult>();
        foreach (var file in ArchiveLoader.EnumerateFiles([SamplePath]))
        {
            results.Add(await loader.ReadFileAsync(file, CancellationToken.None));
        }

        Assert.All(results, r => Assert.Null(r.Error));
        var articles = results.SelectMany(r => r.Articles).ToList();
        Assert.Equal(20, articles.Count);
        Assert.Equal(5, articles.SelectMany(a => a.Authors).Distinct().Count());
        Assert.All(articles, a =>
        {
            Assert.Equal("The Harbour Review", a.Publication);
            Assert.NotNull(a.Published);
            Assert.StartsWith("https://harbourreview.example/", a.Url, StringComparison.Ordinal);
        });
        Assert.True(results.Select(r => r.Format).Distinct().Count() >= 2);
        Assert.Equal(5, results.SelectMany(r => r.Authors).Select(a => a.Name).Distinct().Count());
    }

    [Fact]
    public async Task TeasersOnAPageAreNotAttributedToThatPage()
    {
        var result = await new ArchiveLoader().ReadFileAsync(Path.Combine(SamplePath, "pages", "tidelines-last-ferry-to-skerry.html"), CancellationToken.None);
        var ferry = Assert.Single(result.Articles);
        const string teaser = "The red crane on Gull Quay";
        Assert.Contains(teaser, await File.ReadAllTextAsync(Path.Combine(SamplePath, "pages", "tidelines-last-ferry-to-skerry.html")), StringComparison.Ordinal);
        Assert.DoesNotContain(teaser, ferry.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("cookies", ferry.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("deckhand", ferry.Text, StringComparison.Ordinal);
        Assert.Contains("deckhand", Assert.Single(result.Authors).Bio, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestsAnswersAndReingestsAsUnchanged()
    {
        var path = ClippingsTestHost.TempIndexPath("samples");
        await using var services = ClippingsTestHost.Create(path);
        var ingestor = services.GetRequiredService<ArchiveIngestor>();

        var first = await ingestor.IngestAsync([SamplePath], new IngestOptions(), null, CancellationToken.None);
        Assert.Equal((20, 0, 0, 0, 0), (first.New, first.Updated, first.Unchanged, first.Removed, first.Failed));

        var answer = await services.GetRequiredService<ArchiveAssistant>().AskAsync(new AskRequest("Who writes the food column?"), CancellationToken.None);
        Assert.Equal(AnswerForm.AuthorProfile, answer.Form);
        Assert.Contains("Tobias Achterberg", answer.Text, StringComparison.Ordinal);

        var second = await ingestor.IngestAsync([SamplePath], new IngestOptions(Prune: true), null, CancellationToken.None);
        Assert.Equal((0, 0, 20, 0, 0), (second.New, second.Updated, second.Unchanged, second.Removed, second.Failed));
        Assert.Equal(0, second.Passages);
    }

    [Fact]
    public async Task AConversationScopedToAPieceAnswersAboutThatPieceAndItsAuthor()
    {
        var path = ClippingsTestHost.TempIndexPath("samples-scope");
        await using var services = ClippingsTestHost.Create(path);
        await services.GetRequiredService<ArchiveIngestor>().IngestAsync([SamplePath], new IngestOptions(), null, CancellationToken.None);
        var assistant = services.GetRequiredService<ArchiveAssistant>();
        var piece = await assistant.FindArticleByUrlAsync("https://harbourreview.example/council-watch/2019/02/council-watch-budget-2019", CancellationToken.None);
        Assert.NotNull(piece);
        var scoped = Conversation.Empty with { ScopedArticleId = piece.Id };

        var author = await assistant.AskAsync(new AskRequest("Who is the author?", scoped), CancellationToken.None);
        Assert.Equal(AnswerForm.AuthorProfile, author.Form);
        Assert.StartsWith("**Priya Nandakumar**", author.Text, StringComparison.Ordinal);

        foreach (var question in new[] { "What is this piece about?", "When was it published?" })
        {
            var answer = await assistant.AskAsync(new AskRequest(question, scoped), CancellationToken.None);
            Assert.False(answer.Refused, question);
            Assert.NotEmpty(answer.Citations);
            Assert.All(answer.Citations, c => Assert.Equal(piece.Id, c.ArticleId));
        }
    }
}
