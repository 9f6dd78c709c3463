using System.Globalization;
using System.Text.Json;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// JSON or JSON Lines articles in the archive schema (id, title, authors, publication, published, date_precision,
/// section, url, body), and author records (name, bio) as in authors.jsonl. A bad line is reported with its
/// number and the rest of the file still reads.
/// </summary>
public sealed class JsonArticleReader : IArchiveReader
{
    public string Format => "json";

    public bool CanRead(string path, string head)
    {
        var trimmed = head.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return trimmed.StartsWith('{') || (trimmed.StartsWith('[') && (trimmed.Length < 2 || trimmed.TrimStart('[', ' ', '\r', '\n', '\t').StartsWith('{')));
    }

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Read(path, text));

    private static ArchiveReadResult Read(string path, string text)
    {
        var articles = new List<Article>();
        var authors = new List<AuthorProfile>();
        var warnings = new List<string>();
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');

        if (trimmed.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed, new JsonDocumentOptions { MaxDepth = 64 });
                var index = 0;
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    index++;
                    Add(element, $"item {index}", articles, authors, warnings);
                }
            }
            catch (JsonException ex)
            {
                throw new ArchiveFormatException($"not valid JSON ({ex.Message})", ex);
            }
        }
        else
        {
            var lineNumber = 0;
            var bad = 0;
            using var reader = new StringReader(trimmed);
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 64 });
                    Add(document.RootElement, $"line {lineNumber}", articles, authors, warnings);
                }
                catch (JsonException ex)
                {
                    bad++;
                    warnings.Add($"line {lineNumber}: not valid JSON ({ex.Message})");
                }
            }

            if (bad > 0 && articles.Count == 0 && authors.Count == 0)
            {
                throw new ArchiveFormatException($"no valid JSON records ({bad} bad lines; first: {warnings[0]})");
            }
        }

        foreach (var article in articles.Where(a => a.Published is null))
        {
            warnings.Add($"{article.Id}: no publication date");
        }

        return new ArchiveReadResult(articles.Select(a => a with { SourcePath = path }).ToList(), authors, warnings);
    }

    private static void Add(JsonElement element, string where, List<Article> articles, List<AuthorProfile> authors, List<string> warnings)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            warnings.Add($"{where}: not an object");
            return;
        }

        var body = String(element, "body") ?? String(element, "text") ?? String(element, "content");
        if (body is null)
        {
            // An author record (authors.jsonl): name + bio.
            var name = String(element, "name");
            if (name is not null && String(element, "bio") is { } bio)
            {
                authors.Add(new AuthorProfile(TextNormalizer.Line(name), TextNormalizer.Line(bio)));
            }
            else
            {
                warnings.Add($"{where}: neither an article (body) nor an author (name, bio)");
            }

            return;
        }

        var title = String(element, "title");
        if (string.IsNullOrWhiteSpace(title))
        {
            warnings.Add($"{where}: article without a title skipped");
            return;
        }

        var id = String(element, "id") ?? String(element, "slug") ?? HtmlArticleReader.Slug(title);
        var precision = String(element, "date_precision") switch
        {
            "month" => DatePrecision.Month,
            "year" => DatePrecision.Year,
            _ => DatePrecision.Day,
        };
        var (published, parsedPrecision) = HtmlArticleReader.ParseDate(String(element, "published") ?? String(element, "date"));
        if (String(element, "date_precision") is null)
        {
            precision = parsedPrecision;
        }

        articles.Add(new Article
        {
            Id = id,
            Title = TextNormalizer.Line(title),
            Authors = Authors(element),
            Publication = String(element, "publication") is { } p ? TextNormalizer.Line(p) : null,
            Section = String(element, "section") is { } s ? TextNormalizer.Line(s) : null,
            Published = published,
            DatePrecision = precision,
            Url = String(element, "url"),
            Text = TextNormalizer.Join(body.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n")),
        });
    }

    private static List<string> Authors(JsonElement element)
    {
        if (element.TryGetProperty("authors", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            return list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => TextNormalizer.Line(a.GetString())).Where(a => a.Length > 0).ToList();
        }

        return String(element, "author") is { } single ? [TextNormalizer.Line(single)] : [];
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    internal static string FormatInvariant(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
