using System.Diagnostics;
using Clippings.Archive;
using Clippings.Storage;
using Clippings.Storage.Sqlite;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Storage;

/// <summary>Migration between indexes: SQLite → SQLite runs the same code path as SQLite ↔ Qdrant, for real.</summary>
public sealed class ArchiveMigratorTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-migrate-" + Guid.NewGuid().ToString("N"));
    private readonly List<IArchiveIndex> _indexes = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var index in _indexes)
        {
            await index.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private SqliteArchiveIndex Sqlite(string name)
    {
        var index = new SqliteArchiveIndex(Path.Combine(_folder, name));
        _indexes.Add(index);
        return index;
    }

    private async Task<SqliteArchiveIndex> SourceAsync()
    {
        var source = Sqlite("source.db");
        await source.OpenAsync(new EmbeddingSpace("contract-test-embedder", 4), None);
        foreach (var article in new[] { ArchiveIndexContract.Dredging(), ArchiveIndexContract.Tides(), ArchiveIndexContract.Lighthouse(), ArchiveIndexContract.Undated() })
        {
            await source.UpsertArticleAsync(article, None);
        }

        await source.UpsertAuthorAsync(new AuthorProfile("Ana Silva", "Ana Silva keeps lighthouses."), None);
        return source;
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorded : IProgress<MigrationProgress>
    {
        public List<MigrationProgress> Reports { get; } = [];

        public void Report(MigrationProgress value) => Reports.Add(value);
    }

    /// <summary>A destination that fails like an unreachable server after a number of successful article writes.</summary>
    private sealed class FailingIndex(IArchiveIndex inner, int failAfter) : IArchiveIndex
    {
        private int _writes;

        public string Description => "failing:" + inner.Description;
        public Task OpenAsync(EmbeddingSpace space, CancellationToken cancellationToken) => inner.OpenAsync(space, cancellationToken);
        public Task<EmbeddingSpace?> GetEmbeddingSpaceAsync(CancellationToken cancellationToken) => inner.GetEmbeddingSpaceAsync(cancellationToken);
        public Task<IReadOnlyDictionary<string, string>> GetContentHashesAsync(CancellationToken cancellationToken) => inner.GetContentHashesAsync(cancellationToken);

        public Task UpsertArticleAsync(IndexedArticle article, CancellationToken cancellationToken) =>
            ++_writes > failAfter ? throw new IndexUnavailableException("Cannot reach Qdrant at http://qdrant.test:6334 (connection reset).") : inner.UpsertArticleAsync(article, cancellationToken);

        public Task DeleteArticleAsync(string articleId, CancellationToken cancellationToken) => inner.DeleteArticleAsync(articleId, cancellationToken);
        public Task UpsertAuthorAsync(AuthorProfile author, CancellationToken cancellationToken) => inner.UpsertAuthorAsync(author, cancellationToken);
        public Task<Article?> GetArticleAsync(string articleId, CancellationToken cancellationToken) => inner.GetArticleAsync(articleId, cancellationToken);
        public Task<IReadOnlyList<ArticleSummary>> ListArticlesAsync(SearchFilter filter, CancellationToken cancellationToken) => inner.ListArticlesAsync(filter, cancellationToken);
        public Task<IReadOnlyList<AuthorSummary>> ListAuthorsAsync(CancellationToken cancellationToken) => inner.ListAuthorsAsync(cancellationToken);
        public Task<IReadOnlyList<PassageHit>> SearchAsync(PassageQuery query, CancellationToken cancellationToken) => inner.SearchAsync(query, cancellationToken);
        public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) => inner.GetStatsAsync(cancellationToken);
        public IAsyncEnumerable<IndexedArticle> ExportAsync(CancellationToken cancellationToken) => inner.ExportAsync(cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task EverythingIsCopiedWithItsVectorsAndASecondRunCopiesNothing()
    {
        var source = await SourceAsync();
        var destination = Sqlite("destination.db");
        var progress = new Recorded();

        var first = await new ArchiveMigrator().MigrateAsync(source, destination, progress, None);
        Assert.Equal((4, 0, 1), (first.Copied, first.Unchanged, first.AuthorBios));
        Assert.Equal(new MigrationProgress(4, 4, 4, 0), progress.Reports[^1]);
        Assert.Equal(await source.GetEmbeddingSpaceAsync(None), await destination.GetEmbeddingSpaceAsync(None));
        Assert.Equal(await source.GetContentHashesAsync(None), await destination.GetContentHashesAsync(None));
        Assert.Equal(await source.ListAuthorsAsync(None), await destination.ListAuthorsAsync(None));
        Assert.Equal(await source.GetStatsAsync(None), await destination.GetStatsAsync(None));
        var expected = await source.ExportAsync(None).ToListAsync();
        var copied = await destination.ExportAsync(None).ToListAsync();
        Assert.Equal(
            expected.SelectMany(a => a.Passages.Select(p => (a.Article.Id, p.Ordinal, p.Text, string.Join(',', p.Vector.ToArray())))),
            copied.SelectMany(a => a.Passages.Select(p => (a.Article.Id, p.Ordinal, p.Text, string.Join(',', p.Vector.ToArray())))));

        var second = await new ArchiveMigrator().MigrateAsync(source, destination, null, None);
        Assert.Equal((0, 4), (second.Copied, second.Unchanged));
    }

    [Fact]
    public async Task AFailingDestinationStopsWithItsErrorAndTheNextRunResumesWhereItStopped()
    {
        var source = await SourceAsync();
        var destination = Sqlite("destination.db");

        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => new ArchiveMigrator().MigrateAsync(source, new FailingIndex(destination, failAfter: 2), null, None));
        Assert.Contains("Cannot reach Qdrant", error.Message, StringComparison.Ordinal);
        var half = await destination.GetContentHashesAsync(None);
        Assert.Equal(2, half.Count);
        var sourceHashes = await source.GetContentHashesAsync(None);
        Assert.All(half, h => Assert.Equal(sourceHashes[h.Key], h.Value));

        var resumed = await new ArchiveMigrator().MigrateAsync(source, destination, null, None);
        Assert.Equal((2, 2), (resumed.Copied, resumed.Unchanged));
        Assert.Equal(sourceHashes, await destination.GetContentHashesAsync(None));

        // A source article that changed since is replaced, not duplicated.
        await source.UpsertArticleAsync(ArchiveIndexContract.Dredging("The ferry will stop at the new pier."), None);
        var again = await new ArchiveMigrator().MigrateAsync(source, destination, null, None);
        Assert.Equal((1, 3), (again.Copied, again.Unchanged));
        Assert.Equal(await source.GetStatsAsync(None), await destination.GetStatsAsync(None));
    }

    [Fact]
    public async Task AnIndexBuiltWithAnotherEmbedderIsNotMixedIn()
    {
        var source = await SourceAsync();
        var destination = Sqlite("other.db");
        await destination.OpenAsync(new EmbeddingSpace("another-embedder", 8), None);
        await Assert.ThrowsAsync<IndexMismatchException>(() => new ArchiveMigrator().MigrateAsync(source, destination, null, None));
        var empty = Sqlite("empty.db");
        var nothing = await Assert.ThrowsAsync<ClippingsException>(() => new ArchiveMigrator().MigrateAsync(empty, destination, null, None));
        Assert.Contains("nothing to migrate", nothing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocationsNameSqliteFilesAndQdrantCollections()
    {
        var settings = new IndexOptions { Collection = "default-collection" };
        await using var named = ArchiveMigrator.OpenLocation("qdrant:http://qdrant.example:6334/news", settings, mustExist: false, null);
        Assert.Equal("qdrant:http://qdrant.example:6334/news", named.Description);
        await using var unnamed = ArchiveMigrator.OpenLocation("qdrant:https://qdrant.example:6334", settings, mustExist: false, null);
        Assert.Equal("qdrant:https://qdrant.example:6334/default-collection", unnamed.Description);
        var file = Path.Combine(_folder, "x.db");
        await using var sqlite = ArchiveMigrator.OpenLocation("sqlite:" + file, settings, mustExist: false, null);
        Assert.Equal("sqlite:" + file, sqlite.Description);

        Assert.Contains("sqlite:FILE", Assert.Throws<ClippingsException>(() => ArchiveMigrator.OpenLocation("postgres://x", settings, false, null)).Message, StringComparison.Ordinal);
        Assert.Contains("no index file", Assert.Throws<ClippingsException>(() => ArchiveMigrator.OpenLocation("sqlite:" + Path.Combine(_folder, "missing.db"), settings, true, null)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheMigrateVerbCopiesAnIndexAndReportsBadLocationsInOneLine()
    {
        var source = await SourceAsync();
        var target = Path.Combine(_folder, "verb.db");

        var (code, stdout, _) = await RunCliAsync("migrate", "--from", "sqlite:" + source.Path, "--to", "sqlite:" + target);
        Assert.Equal(0, code);
        Assert.Contains("4 copied, 0 already there, 1 author bios", stdout, StringComparison.Ordinal);
        var copy = Sqlite("verb.db");
        Assert.Equal(4, (await copy.GetStatsAsync(None)).Articles);

        var (badCode, _, stderr) = await RunCliAsync("migrate", "--from", "sqlite:" + Path.Combine(_folder, "nope.db"), "--to", "sqlite:" + target);
        Assert.Equal(2, badCode);
        Assert.StartsWith("error: There is no index file", stderr.Trim(), StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clippings.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
