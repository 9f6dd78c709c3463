using System.Text.Json;
using AngleSharp.Html.Parser;
using Clippings.Archive;

namespace Clippings.Ingestion.Readers;

/// <summary>
/// JSON documents written by other publishing systems, recognised by shape: WordPress REST post objects, Ghost
/// import/export files (both envelopes) and Vox Media Chorus entries. Only public, published posts become articles.
/// </summary>
internal static class CmsJson
{
    /// <summary>What one CMS document gave; <see cref="Skipped"/> names a document that is deliberately no article (a page).</summary>
    internal sealed record Output(List<Article> Articles, List<AuthorProfile> Authors, List<string> Warnings)
    {
        public List<string> Skipped { get; } = [];
    }

    public static bool IsWordPressRest(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && Rendered(e, "title") is not null && Rendered(e, "content") is not null;

    public static bool IsGhost(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && (e.TryGetProperty("db", out var db) && db.ValueKind == JsonValueKind.Array
            || e.TryGetProperty("meta", out _) && e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("posts", out _));

    public static bool IsChorus(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("uid", out _) && e.TryGetProperty("body", out var body)
            && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("components", out var c) && c.ValueKind == JsonValueKind.Array;

    public static bool IsCms(JsonElement e) => IsWordPressRest(e) || IsGhost(e) || IsChorus(e);

    public static void Read(JsonElement e, string where, Output output, HtmlParser parser)
    {
        if (IsGhost(e))
        {
            ReadGhost(e, output, parser);
        }
        else if (IsWordPressRest(e))
        {
            ReadWordPressRest(e, where, output, parser);
        }
        else if (IsChorus(e))
        {
            ReadChorus(e, output, parser);
        }
    }

    private static void ReadWordPressRest(JsonElement e, string where, Output output, HtmlParser parser)
    {
        var title = WordPressContent.InlineText(Rendered(e, "title"), parser);
        var type = Str(e, "type") ?? "post";
        var status = Str(e, "status") ?? "publish";
        if (type != "post" || status != "publish")
        {
            output.Skipped.Add(type != "post" ? $"a WordPress {type} ('{title}'), not a post" : $"a {status} WordPress post ('{title}'), not published");
            return;
        }

        if (e.TryGetProperty("content", out var content) && content.TryGetProperty("protected", out var isProtected) && isProtected.ValueKind == JsonValueKind.True)
        {
            output.Skipped.Add($"a password-protected WordPress post ('{title}')");
            return;
        }

        var text = TextNormalizer.Join(WordPressContent.Paragraphs(Rendered(e, "content")!, parser));
        if (text.Length == 0 || title.Length == 0)
        {
            output.Warnings.Add($"{where}: WordPress post '{title}' has no {(text.Length == 0 ? "text" : "title")}; skipped");
            return;
        }

        // Co-Authors Plus puts the real byline in the "author" taxonomy; _embedded.author is only the post's owner.
        var terms = Embedded(e, "wp:term").SelectMany(group => group.ValueKind == JsonValueKind.Array ? group.EnumerateArray() : Enumerable.Empty<JsonElement>()).ToList();
        var bylines = terms.Where(t => Str(t, "taxonomy") == "author").ToList();
        var people = bylines.Count > 0 ? bylines : Embedded(e, "author").ToList();
        var authors = new List<string>();
        foreach (var person in people)
        {
            var name = WordPressContent.InlineText(Str(person, "name"), parser);
            if (name.Length > 0 && !authors.Contains(name))
            {
                authors.Add(name);
                if (Str(person, "description") is { Length: > 0 } bio)
                {
                    output.Authors.Add(new AuthorProfile(name, WordPressContent.InlineText(bio, parser)));
                }
            }
        }

        var (published, precision) = HtmlArticleReader.ParseDate(Str(e, "date") ?? Str(e, "date_gmt"));
        if (published is null)
        {
            output.Warnings.Add($"{where}: WordPress post '{title}' has no date");
        }

        output.Articles.Add(new Article
        {
            Id = Str(e, "slug") is { Length: > 0 } slug ? slug : $"wp-post-{Str(e, "id")}",
            Title = title,
            Authors = authors,
            Section = terms.Where(t => Str(t, "taxonomy") == "category").Select(t => WordPressContent.InlineText(Str(t, "name"), parser))
                .FirstOrDefault(c => c.Length > 0 && !c.Equals("Uncategorized", StringComparison.OrdinalIgnoreCase)),
            Published = published,
            DatePrecision = precision,
            Url = Str(e, "link"),
            Text = text,
        });
    }

    private static void ReadGhost(JsonElement root, Output output, HtmlParser parser)
    {
        var datas = root.TryGetProperty("db", out var db) && db.ValueKind == JsonValueKind.Array
            ? db.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.Object && d.TryGetProperty("data", out _)).Select(d => d.GetProperty("data")).ToList()
            : [root.GetProperty("data")];
        foreach (var data in datas.Where(d => d.ValueKind == JsonValueKind.Object))
        {
            var users = Array(data, "users").Where(u => Str(u, "id") is not null).GroupBy(u => Str(u, "id")!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var tags = Array(data, "tags").Where(t => Str(t, "id") is not null).GroupBy(t => Str(t, "id")!).ToDictionary(g => g.Key, g => Str(g.First(), "name") ?? "", StringComparer.Ordinal);
            var postAuthors = Join(Array(data, "posts_authors"), "author_id");
            var postTags = Join(Array(data, "posts_tags"), "tag_id");
            foreach (var post in Array(data, "posts"))
            {
                var title = TextNormalizer.Line(Str(post, "title"));
                var isPage = Str(post, "type") is { } type ? type != "post" : post.TryGetProperty("page", out var page) && (page.ValueKind == JsonValueKind.True || page.ValueKind == JsonValueKind.Number && page.GetInt32() == 1);
                if (Str(post, "status") != "published" || isPage)
                {
                    output.Skipped.Add($"Ghost {(isPage ? "page" : Str(post, "status") + " post")} '{title}'");
                    continue;
                }

                var id = Str(post, "id") ?? "";
                var text = GhostText(post, parser);
                if (text.Length == 0 || title.Length == 0)
                {
                    output.Warnings.Add($"Ghost post '{title}' has no {(text.Length == 0 ? "text" : "title")}; skipped");
                    continue;
                }

                var authorIds = postAuthors.GetValueOrDefault(id) ?? (Str(post, "author_id") is { } single ? [single] : []);
                var authors = new List<string>();
                foreach (var user in authorIds.Select(a => users.GetValueOrDefault(a)).Where(u => u.ValueKind == JsonValueKind.Object))
                {
                    var name = TextNormalizer.Line(Str(user, "name"));
                    if (name.Length > 0 && !authors.Contains(name))
                    {
                        authors.Add(name);
                        if (Str(user, "bio") is { Length: > 0 } bio)
                        {
                            output.Authors.Add(new AuthorProfile(name, TextNormalizer.Line(bio)));
                        }
                    }
                }

                var (published, precision) = HtmlArticleReader.ParseDate(Str(post, "published_at"));
                if (published is null)
                {
                    output.Warnings.Add($"Ghost post '{title}' has no date");
                }

                output.Articles.Add(new Article
                {
                    Id = Str(post, "slug") is { Length: > 0 } slug ? slug : $"ghost-{id}",
                    Title = title,
                    Authors = authors,
                    // Ghost has no categories: its primary (first) public tag is the section. Internal tags start with '#'.
                    Section = (postTags.GetValueOrDefault(id) ?? []).Select(t => TextNormalizer.Line(tags.GetValueOrDefault(t))).FirstOrDefault(t => t.Length > 0 && !t.StartsWith('#')),
                    Published = published,
                    DatePrecision = precision,
                    Url = Str(post, "canonical_url") is { Length: > 0 } canonical ? canonical : null,
                    Text = text,
                });
            }
        }
    }

    /// <summary>The body: html, else the Lexical document's text nodes, else plaintext.</summary>
    private static string GhostText(JsonElement post, HtmlParser parser)
    {
        if (Str(post, "html") is { Length: > 0 } html)
        {
            return TextNormalizer.Join(WordPressContent.Paragraphs(html, parser));
        }

        if (Str(post, "lexical") is { Length: > 0 } lexical)
        {
            try
            {
                using var document = JsonDocument.Parse(lexical, new JsonDocumentOptions { MaxDepth = 64 });
                var paragraphs = new List<string>();
                if (document.RootElement.TryGetProperty("root", out var root))
                {
                    LexicalBlocks(root, paragraphs, parser, 0);
                }

                return TextNormalizer.Join(paragraphs);
            }
            catch (JsonException)
            {
                // A broken Lexical string: fall back to plaintext below.
            }
        }

        return Str(post, "plaintext") is { Length: > 0 } plain ? TextNormalizer.Join(plain.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n")) : "";
    }

    /// <summary>Each block node (paragraph, heading, quote, list item) is a paragraph; cards give their caption or HTML.</summary>
    private static void LexicalBlocks(JsonElement node, List<string> paragraphs, HtmlParser parser, int depth)
    {
        if (depth > 32 || !node.TryGetProperty("children", out var children) || children.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var child in children.EnumerateArray())
        {
            var type = Str(child, "type");
            if (type is "list" or "root")
            {
                LexicalBlocks(child, paragraphs, parser, depth + 1);
            }
            else if (child.TryGetProperty("children", out _))
            {
                var builder = new System.Text.StringBuilder();
                LexicalInline(child, builder, depth + 1);
                paragraphs.Add(builder.ToString());
            }
            else if (Str(child, "html") is { Length: > 0 } html)
            {
                paragraphs.AddRange(WordPressContent.Paragraphs(html, parser));
            }
            else if (Str(child, "caption") is { Length: > 0 } caption)
            {
                paragraphs.Add(WordPressContent.InlineText(caption, parser));
            }
        }
    }

    private static void LexicalInline(JsonElement node, System.Text.StringBuilder builder, int depth)
    {
        if (depth > 32 || !node.TryGetProperty("children", out var children) || children.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var child in children.EnumerateArray())
        {
            if (Str(child, "type") == "linebreak")
            {
                builder.Append('\n');
            }
            else if (Str(child, "text") is { } text)
            {
                builder.Append(text);
            }
            else
            {
                LexicalInline(child, builder, depth + 1);
            }
        }
    }

    private static void ReadChorus(JsonElement e, Output output, HtmlParser parser)
    {
        var title = WordPressContent.InlineText(Str(e, "title"), parser);
        var paragraphs = new List<string>();
        foreach (var component in e.GetProperty("body").GetProperty("components").EnumerateArray())
        {
            switch (Str(component, "__typename"))
            {
                case "EntryBodyParagraph" or "EntryBodyHeading":
                    paragraphs.AddRange(HtmlField(component, "contents", parser));
                    break;
                case "EntryBodyList":
                    paragraphs.AddRange(Array(component, "items").SelectMany(i => HtmlField(i, "line", parser)));
                    break;
                case "EntryBodyBlockquote":
                    paragraphs.AddRange(Array(component, "paragraphs").SelectMany(p => HtmlField(p, "contents", parser)));
                    break;
                case "EntryBodyHTML":
                    paragraphs.AddRange(Str(component, "rawHtml") is { } raw ? WordPressContent.Paragraphs(raw, parser) : []);
                    break;
                case "EntryBodyTable" when component.TryGetProperty("table", out var table):
                    paragraphs.AddRange(Array(table, "rows").Select(r => string.Join(" | ", r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(c => c.ToString()) : [])));
                    break;
                default:
                    // Pull quotes repeat the body; embeds, polls, related links and rules are not the article's prose.
                    break;
            }
        }

        var text = TextNormalizer.Join(paragraphs);
        if (text.Length == 0 || title.Length == 0)
        {
            output.Warnings.Add($"Chorus entry '{title}' has no {(text.Length == 0 ? "text" : "title")}; skipped");
            return;
        }

        // The byline is the author profile's name; the account's name and the contributors follow.
        var authors = new[] { Nested(e, "authorProfile", "name"), Nested(e, "author", "fullOrUserName") }
            .Concat(Array(e, "contributors").Select(c => Str(c, "fullOrUserName") ?? Str(c, "name")))
            .Select(a => TextNormalizer.Line(a)).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var (published, precision) = HtmlArticleReader.ParseDate(Str(e, "publishDate") ?? Str(e, "createdAt"));
        if (published is null)
        {
            output.Warnings.Add($"Chorus entry '{title}' has no date");
        }

        output.Articles.Add(new Article
        {
            Id = HtmlArticleReader.Slug(Str(e, "uid")!),
            Title = title,
            Authors = authors,
            Section = Array(e, "communityGroups").Select(g => TextNormalizer.Line(Str(g, "name"))).FirstOrDefault(g => g.Length > 0),
            Published = published,
            DatePrecision = precision,
            Url = Str(e, "url"),
            Text = text,
        });
    }

    private static IEnumerable<string> HtmlField(JsonElement e, string name, HtmlParser parser) =>
        Nested(e, name, "html") is { Length: > 0 } html ? [WordPressContent.InlineText(html, parser)] : [];

    private static Dictionary<string, List<string>> Join(IEnumerable<JsonElement> rows, string target) =>
        rows.Where(r => Str(r, "post_id") is not null && Str(r, target) is not null)
            .OrderBy(r => r.TryGetProperty("sort_order", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0)
            .GroupBy(r => Str(r, "post_id")!)
            .ToDictionary(g => g.Key, g => g.Select(r => Str(r, target)!).ToList(), StringComparer.Ordinal);

    private static string? Rendered(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? Str(value, "rendered") : null;

    private static IEnumerable<JsonElement> Embedded(JsonElement e, string name) =>
        e.TryGetProperty("_embedded", out var embedded) && embedded.ValueKind == JsonValueKind.Object ? Array(embedded, name) : [];

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    private static string? Nested(JsonElement e, string outer, string inner) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(outer, out var value) && value.ValueKind == JsonValueKind.Object ? Str(value, inner) : null;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
