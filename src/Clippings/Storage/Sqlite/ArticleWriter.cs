using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Clippings.Text;
using Microsoft.Data.Sqlite;

namespace Clippings.Storage.Sqlite;

/// <summary>
/// The prepared INSERT commands for articles, their authors, passages and FTS terms inside one transaction,
/// reused for every article of a batch (preparing them once per article cost more than the inserts).
/// </summary>
internal sealed class ArticleWriter : IAsyncDisposable
{
    private readonly SqliteCommand _article;
    private readonly SqliteCommand _author;
    private readonly SqliteCommand _passage;
    private readonly SqliteCommand _terms;

    public ArticleWriter(SqliteConnection connection, SqliteTransaction transaction)
    {
        _article = Command(connection, transaction, """
            INSERT INTO articles(id, title, authors, publication, section, published, date_precision, url, text, content_hash, source_path)
            VALUES ($id, $title, $authors, $publication, $section, $published, $precision, $url, $text, $hash, $source)
            """, "$id", "$title", "$authors", "$publication", "$section", "$published", "$precision", "$url", "$text", "$hash", "$source");
        _author = Command(connection, transaction, "INSERT OR IGNORE INTO article_authors(article_id, name, name_key) VALUES ($id, $name, $key)", "$id", "$name", "$key");
        _passage = Command(connection, transaction, """
            INSERT INTO passages(article_id, ordinal, start, "end", text, vector) VALUES ($id, $ordinal, $start, $end, $text, $vector) RETURNING id
            """, "$id", "$ordinal", "$start", "$end", "$text", "$vector");
        _terms = Command(connection, transaction, "INSERT INTO passage_terms(rowid, terms) VALUES ($rowid, $terms)", "$rowid", "$terms");
    }

    public async Task WriteAsync(IndexedArticle indexed, CancellationToken cancellationToken)
    {
        var stored = indexed.Article;
        Set(_article, stored.Id, stored.Title, JsonSerializer.Serialize(stored.Authors), stored.Publication, stored.Section,
            stored.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), stored.DatePrecision.ToString(), stored.Url, stored.Text,
            stored.ContentHash, stored.SourcePath);
        await _article.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        foreach (var author in stored.Authors)
        {
            Set(_author, stored.Id, author, SqliteArchiveIndex.NameKey(author));
            await _author.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var passage in indexed.Passages)
        {
            Set(_passage, stored.Id, passage.Ordinal, passage.Start, passage.End, passage.Text, MemoryMarshal.AsBytes(passage.Vector.Span).ToArray());
            var id = (long)(await _passage.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            Set(_terms, id, string.Join(' ', LexicalAnalyzer.Analyze(passage.Text)));
            await _terms.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _article, _author, _passage, _terms })
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static void Set(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
