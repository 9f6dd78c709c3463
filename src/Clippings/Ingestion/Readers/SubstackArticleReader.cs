using System.Net;
using System.Text;
using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// A Substack export: posts.csv (post_id, post_date, is_published, type, title, subtitle, …) joined with the body
/// fragments in posts/&lt;post_id&gt;.html beside it. Title and date exist only in the CSV and no author is exported.
/// Unpublished posts, discussion threads and pages are skipped. The fragments are read here, never on their own.
/// </summary>
public sealed class SubstackArticleReader : IArchiveReader
{
    private static readonly string[] RequiredColumns = ["post_id", "post_date", "is_published", "title"];

    public string Format => "substack";

    public bool CanRead(string path, string head) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && IsSubstackHeader(head);

    /// <summary>
    /// True for posts/&lt;post_id&gt;.html when a Substack posts.csv sits in the folder above: a body fragment that
    /// the CSV reader joins, not an article of its own.
    /// </summary>
    public static bool IsExportFragment(string path)
    {
        var folder = Path.GetDirectoryName(path);
        if (!path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || folder is null || !Path.GetFileName(folder).Equals("posts", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var csv = Path.Combine(Path.GetDirectoryName(folder) ?? "", "posts.csv");
        if (!File.Exists(csv))
        {
            return false;
        }

        using var reader = new StreamReader(csv, Encoding.UTF8);
        return IsSubstackHeader(reader.ReadLine() ?? "");
    }

    private static bool IsSubstackHeader(string head)
    {
        var firstLine = head.Split('\n', 2)[0].TrimStart('\uFEFF').TrimEnd('\r');
        var columns = firstLine.Split(',').Select(c => c.Trim().Trim('"')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return RequiredColumns.All(columns.Contains);
    }

    public async Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken)
    {
        var rows = Csv(text);
        if (rows.Count == 0)
        {
            throw new ArchiveFormatException("posts.csv has no header row");
        }

        var header = rows[0].Select(c => c.Trim().TrimStart('\uFEFF')).ToList();
        int Column(string name) => header.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
        var (idColumn, dateColumn, publishedColumn, typeColumn, titleColumn) = (Column("post_id"), Column("post_date"), Column("is_published"), Column("type"), Column("title"));
        var folder = Path.Combine(Path.GetDirectoryName(path) ?? "", "posts");
        var articles = new List<Article>();
        var warnings = new List<string>();
        var skipped = new List<string>();
        var parser = new HtmlParser();
        foreach (var (row, index) in rows.Skip(1).Select((r, i) => (r, i + 2)))
        {
            string Cell(int column) => column >= 0 && column < row.Count ? row[column].Trim() : "";
            var postId = Cell(idColumn);
            if (postId.Length == 0)
            {
                continue;
            }

            var type = Cell(typeColumn).ToLowerInvariant();
            if (!Cell(publishedColumn).Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                skipped.Add($"{postId} (not published)");
                continue;
            }

            if (type is "thread" or "page")
            {
                skipped.Add($"{postId} (a {type})");
                continue;
            }

            // post_id is "<number>.<slug>", and the fragment is named after it; the id comes from there only.
            if (postId.IndexOfAny(['/', '\\']) >= 0 || postId.Contains("..", StringComparison.Ordinal))
            {
                warnings.Add($"row {index}: post_id '{postId}' is not a file name; skipped");
                continue;
            }

            var fragment = Path.Combine(folder, postId + ".html");
            if (!File.Exists(fragment))
            {
                warnings.Add($"{postId}: no body file posts/{postId}.html; skipped");
                continue;
            }

            if (new FileInfo(fragment).Length > ArchiveLoader.MaxPageChars)
            {
                warnings.Add($"{postId}: body file over the page limit; skipped");
                continue;
            }

            var html = await File.ReadAllTextAsync(fragment, cancellationToken).ConfigureAwait(false);
            HtmlText.CheckNesting(html);
            var body = parser.ParseDocument("<html><body>" + html + "</body></html>").Body!;
            // Subscribe and comment buttons, share widgets: the newsletter's furniture, not the post.
            WordPressContent.Remove(body, ".button-wrapper, .subscription-widget-wrap, .subscribe-widget, .share-dialog, .captioned-button-wrap, .footnote-anchor");
            var articleText = TextNormalizer.Join(HtmlText.Paragraphs(body));
            var title = TextNormalizer.Line(WebUtility.HtmlDecode(Cell(titleColumn)));
            if (articleText.Length == 0 || title.Length == 0)
            {
                warnings.Add($"{postId}: no {(title.Length == 0 ? "title" : "text")}; skipped");
                continue;
            }

            var (published, precision) = HtmlArticleReader.ParseDate(Cell(dateColumn));
            if (published is null)
            {
                warnings.Add($"{postId}: no publication date");
            }

            articles.Add(new Article
            {
                Id = "substack-" + HtmlArticleReader.Slug(postId),
                Title = title,
                Published = published,
                DatePrecision = precision,
                Text = articleText,
                SourcePath = fragment,
            });
        }

        if (skipped.Count > 0)
        {
            warnings.Insert(0, "skipped " + string.Join(", ", skipped));
        }

        return articles.Count == 0
            ? ArchiveReadResult.Skip($"no published Substack posts{(skipped.Count > 0 ? " (skipped " + string.Join(", ", skipped) + ")" : "")}") with { Warnings = warnings }
            : new ArchiveReadResult(articles, [], warnings);
    }

    /// <summary>RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines.</summary>
    internal static List<List<string>> Csv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                if (row.Count > 1 || row[0].Length > 0)
                {
                    rows.Add(row);
                }

                row = [];
            }
            else
            {
                field.Append(ch);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
