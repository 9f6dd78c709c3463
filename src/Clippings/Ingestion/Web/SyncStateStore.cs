using Microsoft.Data.Sqlite;

namespace Clippings.Ingestion.Web;

/// <summary>
/// What the last sync learnt about one URL of a source: its kind (<c>page</c>, <c>sitemap</c>, <c>feed</c>, <c>wp-list</c>,
/// <c>source</c>), the listing that named it (<see cref="Parent"/>, null once no longer listed), the validators to send
/// back, the <c>lastmod</c> it was listed with and the one at which it was last read, and the article it gave.
/// <see cref="Reference"/> is the source's own id for it (a WordPress post id; for a source, its discovered kind and endpoint).
/// </summary>
public sealed record SyncRecord(string Url, string Kind, string? Parent, string? ETag, string? LastModified, string? ListedLastmod, string? ReadLastmod, string? ArticleId, string? Reference)
{
    public FetchValidators Validators => new(ETag, LastModified);
}

/// <summary>The per-URL sync state, in a small SQLite file of its own beside the index (any index kind can sit behind it).</summary>
public sealed class SyncStateStore
{
    private readonly string _connectionString;
    private bool _created;

    public SyncStateStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
    }

    public string Path { get; }

    public async Task<Dictionary<string, SyncRecord>> LoadAsync(string source, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT url, kind, parent, etag, last_modified, listed_lastmod, read_lastmod, article_id, reference FROM sync_urls WHERE source = $s";
        command.Parameters.AddWithValue("$s", source);
        var records = new Dictionary<string, SyncRecord>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            records[reader.GetString(0)] = new SyncRecord(reader.GetString(0), reader.GetString(1), Text(2), Text(3), Text(4), Text(5), Text(6), Text(7), Text(8));
        }

        return records;
    }

    /// <summary>Article ids other sources' pages gave: pruning one source must not remove a piece another still lists.</summary>
    public async Task<HashSet<string>> ArticleIdsOfOtherSourcesAsync(string source, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT article_id FROM sync_urls WHERE source <> $s AND article_id IS NOT NULL AND parent IS NOT NULL";
        command.Parameters.AddWithValue("$s", source);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Writes the run's records and removes the given URLs, in one transaction.</summary>
    public async Task SaveAsync(string source, IEnumerable<SyncRecord> records, IEnumerable<string> removed, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT OR REPLACE INTO sync_urls(source, url, kind, parent, etag, last_modified, listed_lastmod, read_lastmod, article_id, reference, updated_at)
                VALUES ($source, $url, $kind, $parent, $etag, $lm, $listed, $read, $article, $ref, $at)
                """;
            var parameters = new[] { "$source", "$url", "$kind", "$parent", "$etag", "$lm", "$listed", "$read", "$article", "$ref", "$at" }
                .ToDictionary(n => n, n => upsert.Parameters.Add(n, SqliteType.Text));
            var now = DateTimeOffset.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var r in records)
            {
                object Value(string? v) => (object?)v ?? DBNull.Value;
                parameters["$source"].Value = source;
                parameters["$url"].Value = r.Url;
                parameters["$kind"].Value = r.Kind;
                parameters["$parent"].Value = Value(r.Parent);
                parameters["$etag"].Value = Value(r.ETag);
                parameters["$lm"].Value = Value(r.LastModified);
                parameters["$listed"].Value = Value(r.ListedLastmod);
                parameters["$read"].Value = Value(r.ReadLastmod);
                parameters["$article"].Value = Value(r.ArticleId);
                parameters["$ref"].Value = Value(r.Reference);
                parameters["$at"].Value = now;
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM sync_urls WHERE source = $s AND url = $u";
            delete.Parameters.AddWithValue("$s", source);
            var url = delete.Parameters.Add("$u", SqliteType.Text);
            foreach (var u in removed)
            {
                url.Value = u;
                await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_created)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    PRAGMA journal_mode = WAL;
                    CREATE TABLE IF NOT EXISTS sync_urls(
                        source TEXT NOT NULL, url TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT, etag TEXT, last_modified TEXT,
                        listed_lastmod TEXT, read_lastmod TEXT, article_id TEXT, reference TEXT, updated_at TEXT NOT NULL,
                        PRIMARY KEY (source, url));
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _created = true;
            }

            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ClippingsException($"Cannot open the sync state file {Path} ({ex.Message.TrimEnd('.')}). Check Clippings:Sync:StatePath and the folder's permissions.", ex);
        }
    }
}
