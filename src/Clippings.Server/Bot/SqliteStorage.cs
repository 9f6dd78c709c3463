using System.Globalization;
using Microsoft.Bot.Builder;
using Microsoft.Data.Sqlite;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Bot;

/// <summary>
/// A Bot Framework <see cref="IStorage"/> in one SQLite file, so conversation state (follow-ups, article scope)
/// and feedback survive a restart. Items are stored as JSON with their .NET types, like <see cref="MemoryStorage"/>,
/// but only types of this application, the Bot Framework and the base library may be read back.
/// Optimistic concurrency follows MemoryStorage: an <see cref="IStoreItem"/> whose ETag is set and not "*" must match.
/// </summary>
public sealed class SqliteStorage : IStorage, IDisposable
{
    private readonly string _connectionString;
    private readonly JsonSerializer _serializer = StateSerialization.CreateSerializer();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _created;

    public SqliteStorage(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true }.ToString();
        FilePath = full;
    }

    public string FilePath { get; }

    public void Dispose() => _writeGate.Dispose();

    public async Task<IDictionary<string, object>> ReadAsync(string[] keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        if (keys.Length == 0)
        {
            return result;
        }

        await using var connection = await OpenAsync(cancellationToken);
        foreach (var key in keys.Distinct(StringComparer.Ordinal))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT json FROM items WHERE key = $key";
            command.Parameters.AddWithValue("$key", key);
            if (await command.ExecuteScalarAsync(cancellationToken) is string json)
            {
                var value = JObject.Parse(json).ToObject<object>(_serializer);
                if (value is not null)
                {
                    result[key] = value;
                }
            }
        }

        return result;
    }

    public async Task WriteAsync(IDictionary<string, object> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            foreach (var (key, value) in changes)
            {
                var etag = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
                if (value is IStoreItem item && !string.IsNullOrEmpty(item.ETag) && item.ETag != "*")
                {
                    await using var check = connection.CreateCommand();
                    check.Transaction = transaction;
                    check.CommandText = "SELECT etag FROM items WHERE key = $key";
                    check.Parameters.AddWithValue("$key", key);
                    var stored = await check.ExecuteScalarAsync(cancellationToken) as string;
                    if (stored is not null && stored != item.ETag)
                    {
                        throw new InvalidOperationException($"ETag conflict writing '{key}': the item changed since it was read.");
                    }
                }

                var json = JObject.FromObject(value, _serializer);
                if (value is IStoreItem)
                {
                    json["ETag"] = etag;
                }

                await using var upsert = connection.CreateCommand();
                upsert.Transaction = transaction;
                upsert.CommandText = "INSERT INTO items(key, etag, json, updated) VALUES ($key, $etag, $json, $updated) " +
                    "ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, json = excluded.json, updated = excluded.updated";
                upsert.Parameters.AddWithValue("$key", key);
                upsert.Parameters.AddWithValue("$etag", etag);
                upsert.Parameters.AddWithValue("$json", json.ToString(Formatting.None));
                upsert.Parameters.AddWithValue("$updated", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task DeleteAsync(string[] keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var key in keys)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM items WHERE key = $key";
            command.Parameters.AddWithValue("$key", key);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_created)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, etag TEXT NOT NULL, json TEXT NOT NULL, updated TEXT NOT NULL)";
                await command.ExecuteNonQueryAsync(cancellationToken);
                _created = true;
            }

            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new ClippingsException($"Cannot open the bot state store {FilePath}: {ex.Message}. Check Clippings:Bot:StatePath and that the folder is writable.", ex);
        }
    }
}
