using System.Diagnostics;
using System.Text.RegularExpressions;
using Clippings.Ingestion;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Clippings.Tests.Robustness;

/// <summary>
/// Two `clippings ingest --shard i/2` processes running at once into one index: every article is stored exactly once,
/// each by the shard that owns its id, and no passage is embedded twice (a following unsharded ingest embeds nothing).
/// </summary>
public sealed partial class ShardedIngestTests(ITestOutputHelper output) : IDisposable
{
    private const int Articles = 24;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-shards-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task TwoShardProcessesFillOneIndexWithEachArticleOnceAndNothingEmbeddedTwice()
    {
        var archive = Path.Combine(_folder, "archive");
        var index = Path.Combine(_folder, "index.db");
        GeneratedArchive.Write(archive, Articles, paragraphs: 3, edition: "one");

        // Create the index first (as `serve` or a first small ingest would), then run both shards at once.
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);
        var created = await CliBinary.RunAsync(_folder, "ingest", empty, "--index", index);
        Assert.True(created.Code == 0, created.Error);

        var shards = await Task.WhenAll(
            CliBinary.RunAsync(_folder, "ingest", archive, "--index", index, "--shard", "1/2"),
            CliBinary.RunAsync(_folder, "ingest", archive, "--index", index, "--shard", "2/2"));
        var summaries = shards.Select(s =>
        {
            output.WriteLine(s.Output + s.Error);
            Assert.True(s.Code == 0, s.Error);
            return Summary(s.Output);
        }).ToList();

        // Together they wrote every article once; each shard wrote exactly the ones it owns.
        var stored = await StoredAsync(index);
        Assert.Equal(Articles, stored.Count);
        var owned = new[] { new IngestShard(1, 2), new IngestShard(2, 2) }.Select(s => stored.Keys.Count(s.Owns)).ToList();
        Assert.All(owned, count => Assert.InRange(count, 1, Articles - 1));
        Assert.Equal(owned, summaries.Select(s => s.New));
        Assert.All(summaries, s => Assert.Equal(0, s.Unchanged));
        Assert.Equal(summaries.Sum(s => s.Passages), stored.Values.Sum());

        var again = await CliBinary.RunAsync(_folder, "ingest", archive, "--index", index);
        Assert.True(again.Code == 0, again.Error);
        Assert.Equal((0, Articles, 0), (Summary(again.Output).New, Summary(again.Output).Unchanged, Summary(again.Output).Passages));
    }

    [Fact]
    public async Task AShardMustBeIOfN()
    {
        Directory.CreateDirectory(_folder);
        var bad = await CliBinary.RunAsync(_folder, "ingest", "archive", "--shard", "3/2");
        Assert.Equal(2, bad.Code);
        Assert.Contains("--shard '3/2' is not i/n", bad.Error, StringComparison.Ordinal);
        Assert.Null(IngestShard.Parse("0/2", out _));
        Assert.Equal(new IngestShard(2, 4), IngestShard.Parse("2/4", out _));
    }

    [Fact]
    public void TheSplitIsStableAndCoversEveryArticleOnce()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"article-{i}").ToList();
        var shards = Enumerable.Range(1, 4).Select(n => new IngestShard(n, 4)).ToList();
        Assert.All(ids, id => Assert.Single(shards, s => s.Owns(id)));
        Assert.All(shards, s => Assert.InRange(ids.Count(s.Owns), 200, 300));

        // Fixed by the id's SHA-256, so every host and every run agrees.
        Assert.Equal([3, 3, 3, 2, 3], new[] { "a", "b", "c", "d", "e" }.Select(id => shards.Single(s => s.Owns(id)).Number));
    }

    private static (int New, int Unchanged, int Passages) Summary(string output)
    {
        var match = SummaryLine().Match(output);
        Assert.True(match.Success, $"no summary line in: {output}");
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(\d+) new, \d+ updated, (\d+) unchanged, \d+ removed, \d+ failed \((\d+) passages embedded")]
    private static partial Regex SummaryLine();

    private static async Task<Dictionary<string, int>> StoredAsync(string index)
    {
        await using var connection = new SqliteConnection($"Data Source={index};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT a.id, COUNT(p.id) FROM articles a LEFT JOIN passages p ON p.article_id = a.id GROUP BY a.id";
        var stored = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetString(0)] = reader.GetInt32(1);
        }

        return stored;
    }
}
