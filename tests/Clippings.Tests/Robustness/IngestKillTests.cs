using System.Diagnostics;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Clippings.Tests.Robustness;

/// <summary>
/// SIGKILL the real `clippings ingest` process at random points, several times, then let one ingest finish:
/// every article must be in the index exactly once with all its passages (and their FTS rows), none half-written.
/// </summary>
public sealed class IngestKillTests(ITestOutputHelper output) : IDisposable
{
    private const int Articles = 24;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task KilledIngestsLeaveAConsistentIndexAndTheNextIngestCompletesIt()
    {
        var archive = Path.Combine(_folder, "archive");
        var index = Path.Combine(_folder, "index.db");
        GeneratedArchive.Write(archive, Articles, paragraphs: 4, edition: "one");
        var random = new Random(20261125);
        var killedMidway = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Kill shortly after this run's first commit (or at a random point if it commits nothing within a minute),
            // so the kills land in the middle of the ingest rather than during start-up.
            var before = await CountArticlesAsync(index);
            using var process = StartIngest(archive, index);
            var waited = Stopwatch.StartNew();
            while (!process.HasExited && waited.Elapsed < TimeSpan.FromMinutes(1) && await CountArticlesAsync(index) == before)
            {
                await Task.Delay(50);
            }

            await Task.Delay(random.Next(0, 400));
            var exited = process.HasExited;
            if (!exited)
            {
                process.Kill(entireProcessTree: true); // SIGKILL on Linux: no cleanup runs.
            }

            await process.WaitForExitAsync();
            var stored = await CountArticlesAsync(index);
            killedMidway += !exited && stored is > 0 and < Articles ? 1 : 0;
            output.WriteLine($"attempt {attempt}: {(exited ? "finished before the kill" : "killed")} after {waited.Elapsed.TotalSeconds:F1} s, {stored} articles stored");
            await AssertConsistentAsync(index, archive, complete: false);
        }

        using (var final = StartIngest(archive, index))
        {
            await final.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(final.ExitCode == 0, $"final ingest exited {final.ExitCode}: {await final.StandardError.ReadToEndAsync()}");
        }

        await AssertConsistentAsync(index, archive, complete: true);
        Assert.True(killedMidway > 0, "no kill landed between the first and the last article; the test did not exercise a mid-ingest kill");
    }

    private static async Task<int> CountArticlesAsync(string index)
    {
        if (!File.Exists(index))
        {
            return 0;
        }

        await using var connection = new SqliteConnection($"Data Source={index};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'articles'";
        if (Convert.ToInt32(await command.ExecuteScalarAsync()) == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT COUNT(*) FROM articles";
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    /// <summary>Every stored article has exactly the passages the chunker makes of it, each with its FTS row; nothing orphaned.</summary>
    private static async Task AssertConsistentAsync(string index, string archive, bool complete)
    {
        if (!File.Exists(index))
        {
            Assert.False(complete, "the index file does not exist after a completed ingest");
            return;
        }

        var expected = new Dictionary<string, int>();
        var loader = new ArchiveLoader();
        var chunker = new PassageChunker();
        foreach (var file in ArchiveLoader.EnumerateFiles([archive]))
        {
            foreach (var article in (await loader.ReadFileAsync(file, CancellationToken.None)).Articles)
            {
                expected[article.Id] = chunker.Split(article).Count;
            }
        }

        await using var connection = new SqliteConnection($"Data Source={index};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal("ok", await ScalarAsync(connection, "PRAGMA integrity_check"));
        if (Convert.ToInt32(await ScalarAsync(connection, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'passages'")) == 0)
        {
            Assert.False(complete, "no passages table after a completed ingest");
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.id, COUNT(p.id), COUNT(DISTINCT p.ordinal), COALESCE(MAX(p.ordinal), -1)
            FROM articles a LEFT JOIN passages p ON p.article_id = a.id GROUP BY a.id
            """;
        var stored = new Dictionary<string, int>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (id, passages, distinct, maxOrdinal) = (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
                Assert.True(expected.ContainsKey(id), $"unexpected article {id}");
                Assert.True(passages == expected[id] && distinct == passages && maxOrdinal == passages - 1,
                    $"{id}: {passages} passages ({distinct} distinct ordinals, max {maxOrdinal}), expected {expected[id]}");
                stored[id] = passages;
            }
        }

        Assert.Equal(0L, await ScalarAsync(connection, "SELECT COUNT(*) FROM passages WHERE article_id NOT IN (SELECT id FROM articles)"));
        Assert.Equal(await ScalarAsync(connection, "SELECT COUNT(*) FROM passages"), await ScalarAsync(connection, "SELECT COUNT(*) FROM passage_terms"));
        if (complete)
        {
            Assert.Equal(expected.Keys.Order(), stored.Keys.Order());
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private Process StartIngest(string archive, string index)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        start.ArgumentList.Add(CliBinary.Path);
        foreach (var argument in new[] { "ingest", archive, "--index", index })
        {
            start.ArgumentList.Add(argument);
        }

        // Small encoder batches, so the pipeline commits every few articles and kills land between commits.
        start.Environment["Clippings__Embeddings__BatchSize"] = "1";
        return Process.Start(start)!;
    }
}
