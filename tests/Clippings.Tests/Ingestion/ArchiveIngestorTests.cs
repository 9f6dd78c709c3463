using Clippings.Ingestion;
using Clippings.Storage;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Ingestion;

/// <summary>The ingest pipeline over the real SQLite index and local embedder, on small generated archives.</summary>
public sealed class ArchiveIngestorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-ingest-" + Guid.NewGuid().ToString("N"));

    public ArchiveIngestorTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ChangedArticlesAreReplacedAndPruneRemovesTheMissing()
    {
        Write("a.md", Markdown("Alpha", "The alpha essay is about lighthouses and keepers."));
        Write("b.md", Markdown("Beta", "The beta essay is about bridges and the river."));
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("ingestor"));
        var ingestor = services.GetRequiredService<ArchiveIngestor>();
        var index = services.GetRequiredService<IArchiveIndex>();

        var first = await ingestor.IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None);
        Assert.Equal(2, first.New);

        Write("a.md", Markdown("Alpha", "The alpha essay is now about harbours and tides."));
        File.Delete(Path.Combine(_folder, "b.md"));
        var second = await ingestor.IngestAsync([_folder], new IngestOptions(Prune: true), null, CancellationToken.None);
        Assert.Equal((0, 1, 0, 1), (second.New, second.Updated, second.Unchanged, second.Removed));

        var alpha = await index.GetArticleAsync("a", CancellationToken.None);
        Assert.Contains("harbours", alpha!.Text, StringComparison.Ordinal);
        Assert.Null(await index.GetArticleAsync("b", CancellationToken.None));
        var hits = await index.SearchAsync(new PassageQuery("lighthouses", ReadOnlyMemory<float>.Empty, SearchFilter.None, SearchMode.Lexical, 5), CancellationToken.None);
        Assert.Empty(hits);
    }

    [Fact]
    public async Task ABrokenFileIsReportedAndTheRestIngests()
    {
        Write("good.md", Markdown("Good", "A perfectly ordinary essay about the weather."));
        await File.WriteAllBytesAsync(Path.Combine(_folder, "junk.html"), [0x00, 0xFF, 0x13, 0x37, 0x00, 0x42]);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "latin1.txt"), [0x54, 0x69, 0x74, 0x6c, 0x65, 0x0a, 0xe9, 0xe8, 0x0a]);
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("broken"));

        var summary = await services.GetRequiredService<ArchiveIngestor>().IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None);
        Assert.Equal(1, summary.New);
        Assert.Equal(2, summary.Failed);
        Assert.Contains(summary.Failures, f => f.Path.EndsWith("junk.html", StringComparison.Ordinal) && f.Reason.Contains("binary", StringComparison.Ordinal));
        Assert.Contains(summary.Failures, f => f.Path.EndsWith("latin1.txt", StringComparison.Ordinal) && f.Reason.Contains("UTF-8", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingDateIsAllowedAndReported()
    {
        Write("undated.md", "---\ntitle: Undated\nauthor: Ann Example\n---\n\nAn essay without a date at all.\n");
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("undated"));
        var summary = await services.GetRequiredService<ArchiveIngestor>().IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None);
        Assert.Equal(1, summary.New);
        Assert.Contains(summary.Warnings, w => w.Contains("no publication date", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnIndexBuiltWithAnotherEmbedderIsRefusedWithWhatToDo()
    {
        var path = ClippingsTestHost.TempIndexPath("mismatch");
        await using (var other = new Clippings.Storage.Sqlite.SqliteArchiveIndex(path))
        {
            await other.OpenAsync(new EmbeddingSpace("openai:text-embedding-3-small", 1536), CancellationToken.None);
        }

        Write("a.md", Markdown("Alpha", "Text."));
        await using var services = ClippingsTestHost.Create(path);
        var error = await Assert.ThrowsAsync<IndexMismatchException>(() =>
            services.GetRequiredService<ArchiveIngestor>().IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None));
        Assert.Contains("text-embedding-3-small", error.Message, StringComparison.Ordinal);
        Assert.Contains("--index", error.Message, StringComparison.Ordinal);
    }

    private void Write(string name, string content) => File.WriteAllText(Path.Combine(_folder, name), content);

    private static string Markdown(string title, string body) =>
        $"---\ntitle: {title}\nauthor: Ann Example\ndate: 2024-05-01\n---\n\n# {title}\n\n{body}\n";
}
