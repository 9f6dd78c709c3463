using System.Globalization;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// JSON or JSON Lines articles in the archive schema (id, title, authors, publication, published, date_precision,
/// section, url, body), and author records (name, bio) as in authors.jsonl. A bad line is reported with its
/// number and the rest of the file still reads. A pretty-printed file holding one JSON document is read whole, and
/// CMS exports are recognised by shape (WordPress REST posts, Ghost exports, Chorus entries: see <see cref="CmsJson"/>).
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
        var cms = new CmsJson.Output(articles, authors, warnings);
        var parser = new HtmlParser();
        void Dispatch(JsonElement element, string where)
        {
            if (CmsJson.IsCms(element))
            {
                CmsJson.Read(element, where, cms, parser);
            }
            else
            {
                Add(element, where, articles, authors, warnings);
            }
        }

        if (trimmed.StartsWith('{') && !FirstLineIsObject(trimmed) && TryParseWhole(trimmed) is { } single)
        {
            // One pretty-printed document (a REST post, a Ghost export, a Chorus entry), not JSON Lines.
            using (single)
            {
                Dispatch(single.RootElement, "document");
            }
        }
        else if (trimmed.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed, new JsonDocumentOptions { MaxDepth = 64 });
                var index = 0;
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    index++;
                    Dispatch(element, $"item {index}");
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
                    Dispatch(document.RootElement, $"line {lineNumber}");
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

        if (articles.Count == 0 && cms.Skipped.Count > 0)
        {
            return ArchiveReadResult.Skip(string.Join("; ", cms.Skipped), authors) with { Warnings = warnings };
        }

        if (cms.Skipped.Count > 0)
        {
            warnings.Insert(0, "skipped " + string.Join("; ", cms.Skipped));
        }

        // Two items with one id (a Chorus uid exported twice, a record repeated) are one article: the last one is kept,
        // as the ingestor always did for repeated ids.
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<Article>(articles.Count);
        foreach (var article in articles)
        {
            if (byId.TryGetValue(article.Id, out var at))
            {
                unique[at] = article with { SourcePath = path };
                warnings.Add($"{article.Id} appears twice; the last one is kept");
            }
            else
            {
                byId[article.Id] = unique.Count;
                unique.Add(article with { SourcePath = path });
            }
        }

        return new ArchiveReadResult(unique, authors, warnings);
    }

    /// <summary>True when the first non-empty line is a complete JSON value (JSON Lines), false for a pretty-printed document.</summary>
    private static bool FirstLineIsObject(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var first = end < 0 ? text : text[..end];
        try
        {
            using var _ = JsonDocument.Parse(first, new JsonDocumentOptions { MaxDepth = 64 });
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonDocument? TryParseWhole(string text)
    {
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = false });
        }
        catch (JsonException)
        {
            // Not one document either: read it as JSON Lines, which reports each bad line.
            return null;
        }
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
