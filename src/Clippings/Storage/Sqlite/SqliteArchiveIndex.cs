using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using Clippings.Archive;
using Clippings.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clippings.Storage.Sqlite;

/// <summary>
/// The embedded index: one SQLite file holding articles, author bios, passages with their vectors (float32 BLOBs)
/// and an FTS5 table of analyzed terms. Searches run over an in-memory <see cref="SearchSnapshot"/> of one committed state:
/// an exact (or int8 + rescored) scan of the vectors and FTS5-compatible BM25 over packed postings; hybrid search fuses
/// both rankings with reciprocal rank fusion.
/// Each article is written in one transaction, so readers never see a half-replaced article.
/// </summary>
public sealed class SqliteArchiveIndex : IArchiveIndex
{
    private const int SchemaVersion = 1;
    internal const int RrfK = 60;

    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _cacheLock = new();
    private SearchSnapshot? _snapshot;
    private bool _schemaReady;

    public SqliteArchiveIndex(string path, ILogger<SqliteArchiveIndex>? logger = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // A file nobody may write (mode without write bits) is opened read-only: ask and serve work, writes fail clearly.
        ReadOnly = File.Exists(Path) && !OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(Path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>True when the file is not writable, so it was opened read-only.</summary>
    public bool ReadOnly { get; }

    public string Description => "sqlite:" + Path;

    public async Task OpenAsync(EmbeddingSpace space, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var existing = await ReadSpaceAsync(connection, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await ExecuteAsync(connection, "INSERT OR REPLACE INTO meta(key, value) VALUES ('embedder', $e), ('dimensions', $d)", cancellationToken,
                ("$e", space.EmbedderId), ("$d", space.Dimensions.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
            return;
        }

        if (!string.Equals(existing.EmbedderId, space.EmbedderId, StringComparison.Ordinal) || existing.Dimensions != space.Dimensions)
        {
            throw new IndexMismatchException(
                $"The index at {Path} was built with embedder {existing.EmbedderId} ({existing.Dimensions} dimensions) but the configured embedder is {space.EmbedderId} ({space.Dimensions} dimensions). " +
                $"Ingest into a new index file (--index NEW.db) or set Clippings:Embeddings back to the embedder the index was built with.");
        }
    }

    public async Task<EmbeddingSpace?> GetEmbeddingSpaceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSpaceAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetContentHashesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, content_hash FROM articles";
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            hashes[reader.GetString(0)] = reader.GetString(1);
        }

        return hashes;
    }

    public Task UpsertArticleAsync(IndexedArticle article, CancellationToken cancellationToken) =>
        UpsertArticlesAsync([article], cancellationToken);

    /// <summary>
    /// Writes a batch of articles in one transaction (one commit and one generation bump per batch instead of per
    /// article: the ingest pipeline's writes stay small next to encoding). All or nothing, so never half an article.
    /// </summary>
    public async Task UpsertArticlesAsync(IReadOnlyList<IndexedArticle> articles, CancellationToken cancellationToken)
    {
        if (articles.Count == 0)
        {
            return;
        }

        var space = await GetEmbeddingSpaceAsync(cancellationToken).ConfigureAwait(false);
        foreach (var indexed in articles)
        {
            foreach (var passage in indexed.Passages)
            {
                if (space is not null && passage.Vector.Length != space.Dimensions)
                {
                    throw new IndexMismatchException($"Passage {passage.Ordinal} of {indexed.Article.Id} has a {passage.Vector.Length}-dimensional vector; the index at {Path} holds {space.Dimensions}-dimensional vectors.");
                }
            }
        }

        var stopwatch = Stopwatch.StartNew();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var writer = new ArticleWriter(connection, transaction);
            foreach (var indexed in articles)
            {
                await DeleteArticleRowsAsync(connection, transaction, indexed.Article.Id, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(indexed, cancellationToken).ConfigureAwait(false);
            }

            await BumpGenerationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }

        _logger.LogDebug("Stored {Articles} articles with {Passages} passages in {ElapsedMs} ms", articles.Count, articles.Sum(a => a.Passages.Count), stopwatch.ElapsedMilliseconds);
    }

    public async Task DeleteArticleAsync(string articleId, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await DeleteArticleRowsAsync(connection, transaction, articleId, cancellationToken).ConfigureAwait(false);
            await BumpGenerationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task UpsertAuthorAsync(AuthorProfile author, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "INSERT INTO authors(name_key, name, bio) VALUES ($key, $name, $bio) ON CONFLICT(name_key) DO UPDATE SET name = excluded.name, bio = excluded.bio", cancellationToken,
            ("$key", NameKey(author.Name)), ("$name", author.Name), ("$bio", author.Bio)).ConfigureAwait(false);
    }

    public async Task<Article?> GetArticleAsync(string articleId, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, title, authors, publication, section, published, date_precision, url, text, source_path FROM articles WHERE id = $id";
        command.Parameters.AddWithValue("$id", articleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return ReadSummary(reader, 0).ToArticle(reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9));
    }

    public async Task<IReadOnlyList<ArticleSummary>> ListArticlesAsync(SearchFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = FilterSql(filter, command);
        command.CommandText = $"SELECT a.id, a.title, a.authors, a.publication, a.section, a.published, a.date_precision, a.url FROM articles a WHERE {where} ORDER BY a.published IS NULL, a.published DESC, a.title";
        var list = new List<ArticleSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(ReadSummary(reader, 0));
        }

        return list;
    }

    public async Task<IReadOnlyList<AuthorSummary>> ListAuthorsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT MIN(aa.name), au.bio, COUNT(DISTINCT aa.article_id), MIN(a.published), MAX(a.published)
            FROM article_authors aa JOIN articles a ON a.id = aa.article_id LEFT JOIN authors au ON au.name_key = aa.name_key
            GROUP BY aa.name_key
            UNION ALL
            SELECT au.name, au.bio, 0, NULL, NULL FROM authors au WHERE NOT EXISTS (SELECT 1 FROM article_authors aa WHERE aa.name_key = au.name_key)
            ORDER BY 3 DESC, 1
            """;
        var authors = new List<AuthorSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            authors.Add(new AuthorSummary(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt32(2),
                reader.IsDBNull(3) ? null : DateOnly.ParseExact(reader.GetString(3), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                reader.IsDBNull(4) ? null : DateOnly.ParseExact(reader.GetString(4), "yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }

        return authors;
    }

    public async Task<IReadOnlyList<PassageHit>> SearchAsync(PassageQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit <= 0)
        {
            return [];
        }

        var stopwatch = Stopwatch.StartNew();
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction = one WAL snapshot: the vector cache generation, the lexical ranking and the passage rows
        // all come from the same committed state, so a concurrent ingest can never show half of a replaced article
        // (nor a reused passage rowid carrying another passage's cosine).
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var loaded = await GetSnapshotAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
        var cache = loaded.Vectors;
        var allowed = query.Filter.IsEmpty ? null : await AllowedArticlesAsync(connection, snapshot, cache, query.Filter, cancellationToken).ConfigureAwait(false);
        var hasVector = !query.Vector.IsEmpty;
        if (hasVector && query.Vector.Length != cache.Dimensions && cache.Count > 0)
        {
            throw new IndexMismatchException($"The query vector has {query.Vector.Length} dimensions but the index at {Path} holds {cache.Dimensions}-dimensional vectors. Use the embedder the index was built with.");
        }

        var candidates = query.Mode == SearchMode.Hybrid ? Math.Max(query.Limit * 3, 60) : query.Limit;
        var dense = query.Mode == SearchMode.Lexical || !hasVector ? []
            : cache.Count >= VectorCache.QuantizedThreshold ? cache.SearchQuantized(query.Vector.Span, allowed, candidates)
            : cache.Search(query.Vector.Span, allowed, candidates);
        var lexical = query.Mode != SearchMode.Dense ? Lexical(loaded, query.Text, allowed, candidates) : [];

        var ranked = new Dictionary<long, (double Score, double? Dense, int? DenseRank, int? LexicalRank)>();
        for (var i = 0; i < dense.Count; i++)
        {
            var (id, cosine) = dense[i];
            ranked[id] = (query.Mode == SearchMode.Dense ? cosine : 1.0 / (RrfK + i + 1), cosine, i + 1, null);
        }

        for (var i = 0; i < lexical.Count; i++)
        {
            var (id, bm25) = lexical[i];
            var cosine = hasVector ? cache.Cosine(id, query.Vector.Span) : null;
            if (ranked.TryGetValue(id, out var existing))
            {
                ranked[id] = (existing.Score + (1.0 / (RrfK + i + 1)), existing.Dense, existing.DenseRank, i + 1);
            }
            else
            {
                ranked[id] = (query.Mode == SearchMode.Lexical ? bm25 : 1.0 / (RrfK + i + 1), cosine, null, i + 1);
            }
        }

        var top = ranked.OrderByDescending(r => r.Value.Score).ThenBy(r => r.Key).Take(query.Limit).ToList();
        var rows = await ReadPassagesAsync(connection, snapshot, top.Select(t => t.Key).ToList(), cancellationToken).ConfigureAwait(false);
        var hits = new List<PassageHit>(top.Count);
        foreach (var (id, value) in top)
        {
            // A passage replaced since the vector snapshot is simply skipped: never half an article.
            if (rows.TryGetValue(id, out var row))
            {
                hits.Add(row with { Score = value.Score, DenseScore = value.Dense, DenseRank = value.DenseRank, LexicalRank = value.LexicalRank });
            }
        }

        _logger.LogDebug("Searched {Mode} over {Rows} passages: {Hits} hits in {ElapsedMs} ms", query.Mode, cache.Count, hits.Count, stopwatch.ElapsedMilliseconds);
        return hits;
    }

    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM passages),
                   (SELECT COUNT(*) FROM (SELECT name_key FROM article_authors UNION SELECT name_key FROM authors))
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new IndexStats(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
    }

    public async IAsyncEnumerable<IndexedArticle> ExportAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ids = (await GetContentHashesAsync(cancellationToken).ConfigureAwait(false)).Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var id in ids)
        {
            var article = await GetArticleAsync(id, cancellationToken).ConfigureAwait(false);
            if (article is null)
            {
                continue;
            }

            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT ordinal, start, \"end\", text, vector FROM passages WHERE article_id = $id ORDER BY ordinal";
            command.Parameters.AddWithValue("$id", id);
            var passages = new List<IndexedPassage>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    passages.Add(new IndexedPassage(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3), ToVector((byte[])reader.GetValue(4))));
                }
            }

            yield return new IndexedArticle(article, passages);
        }
    }

    public ValueTask DisposeAsync()
    {
        _writeGate.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        return ValueTask.CompletedTask;
    }

    internal static string NameKey(string name) => AuthorNames.Key(name);

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // SQLite's lower() folds ASCII only: section filters must match "Études" as C# lower-cases it.
            connection.CreateFunction<string?, string?>("clippings_lower", value => value?.ToLowerInvariant(), isDeterministic: true);
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = OFF;";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_schemaReady && ReadOnly)
            {
                await CheckSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }

            if (!_schemaReady)
            {
                await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }

            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new IndexUnavailableException(
                ex.SqliteErrorCode switch
                {
                    5 or 6 => $"The index file {Path} is locked by another process. Wait for it to finish (e.g. a running ingest) and try again.",
                    26 => $"{Path} is not a Clippings index (not a SQLite database). Point --index / Clippings:Index:Path at another file.",
                    _ => $"Cannot open the index file {Path}: {ex.Message}. Check the path and its permissions (Clippings:Index:Path).",
                },
                ex);
        }
    }

    private static async Task EnsureSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS articles(
                id TEXT PRIMARY KEY, title TEXT NOT NULL, authors TEXT NOT NULL, publication TEXT, section TEXT,
                published TEXT, date_precision TEXT NOT NULL, url TEXT, text TEXT NOT NULL, content_hash TEXT NOT NULL, source_path TEXT);
            CREATE INDEX IF NOT EXISTS ix_articles_published ON articles(published);
            CREATE TABLE IF NOT EXISTS article_authors(article_id TEXT NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, PRIMARY KEY(article_id, name_key));
            CREATE INDEX IF NOT EXISTS ix_article_authors_name ON article_authors(name_key);
            CREATE TABLE IF NOT EXISTS authors(name_key TEXT PRIMARY KEY, name TEXT NOT NULL, bio TEXT);
            CREATE TABLE IF NOT EXISTS passages(
                id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
                text TEXT NOT NULL, vector BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_passages_article ON passages(article_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS passage_terms USING fts5(terms, tokenize = 'ascii');
            INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '1'), ('generation', '0');
            """;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await CheckSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CheckSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var check = connection.CreateCommand();
        check.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        var schema = Convert.ToInt32(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (schema != SchemaVersion)
        {
            throw new IndexMismatchException($"The index has schema version {schema}; this version of Clippings reads version {SchemaVersion}. Re-ingest into a new index file.");
        }
    }

    private static async Task<EmbeddingSpace?> ReadSpaceAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT value FROM meta WHERE key = 'embedder'), (SELECT value FROM meta WHERE key = 'dimensions')";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.IsDBNull(0) ? null : new EmbeddingSpace(reader.GetString(0), int.Parse(reader.GetString(1), CultureInfo.InvariantCulture));
    }

    private static async Task DeleteArticleRowsAsync(SqliteConnection connection, SqliteTransaction transaction, string articleId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM passage_terms WHERE rowid IN (SELECT id FROM passages WHERE article_id = $id);
            DELETE FROM passages WHERE article_id = $id;
            DELETE FROM article_authors WHERE article_id = $id;
            DELETE FROM articles WHERE id = $id;
            """;
        command.Parameters.AddWithValue("$id", articleId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task BumpGenerationAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The search snapshot (vectors and BM25 postings) of the transaction's state, reloaded when a writer (this or another process) changed the index.</summary>
    private async Task<SearchSnapshot> GetSnapshotAsync(SqliteConnection connection, SqliteTransaction snapshot, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = "SELECT value FROM meta WHERE key = 'generation'";
        var snapshotGeneration = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        lock (_cacheLock)
        {
            if (_snapshot is not null && _snapshot.Vectors.Generation == snapshotGeneration)
            {
                return _snapshot;
            }
        }

        command.CommandText = "SELECT (SELECT COUNT(*) FROM passages), (SELECT value FROM meta WHERE key = 'dimensions')";
        int count;
        int dimensions;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            count = reader.GetInt32(0);
            dimensions = reader.IsDBNull(1) ? 0 : int.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
        }

        var stopwatch = Stopwatch.StartNew();
        var vectors = new VectorCache(snapshotGeneration, dimensions, count);
        var terms = new Bm25Index();
        command.CommandText = """
            SELECT p.id, p.article_id, p.vector, t.terms
            FROM passages p LEFT JOIN passage_terms t ON t.rowid = p.id
            ORDER BY p.article_id, p.ordinal
            """;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = vectors.Add(reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2));
                if (row >= 0)
                {
                    terms.Add(row, reader.IsDBNull(3) ? string.Empty : reader.GetString(3));
                }
            }
        }

        terms.Freeze();
        var loaded = new SearchSnapshot(vectors, terms);
        lock (_cacheLock)
        {
            if (_snapshot is null || _snapshot.Vectors.Generation < snapshotGeneration)
            {
                _snapshot = loaded;
            }
        }

        _logger.LogDebug("Loaded {Passages} vectors and {Postings} term postings ({Terms} terms) into memory in {ElapsedMs} ms", vectors.Count, terms.PostingCount, terms.TermCount, stopwatch.ElapsedMilliseconds);
        return loaded;
    }

    private static async Task<bool[]> AllowedArticlesAsync(SqliteConnection connection, SqliteTransaction snapshot, VectorCache cache, SearchFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        var where = FilterSql(filter, command);
        command.CommandText = $"SELECT a.id FROM articles a WHERE {where}";
        var allowed = new bool[cache.ArticleCount];
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (cache.TryGetArticleOrdinal(reader.GetString(0), out var ordinal))
            {
                allowed[ordinal] = true;
            }
        }

        return allowed;
    }

    private static List<(long Id, double Bm25)> Lexical(SearchSnapshot loaded, string text, bool[]? allowed, int limit)
    {
        var terms = LexicalAnalyzer.Analyze(text).Distinct(StringComparer.Ordinal).Take(64).ToList();
        return loaded.Terms.Search(terms, loaded.Vectors.RowArticles, allowed, limit)
            .Select(hit => (loaded.Vectors.IdOf(hit.Row), (double)hit.Score))
            .ToList();
    }

    private static async Task<Dictionary<long, PassageHit>> ReadPassagesAsync(SqliteConnection connection, SqliteTransaction snapshot, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<long, PassageHit>();
        if (ids.Count == 0)
        {
            return rows;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = $"""
            SELECT a.id, a.title, a.authors, a.publication, a.section, a.published, a.date_precision, a.url, p.id, p.ordinal, p.start, p."end", p.text
            FROM passages p JOIN articles a ON a.id = p.article_id
            WHERE p.id IN ({string.Join(',', ids.Select(i => i.ToString(CultureInfo.InvariantCulture)))})
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var summary = ReadSummary(reader, 0);
            rows[reader.GetInt64(8)] = new PassageHit(summary, reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11), reader.GetString(12), 0, null, null, null);
        }

        return rows;
    }

    /// <summary>SQL for a filter over <c>articles a</c>, adding its parameters to the command.</summary>
    private static string FilterSql(SearchFilter filter, SqliteCommand command)
    {
        var clauses = new List<string> { "1 = 1" };
        if (filter.Authors is { Count: > 0 } authors)
        {
            clauses.Add($"a.id IN (SELECT article_id FROM article_authors WHERE name_key IN ({Parameters(command, "author", authors.Select(NameKey))}))");
        }

        if (filter.ExcludeAuthors is { Count: > 0 } excluded)
        {
            clauses.Add($"a.id NOT IN (SELECT article_id FROM article_authors WHERE name_key IN ({Parameters(command, "excluded", excluded.Select(NameKey))}))");
        }

        if (filter.From is { } from)
        {
            command.Parameters.AddWithValue("$from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            clauses.Add("a.published >= $from");
        }

        if (filter.To is { } to)
        {
            command.Parameters.AddWithValue("$to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            clauses.Add("a.published <= $to");
        }

        if (filter.Sections is { Count: > 0 } sections)
        {
            var list = Parameters(command, "section", sections.Select(s => s.ToLowerInvariant()));
            clauses.Add($"(clippings_lower(a.section) IN ({list}) OR clippings_lower(a.publication) IN ({list}))");
        }

        if (filter.ArticleIds is { Count: > 0 } articleIds)
        {
            clauses.Add($"a.id IN ({Parameters(command, "article", articleIds)})");
        }

        return string.Join(" AND ", clauses);
    }

    private static string Parameters(SqliteCommand command, string prefix, IEnumerable<string> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = $"${prefix}{names.Count}";
            command.Parameters.AddWithValue(name, value);
            names.Add(name);
        }

        return string.Join(", ", names);
    }

    private static ArticleSummary ReadSummary(SqliteDataReader reader, int offset) => new(
        reader.GetString(offset),
        reader.GetString(offset + 1),
        JsonSerializer.Deserialize<List<string>>(reader.GetString(offset + 2)) ?? [],
        reader.IsDBNull(offset + 3) ? null : reader.GetString(offset + 3),
        reader.IsDBNull(offset + 4) ? null : reader.GetString(offset + 4),
        reader.IsDBNull(offset + 5) ? null : DateOnly.ParseExact(reader.GetString(offset + 5), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Enum.Parse<DatePrecision>(reader.GetString(offset + 6)),
        reader.IsDBNull(offset + 7) ? null : reader.GetString(offset + 7));

    private static float[] ToVector(byte[] blob) => MemoryMarshal.Cast<byte, float>(blob).ToArray();
}
