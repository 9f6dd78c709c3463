using Clippings.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Clippings.Tests.Storage;

/// <summary>The in-memory BM25 index must rank exactly as the FTS5 table it is loaded from (whose bm25() it replaces).</summary>
public sealed class Bm25IndexTests
{
    private static readonly string[] Vocabulary =
        ["harbour", "boat", "storm", "oyster", "mayor", "council", "ferri", "winter", "tide", "lighthous", "fish", "market", "rain", "bridg", "school", "librari"];

    [Fact]
    public void ScoresAndOrderMatchSqliteFts5Bm25()
    {
        var random = new Random(5);
        // Skewed term frequencies and lengths, so idf, repeats and length normalisation all matter.
        var rows = Enumerable.Range(0, 400)
            .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 40)).Select(_ => Vocabulary[(int)Math.Floor(Math.Pow(random.NextDouble(), 2) * Vocabulary.Length)])))
            .ToList();
        var index = new Bm25Index();
        for (var row = 0; row < rows.Count; row++)
        {
            index.Add(row, rows[row]);
        }

        index.Freeze();
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, "CREATE VIRTUAL TABLE t USING fts5(terms, tokenize = 'ascii')");
        for (var row = 0; row < rows.Count; row++)
        {
            Execute(connection, "INSERT INTO t(rowid, terms) VALUES ($rowid, $terms)", ("$rowid", row), ("$terms", rows[row]));
        }

        string[][] queries = [["harbour"], ["librari"], ["storm", "tide"], ["oyster", "mayor", "librari", "bridg"], ["absent", "school"]];
        foreach (var query in queries)
        {
            var expected = Fts5(connection, query, 25);
            var actual = index.Search(query, new int[rows.Count], null, 25);

            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Score, actual[i].Score, 3);
            }

            // Rows with equal scores may come in either order; the sets at each score must agree.
            Assert.Equal(
                expected.GroupBy(e => Math.Round(e.Score, 3)).Select(g => g.Select(e => e.Row).Order().ToList()).SkipLast(1),
                actual.GroupBy(a => Math.Round(a.Score, 3)).Select(g => g.Select(a => a.Row).Order().ToList()).SkipLast(1));
        }
    }

    [Fact]
    public void ArticleFilterAndLimitsAreHonoured()
    {
        var index = new Bm25Index();
        var rowArticle = new int[60];
        for (var row = 0; row < 60; row++)
        {
            rowArticle[row] = row / 10;
            index.Add(row, row % 2 == 0 ? "harbour boat" : "storm");
        }

        index.Freeze();
        var allowed = new bool[6];
        allowed[2] = true;

        var hits = index.Search(["harbour"], rowArticle, allowed, 100);

        Assert.Equal([20, 22, 24, 26, 28], hits.Select(h => h.Row).Order());
        Assert.Empty(index.Search(["harbour"], rowArticle, allowed, 0));
        Assert.Empty(index.Search(["nowhere"], rowArticle, null, 10));
        Assert.Equal(3, index.Search(["storm"], rowArticle, null, 3).Count);
    }

    [Fact]
    public void ConcurrentSearchesGetTheSameAnswerAsOne()
    {
        var random = new Random(9);
        var index = new Bm25Index();
        for (var row = 0; row < 5000; row++)
        {
            index.Add(row, string.Join(' ', Enumerable.Range(0, 30).Select(_ => Vocabulary[random.Next(Vocabulary.Length)])));
        }

        index.Freeze();
        var rowArticle = new int[5000];
        var expected = index.Search(["storm", "oyster"], rowArticle, null, 40);

        // The accumulator is rented per search and cleared after it: parallel searches must not leak scores into each other.
        Parallel.For(0, 64, i =>
        {
            var query = i % 2 == 0 ? new[] { "storm", "oyster" } : ["harbour", "tide", "rain"];
            var hits = index.Search(query, rowArticle, null, 40);
            if (i % 2 == 0)
            {
                Assert.Equal(expected, hits);
            }
        });
    }

    private static List<(int Row, double Score)> Fts5(SqliteConnection connection, IEnumerable<string> terms, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rowid, bm25(t) FROM t WHERE t MATCH $match ORDER BY bm25(t) LIMIT $limit";
        command.Parameters.AddWithValue("$match", string.Join(" OR ", terms.Select(t => $"\"{t}\"")));
        command.Parameters.AddWithValue("$limit", limit);
        var results = new List<(int, double)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            results.Add((reader.GetInt32(0), -reader.GetDouble(1)));
        }

        return results;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
