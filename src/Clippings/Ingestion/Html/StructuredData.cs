using System.Text.Json;

namespace Clippings.Ingestion.Html;

/// <summary>A person or organisation named by structured data: a name, and the profile URL when one is given.</summary>
internal sealed record NamedEntity(string? Name, string? Url);

/// <summary>What a page's JSON-LD says about its article (the Article-family node, with @id references resolved).</summary>
internal sealed record JsonLdArticle(
    string? Headline,
    IReadOnlyList<NamedEntity> Authors,
    string? DatePublished,
    string? Section,
    string? Url,
    string? Publisher,
    string? SiteName,
    bool IsArticle);

/// <summary>
/// Reads schema.org JSON-LD the way real pages publish it: one object, an array, or a <c>@graph</c>, across several
/// script blocks, with authors as strings, Person objects, arrays or <c>@id</c> references, and the article node chosen
/// by its <c>@type</c> (Article, NewsArticle, BlogPosting, OpinionNewsArticle, …) rather than by position.
/// </summary>
internal static class StructuredData
{
    /// <summary>The article node's metadata; <paramref name="pageTitle"/> decides between a differing headline and name.</summary>
    public static JsonLdArticle? ReadJsonLd(IEnumerable<string> scripts, string? pageTitle)
    {
        var nodes = new List<JsonElement>();
        var documents = new List<JsonDocument>();
        try
        {
            foreach (var script in scripts)
            {
                try
                {
                    var document = JsonDocument.Parse(Unwrap(script), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
                    documents.Add(document);
                    Collect(document.RootElement, nodes, 0);
                }
                catch (JsonException)
                {
                    // Broken JSON-LD is common on real sites; the other blocks and the meta tags still carry the metadata.
                }
            }

            var byId = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var node in nodes)
            {
                if (Str(node, "@id") is { } id && !byId.ContainsKey(id))
                {
                    byId[id] = node;
                }
            }

            var article = nodes.Where(n => Types(n).Any(IsArticleType)).OrderByDescending(n => Str(n, "headline") is not null).FirstOrDefault();
            var isArticle = article.ValueKind == JsonValueKind.Object;
            if (!isArticle)
            {
                // A WebPage whose mainEntity is the article, or a WebPage alone: weaker, but it names the headline and date.
                article = nodes.FirstOrDefault(n => Types(n).Any(t => t.EndsWith("WebPage", StringComparison.Ordinal) || t == "Report"));
                if (article.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
            }

            var website = nodes.FirstOrDefault(n => Types(n).Contains("WebSite"));
            return new JsonLdArticle(
                // A WebPage's name is as often the site's as the piece's: only an article node's name counts.
                isArticle ? Headline(Str(article, "headline"), Str(article, "name"), pageTitle) : Str(article, "headline"),
                People(article, "author", byId).Concat(People(article, "creator", byId)).Where(p => p.Name is not null || p.Url is not null).ToList(),
                Str(article, "datePublished") ?? Str(article, "dateCreated") ?? Str(article, "uploadDate"),
                FirstString(article, "articleSection"),
                Str(article, "url") ?? IdOf(article, "mainEntityOfPage"),
                People(article, "publisher", byId).FirstOrDefault()?.Name ?? People(article, "isPartOf", byId).FirstOrDefault()?.Name,
                website.ValueKind == JsonValueKind.Object ? Str(website, "name") : null,
                isArticle);
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>Script bodies wrapped for old XHTML parsers ("//&lt;![CDATA[ … //]]&gt;") are plain JSON inside.</summary>
    private static string Unwrap(string script)
    {
        var text = script.Trim();
        if (text.StartsWith("//", StringComparison.Ordinal))
        {
            text = text[2..].TrimStart();
        }

        if (text.StartsWith("<![CDATA[", StringComparison.Ordinal))
        {
            text = text["<![CDATA[".Length..];
            var end = text.LastIndexOf("]]>", StringComparison.Ordinal);
            text = end >= 0 ? text[..end] : text;
            text = text.TrimEnd();
            if (text.EndsWith("//", StringComparison.Ordinal))
            {
                text = text[..^2];
            }
        }

        return text;
    }

    private static readonly HashSet<string> ArticleTypes = new(StringComparer.Ordinal)
    {
        "Article", "NewsArticle", "BlogPosting", "OpinionNewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "BackgroundNewsArticle",
        "ReviewNewsArticle", "AskPublicNewsArticle", "SatiricalArticle", "ScholarlyArticle", "TechArticle", "SocialMediaPosting",
        "LiveBlogPosting", "DiscussionForumPosting", "Review", "CriticReview", "Report", "MedicalScholarlyArticle", "AdvertiserContentArticle",
    };

    private static bool IsArticleType(string type) => ArticleTypes.Contains(type);

    private static void Collect(JsonElement element, List<JsonElement> nodes, int depth)
    {
        if (depth > 6)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, nodes, depth + 1);
                }

                break;
            case JsonValueKind.Object:
                if (element.TryGetProperty("@graph", out var graph))
                {
                    Collect(graph, nodes, depth + 1);
                }

                if (element.TryGetProperty("@type", out _))
                {
                    nodes.Add(element);
                }

                if (element.TryGetProperty("mainEntity", out var main) && main.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    Collect(main, nodes, depth + 1);
                }

                break;
        }
    }

    private static IEnumerable<string> Types(JsonElement node)
    {
        if (!node.TryGetProperty("@type", out var type))
        {
            yield break;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            yield return StripVocabulary(type.GetString()!);
        }
        else if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String))
            {
                yield return StripVocabulary(t.GetString()!);
            }
        }
    }

    // "http://schema.org/NewsArticle" and "schema:NewsArticle" both occur.
    private static string StripVocabulary(string type) => type[(Math.Max(type.LastIndexOf('/'), type.LastIndexOf(':')) + 1)..];

    private static List<NamedEntity> People(JsonElement node, string property, Dictionary<string, JsonElement> byId)
    {
        var people = new List<NamedEntity>();
        if (!node.TryGetProperty(property, out var value))
        {
            return people;
        }

        foreach (var entry in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value])
        {
            switch (entry.ValueKind)
            {
                case JsonValueKind.String:
                    people.Add(new NamedEntity(entry.GetString(), null));
                    break;
                case JsonValueKind.Object:
                    var resolved = entry;
                    if (Str(entry, "name") is null && Str(entry, "@id") is { } id && byId.TryGetValue(id, out var target))
                    {
                        resolved = target;
                    }

                    var name = Str(resolved, "name") ?? JoinNames(Str(resolved, "givenName"), Str(resolved, "familyName"));
                    people.Add(new NamedEntity(name, Str(resolved, "url") ?? FirstString(resolved, "sameAs")));
                    break;
            }
        }

        return people;
    }

    /// <summary>Both given and different: the one sharing more words with the page's &lt;title&gt; (a headline of "Wikimedia list article" is a type label).</summary>
    private static string? Headline(string? headline, string? name, string? pageTitle)
    {
        if (headline is null || name is null || headline == name || pageTitle is null)
        {
            return headline ?? name;
        }

        var title = Clippings.Evaluation.ExtractionScore.Tokens(pageTitle).ToHashSet(StringComparer.Ordinal);
        double Share(string text)
        {
            var tokens = Clippings.Evaluation.ExtractionScore.Tokens(text);
            return tokens.Count == 0 ? 0 : tokens.Count(title.Contains) / (double)tokens.Count;
        }

        return Share(name) > Share(headline) ? name : headline;
    }

    private static string? JoinNames(string? given, string? family) =>
        given is null && family is null ? null : $"{given} {family}".Trim();

    private static string? IdOf(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind == JsonValueKind.Object ? Str(value, "@id") ?? Str(value, "url") : null
            : null;

    private static string? FirstString(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString()
            : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()).FirstOrDefault()
            : null
            : null;

    private static string? Str(JsonElement node, string property) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : null;
}
