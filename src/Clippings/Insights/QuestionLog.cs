using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clippings.Answering;
using Clippings.Storage;
using Clippings.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Insights;

/// <summary>One reader question as logged: when, on which channel, the text, and what became of it. No user or conversation id.</summary>
public sealed record LoggedQuestion(
    DateTimeOffset AskedAt,
    string Channel,
    string Question,
    bool Refused,
    RefusalReason RefusalReason,
    IReadOnlyList<string> CitedArticleIds);

/// <summary>A reader's thumbs up or down on one answer, with what they wrote. No user or conversation id.</summary>
public sealed record LoggedRating(
    DateTimeOffset RatedAt,
    string Channel,
    string Reaction,
    string? Comment,
    string? Question,
    IReadOnlyList<string> CitedArticleIds)
{
    /// <summary>Reactions that mean the reader found the answer wanting (Teams and Web Chat say "dislike").</summary>
    public bool IsDown => Reaction.Trim().ToLowerInvariant() is "dislike" or "down" or "thumbsdown" or "negative";
}

/// <summary>
/// The question log editors' insights are built from: one SQLite file (<see cref="InsightsOptions.Path"/>) holding each
/// reader question with its outcome, readers' ratings, and a cache of question embeddings for grouping.
/// It never stores who asked: the channels' user and conversation ids stay out, and a rating is keyed by a
/// one-way hash of its answer's key so a changed mind replaces the earlier rating.
/// Logging never fails an answer: a log that cannot be written is reported in the log and skipped.
/// </summary>
public sealed class QuestionLog : IDisposable
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly InsightsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QuestionLog> _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _connectionString;
    private bool _created;
    private DateTimeOffset _lastPruned = DateTimeOffset.MinValue;

    public QuestionLog(IOptions<InsightsOptions> options, IOptions<IndexOptions> index, TimeProvider time, ILogger<QuestionLog> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        FilePath = _options.ResolvePath(index.Value);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = true }.ToString();
    }

    public bool Enabled => _options.Enabled;

    public string FilePath { get; }

    public void Dispose() => _writeGate.Dispose();

    /// <summary>The question as grouping compares it: lower case, accents folded, punctuation and extra blanks gone.</summary>
    public static string Normalize(string question) => string.Join(' ', LexicalAnalyzer.Tokenize(question));

    /// <summary>Logs a question and its answer's outcome (refused and why, the articles cited).</summary>
    public Task RecordAnswerAsync(string channel, string question, Answer answer)
    {
        var cited = answer.Citations.Select(c => c.ArticleId).Distinct(StringComparer.Ordinal).ToList();
        var reason = answer.Refused && answer.RefusalReason == RefusalReason.None ? RefusalReason.NothingFound : answer.RefusalReason;
        return RecordAsync(new LoggedQuestion(_time.GetUtcNow(), channel, question, answer.Refused, answer.Refused ? reason : RefusalReason.None, cited));
    }

    public async Task RecordAsync(LoggedQuestion question)
    {
        var text = (question.Question ?? "").Trim();
        if (!Enabled || text.Length == 0)
        {
            return;
        }

        if (text.Length > ArchiveAssistant.MaxQuestionChars)
        {
            text = text[..ArchiveAssistant.MaxQuestionChars];
        }

        await WriteAsync("question", command =>
        {
            command.CommandText = "INSERT INTO questions(asked_at, channel, question, normalized, refused, reason, cited) VALUES ($at, $channel, $question, $normalized, $refused, $reason, $cited)";
            command.Parameters.AddWithValue("$at", question.AskedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$channel", ChannelName(question.Channel));
            command.Parameters.AddWithValue("$question", text);
            command.Parameters.AddWithValue("$normalized", Normalize(text));
            command.Parameters.AddWithValue("$refused", question.Refused ? 1 : 0);
            command.Parameters.AddWithValue("$reason", question.Refused ? question.RefusalReason.ToString() : DBNull.Value);
            command.Parameters.AddWithValue("$cited", JsonSerializer.Serialize(question.CitedArticleIds));
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Logs a rating. <paramref name="answerKey"/> names the rated answer in its channel (conversation and message ids);
    /// only its SHA-256 is stored, so a second click on the same answer replaces the first and no id is kept.
    /// </summary>
    public async Task RecordRatingAsync(string answerKey, LoggedRating rating)
    {
        if (!Enabled)
        {
            return;
        }

        await WriteAsync("rating", command =>
        {
            command.CommandText = "INSERT INTO ratings(answer_hash, rated_at, channel, reaction, comment, question, cited) VALUES ($hash, $at, $channel, $reaction, $comment, $question, $cited) " +
                "ON CONFLICT(answer_hash) DO UPDATE SET rated_at = excluded.rated_at, reaction = excluded.reaction, comment = excluded.comment, " +
                "question = coalesce(excluded.question, ratings.question), cited = CASE WHEN excluded.cited = '[]' THEN ratings.cited ELSE excluded.cited END";
            command.Parameters.AddWithValue("$hash", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(answerKey))));
            command.Parameters.AddWithValue("$at", rating.RatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$channel", ChannelName(rating.Channel));
            command.Parameters.AddWithValue("$reaction", rating.Reaction.Trim().ToLowerInvariant());
            command.Parameters.AddWithValue("$comment", string.IsNullOrWhiteSpace(rating.Comment) ? DBNull.Value : rating.Comment.Trim());
            command.Parameters.AddWithValue("$question", string.IsNullOrWhiteSpace(rating.Question) ? DBNull.Value : rating.Question.Trim());
            command.Parameters.AddWithValue("$cited", JsonSerializer.Serialize(rating.CitedArticleIds));
        }).ConfigureAwait(false);
    }

    /// <summary>Questions asked in [<paramref name="from"/>, <paramref name="to"/>), oldest first, optionally on one channel.</summary>
    public async Task<IReadOnlyList<LoggedQuestion>> ReadQuestionsAsync(DateTimeOffset from, DateTimeOffset to, string? channel, CancellationToken cancellationToken)
    {
        var list = new List<LoggedQuestion>();
        await using var connection = await OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return list;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT asked_at, channel, question, refused, reason, cited FROM questions WHERE asked_at >= $from AND asked_at < $to AND ($channel IS NULL OR channel = $channel) ORDER BY asked_at";
        Period(command, from, to, channel);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var reason = reader.IsDBNull(4) || !Enum.TryParse<RefusalReason>(reader.GetString(4), out var parsed) ? RefusalReason.None : parsed;
            list.Add(new LoggedQuestion(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.GetInt64(3) != 0, reason, Ids(reader.GetString(5))));
        }

        return list;
    }

    /// <summary>Ratings given in [<paramref name="from"/>, <paramref name="to"/>), newest first, optionally on one channel.</summary>
    public async Task<IReadOnlyList<LoggedRating>> ReadRatingsAsync(DateTimeOffset from, DateTimeOffset to, string? channel, CancellationToken cancellationToken)
    {
        var list = new List<LoggedRating>();
        await using var connection = await OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return list;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT rated_at, channel, reaction, comment, question, cited FROM ratings WHERE rated_at >= $from AND rated_at < $to AND ($channel IS NULL OR channel = $channel) ORDER BY rated_at DESC";
        Period(command, from, to, channel);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new LoggedRating(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), Ids(reader.GetString(5))));
        }

        return list;
    }

    /// <summary>Cached embeddings of normalized questions in <paramref name="space"/> (the embedding model's name).</summary>
    public async Task<Dictionary<string, float[]>> ReadVectorsAsync(IReadOnlyCollection<string> texts, string space, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        await using var connection = await OpenForReadAsync(cancellationToken).ConfigureAwait(false);
        if (connection is null || texts.Count == 0)
        {
            return found;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT vector FROM question_vectors WHERE text = $text AND space = $space";
        var text = command.Parameters.Add("$text", SqliteType.Text);
        command.Parameters.AddWithValue("$space", space);
        foreach (var value in texts)
        {
            text.Value = value;
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] bytes)
            {
                found[value] = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            }
        }

        return found;
    }

    public Task SaveVectorsAsync(IReadOnlyDictionary<string, float[]> vectors, string space)
    {
        if (vectors.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync("question embeddings", command =>
        {
            command.CommandText = "INSERT OR REPLACE INTO question_vectors(text, space, vector) VALUES ($text, $space, $vector)";
            var text = command.Parameters.Add("$text", SqliteType.Text);
            var vector = command.Parameters.Add("$vector", SqliteType.Blob);
            command.Parameters.AddWithValue("$space", space);
            return vectors.Select(pair => (Action)(() =>
            {
                text.Value = pair.Key;
                vector.Value = MemoryMarshal.AsBytes(pair.Value.AsSpan()).ToArray();
            }));
        });
    }

    /// <summary>Deletes questions and ratings older than the retention period, and embeddings no question uses any more.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        if (!Enabled || !File.Exists(FilePath))
        {
            return 0;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PruneLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<int> PruneLockedAsync(CancellationToken cancellationToken)
    {
        var cutoff = (_time.GetUtcNow() - TimeSpan.FromDays(_options.RetentionDays)).ToUnixTimeMilliseconds();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM questions WHERE asked_at < $cutoff; DELETE FROM ratings WHERE rated_at < $cutoff; " +
            "DELETE FROM question_vectors WHERE text NOT IN (SELECT normalized FROM questions)";
        command.Parameters.AddWithValue("$cutoff", cutoff);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _lastPruned = _time.GetUtcNow();
        if (deleted > 0)
        {
            _logger.LogInformation("Question log: deleted {Rows} rows older than {RetentionDays} days", deleted, _options.RetentionDays);
        }

        return deleted;
    }

    private Task WriteAsync(string what, Action<SqliteCommand> prepare) =>
        WriteAsync(what, command =>
        {
            prepare(command);
            return [() => { }];
        });

    /// <summary>Runs one command once per step in a transaction; failures are logged, never thrown (an answer must not fail for its log).</summary>
    private async Task WriteAsync(string what, Func<SqliteCommand, IEnumerable<Action>> prepare)
    {
        // Not the request's token: a reader closing the page after the answer must not lose the log line.
        await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                foreach (var step in prepare(command))
                {
                    step();
                    await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (_time.GetUtcNow() - _lastPruned > PruneEvery)
            {
                await PruneLockedAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or ClippingsException)
        {
            _logger.LogWarning("Question log {File}: could not record a {What}: {Reason}", FilePath, what, ex.Message);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Null when the log has never been written (reading creates no file).</summary>
    private async Task<SqliteConnection?> OpenForReadAsync(CancellationToken cancellationToken) =>
        File.Exists(FilePath) ? await OpenAsync(cancellationToken).ConfigureAwait(false) : null;

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            if (!_created)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
            }

            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = _created ? "PRAGMA busy_timeout = 10000" : """
                PRAGMA busy_timeout = 10000;
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS questions (
                    id INTEGER PRIMARY KEY, asked_at INTEGER NOT NULL, channel TEXT NOT NULL, question TEXT NOT NULL,
                    normalized TEXT NOT NULL, refused INTEGER NOT NULL, reason TEXT, cited TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS questions_asked_at ON questions(asked_at);
                CREATE TABLE IF NOT EXISTS ratings (
                    answer_hash TEXT PRIMARY KEY, rated_at INTEGER NOT NULL, channel TEXT NOT NULL, reaction TEXT NOT NULL,
                    comment TEXT, question TEXT, cited TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS ratings_rated_at ON ratings(rated_at);
                CREATE TABLE IF NOT EXISTS question_vectors (text TEXT NOT NULL, space TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (text, space));
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new ClippingsException($"Cannot open the question log {FilePath}: {ex.Message}. Check Clippings:Insights:Path and that the folder is writable, or set Clippings:Insights:Enabled to false.", ex);
        }
    }

    private static void Period(SqliteCommand command, DateTimeOffset from, DateTimeOffset to, string? channel)
    {
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$channel", string.IsNullOrWhiteSpace(channel) ? DBNull.Value : ChannelName(channel));
    }

    private static string ChannelName(string? channel) =>
        string.IsNullOrWhiteSpace(channel) ? "unknown" : channel.Trim().ToLowerInvariant();

    private static IReadOnlyList<string> Ids(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    internal static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
