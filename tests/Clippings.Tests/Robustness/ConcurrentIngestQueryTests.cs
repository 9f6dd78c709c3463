using System.Text.RegularExpressions;
using Clippings.Answering;
using Clippings.Embeddings;
using Clippings.Ingestion;
using Clippings.Storage;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Robustness;

/// <summary>
/// Queries run while an ingest replaces every article: they keep answering, and a result never mixes passages of
/// an article's old and new versions (every passage carries its version's edition word).
/// </summary>
public sealed partial class ConcurrentIngestQueryTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-concurrent-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task QueriesDuringAnIngestNeverSeeAHalfReplacedArticle()
    {
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("concurrent"), new Dictionary<string, string?>
        {
            // Small encoder batches: the ingest commits every few articles, so queries interleave with many commits.
            ["Clippings:Embeddings:BatchSize"] = "1",
        });
        var ingestor = services.GetRequiredService<ArchiveIngestor>();
        var index = services.GetRequiredService<IArchiveIndex>();
        var assistant = services.GetRequiredService<ArchiveAssistant>();
        GeneratedArchive.Write(_folder, articles: 8, paragraphs: 3, edition: "one");
        await ingestor.IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None);

        GeneratedArchive.Write(_folder, articles: 8, paragraphs: 3, edition: "two", seed: 2);
        var vector = await services.GetRequiredService<ArchiveEmbedder>().EmbedQueryAsync("Marker003 editionone editiontwo", CancellationToken.None);
        var ingest = Task.Run(() => ingestor.IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None));
        var queries = 0;
        var answers = 0;
        while (!ingest.IsCompleted)
        {
            foreach (var mode in new[] { SearchMode.Hybrid, SearchMode.Lexical, SearchMode.Dense })
            {
                var hits = await index.SearchAsync(new PassageQuery("marker003 marker007 editionone editiontwo", vector, SearchFilter.None, mode, 40), CancellationToken.None);
                AssertOneEditionPerArticle(hits);
                queries++;
            }

            var answer = await assistant.AskAsync(new AskRequest("What does piece 3 say about Marker003?"), CancellationToken.None);
            Assert.False(string.IsNullOrWhiteSpace(answer.Text));
            answers++;

            // Leave the ingest some CPU: the point is interleaving, not starving it.
            await Task.Delay(50);
        }

        var summary = await ingest;
        Assert.Equal(8, summary.Updated);
        Assert.True(queries >= 3, $"only {queries} searches ran during the ingest");
        var after = await index.SearchAsync(new PassageQuery("editionone editiontwo", vector, SearchFilter.None, SearchMode.Lexical, 100), CancellationToken.None);
        Assert.NotEmpty(after);
        Assert.All(after, hit => Assert.Equal("two", Edition(hit.Text)));
        Assert.True(answers > 0);
    }

    private static void AssertOneEditionPerArticle(IReadOnlyList<PassageHit> hits)
    {
        foreach (var article in hits.GroupBy(h => h.Article.Id))
        {
            var editions = article.Select(h => Edition(h.Text)).Distinct().ToList();
            Assert.True(editions.Count == 1, $"{article.Key} mixes editions {string.Join(", ", editions)} in one result");
        }
    }

    private static string Edition(string passage) => EditionWord().Match(passage) is { Success: true } match ? match.Groups[1].Value : "none";

    [GeneratedRegex(@"edition(one|two)\b")]
    private static partial Regex EditionWord();
}
