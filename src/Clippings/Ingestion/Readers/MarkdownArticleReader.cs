using Clippings.Archive;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using YamlDotNet.Serialization;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// Markdown with YAML front matter (title, author or authors, date, tags, section, publication, slug, canonical_url).
/// The "# Title" heading is not body text; block quotes keep their line breaks (verse).
/// </summary>
public sealed class MarkdownArticleReader : IArchiveReader
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    public string Format => "markdown";

    public bool CanRead(string path, string head) =>
        head.TrimStart('\uFEFF').StartsWith("---", StringComparison.Ordinal)
        || path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".markdown", StringComparison.OrdinalIgnoreCase);

    public Task<ArchiveReadResult> ReadAsync(string path, string text, CancellationToken cancellationToken) =>
        Task.FromResult(Read(path, text));

    private static ArchiveReadResult Read(string path, string text)
    {
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal);
        var warnings = new List<string>();
        var front = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        var body = text;
        if (text.StartsWith("---\n", StringComparison.Ordinal))
        {
            var end = text.IndexOf("\n---", 4, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new ArchiveFormatException("the front matter is not closed by a '---' line");
            }

            try
            {
                var yaml = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(text[4..end]) ?? [];
                foreach (var (key, value) in yaml)
                {
                    front[key] = value;
                }
            }
            catch (YamlDotNet.Core.YamlException ex)
            {
                throw new ArchiveFormatException($"the front matter is not valid YAML ({ex.Message})", ex);
            }

            var afterFence = text.IndexOf('\n', end + 1);
            body = afterFence < 0 ? "" : text[(afterFence + 1)..];
        }

        var document = Markdown.Parse(body, Pipeline);
        var paragraphs = new List<string>();
        string? heading = null;
        foreach (var block in document)
        {
            switch (block)
            {
                case HeadingBlock { Level: 1 } h when heading is null && paragraphs.Count == 0:
                    heading = InlineText(h.Inline, verse: false);
                    break;
                case HeadingBlock h:
                    paragraphs.Add(InlineText(h.Inline, verse: false));
                    break;
                case ParagraphBlock p:
                    paragraphs.Add(InlineText(p.Inline, verse: false));
                    break;
                case QuoteBlock quote:
                    paragraphs.Add(string.Join('\n', quote.OfType<ParagraphBlock>().Select(p => InlineText(p.Inline, verse: true))));
                    break;
                case ListBlock list:
                    // Numbered notes ("1. This was the case…") keep their numbers; they are part of the text.
                    foreach (var item in list.OfType<ListItemBlock>())
                    {
                        var prefix = list.IsOrdered ? $"{item.Order}{list.OrderedDelimiter} " : "";
                        paragraphs.AddRange(item.OfType<ParagraphBlock>().Select((p, i) => (i == 0 ? prefix : "") + InlineText(p.Inline, verse: false)));
                    }

                    break;
                case CodeBlock code:
                    paragraphs.Add(string.Join('\n', code.Lines.Lines.Take(code.Lines.Count).Select(l => l.ToString())));
                    break;
            }
        }

        var title = TextNormalizer.Line(Scalar(front, "title") ?? heading ?? Path.GetFileNameWithoutExtension(path));
        var authors = List(front, "authors");
        if (authors.Count == 0)
        {
            authors = List(front, "author");
        }

        var (published, precision) = HtmlArticleReader.ParseDate(Scalar(front, "date") ?? Scalar(front, "published"));
        if (published is null)
        {
            warnings.Add("no publication date");
        }

        if (Scalar(front, "date_precision") is { } declared)
        {
            precision = declared switch { "month" => DatePrecision.Month, "year" => DatePrecision.Year, _ => DatePrecision.Day };
        }

        var tags = List(front, "tags");
        var textBody = TextNormalizer.Join(paragraphs);
        if (textBody.Length == 0)
        {
            throw new ArchiveFormatException("the article body is empty");
        }

        var article = new Article
        {
            Id = Scalar(front, "id") ?? Scalar(front, "slug") ?? Path.GetFileNameWithoutExtension(path),
            Title = title,
            Authors = authors,
            // Tags carry the section first and the publication second when no explicit keys are given.
            Section = TextNormalizer.Line(Scalar(front, "section") ?? tags.FirstOrDefault()) is { Length: > 0 } section ? section : null,
            Publication = TextNormalizer.Line(Scalar(front, "publication") ?? (tags.Count > 1 ? tags[1] : null)) is { Length: > 0 } publication ? publication : null,
            Published = published,
            DatePrecision = precision,
            Url = Scalar(front, "canonical_url") ?? Scalar(front, "url"),
            Text = textBody,
            SourcePath = path,
        };

        List<AuthorProfile> bios = Scalar(front, "author_bio") is { } bio && authors.Count > 0 ? [new AuthorProfile(authors[0], TextNormalizer.Line(bio))] : [];
        return new ArchiveReadResult([article], bios, warnings);
    }

    private static string InlineText(ContainerInline? container, bool verse)
    {
        var builder = new System.Text.StringBuilder();
        Append(container, builder, verse);
        return builder.ToString();
    }

    private static void Append(ContainerInline? container, System.Text.StringBuilder builder, bool verse)
    {
        if (container is null)
        {
            return;
        }

        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    builder.Append(literal.Content.ToString());
                    break;
                case LineBreakInline lineBreak:
                    builder.Append(verse || lineBreak.IsHard ? '\n' : ' ');
                    break;
                case CodeInline code:
                    builder.Append(code.Content);
                    break;
                case HtmlEntityInline entity:
                    builder.Append(entity.Transcoded.ToString());
                    break;
                case HtmlInline:
                    break;
                case ContainerInline nested:
                    Append(nested, builder, verse);
                    break;
            }
        }
    }

    private static string? Scalar(Dictionary<string, object?> front, string key) =>
        front.TryGetValue(key, out var value) && value is not null and not IList<object> and not IDictionary<object, object> ? value.ToString() : null;

    private static List<string> List(Dictionary<string, object?> front, string key) =>
        front.TryGetValue(key, out var value) ? value switch
        {
            IList<object> list => list.Select(v => TextNormalizer.Line(v?.ToString())).Where(v => v.Length > 0).ToList(),
            string s when s.Length > 0 => [TextNormalizer.Line(s)],
            _ => [],
        } : [];
}
