using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Clippings.Archive;

namespace Clippings.Server.Website;

/// <summary>
/// The demo page at <c>/</c>: one article as the publication would show it, with Web Chat beside it scoped to that article.
/// Every piece of archive text is HTML-encoded: an archived article is text, never markup (a &lt;script&gt; in it stays visible text).
/// </summary>
public static class DemoPage
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render(string publication, Article? article, IReadOnlyList<ArticleSummary> more, string embedScriptUrl)
    {
        var html = new StringBuilder(16 * 1024);
        var title = article is null ? publication : $"{article.Title} · {publication}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n")
            .Append("<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n")
            .Append("<link rel=\"stylesheet\" href=\"/assets/site.css\">\n")
            .Append("</head>\n<body>\n");

        html.Append("<header class=\"masthead\"><div class=\"masthead-inner\">")
            .Append("<a class=\"nameplate\" href=\"/\">").Append(E(publication)).Append("</a>")
            .Append("<p class=\"tagline\">Archive edition · ask the archive about any piece</p>");
        var sections = more.Select(a => a.Section).Concat([article?.Section]).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        if (sections.Count > 0)
        {
            html.Append("<nav class=\"sections\" aria-label=\"Sections\">");
            foreach (var section in sections)
            {
                html.Append("<span>").Append(E(section)).Append("</span>");
            }

            html.Append("</nav>");
        }

        html.Append("</div></header>\n<div class=\"page\">\n<main class=\"article-column\">\n");
        if (article is null)
        {
            html.Append("<article class=\"article\"><h1>The archive is empty</h1><p>Ingest an archive (<code>clippings ingest PATH</code>) and reload this page.</p></article>\n");
        }
        else
        {
            html.Append("<article class=\"article\" data-article-id=\"").Append(E(article.Id)).Append("\">\n");
            if (article.Section is not null)
            {
                html.Append("<p class=\"kicker\">").Append(E(article.Section)).Append("</p>\n");
            }

            html.Append("<h1 class=\"headline\">").Append(E(article.Title)).Append("</h1>\n<p class=\"byline\">");
            if (article.Authors.Count > 0)
            {
                html.Append("By <span class=\"author\">").Append(E(JoinNames(article.Authors))).Append("</span>");
            }

            if (article.Published is { } published)
            {
                html.Append(article.Authors.Count > 0 ? " · " : "")
                    .Append("<time datetime=\"").Append(published.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("\">")
                    .Append(E(FormatDate(published, article.DatePrecision))).Append("</time>");
            }

            html.Append("</p>\n<div class=\"body\">\n");
            foreach (var paragraph in article.Text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                html.Append("<p>").Append(E(paragraph)).Append("</p>\n");
            }

            html.Append("</div>\n");
            if (article.Url is not null)
            {
                html.Append("<p class=\"original\">Originally published at <span class=\"url\">").Append(E(article.Url)).Append("</span></p>\n");
            }

            html.Append("</article>\n");
        }

        html.Append("</main>\n<aside class=\"chat-column\" aria-label=\"Discuss this article\">\n")
            .Append("<div class=\"chat-card\"><div class=\"chat-heading\"><h2>Discuss this article</h2>")
            .Append("<p>Answers quote the archive and link every source.</p></div>")
            .Append("<div id=\"webchat\" class=\"webchat\" role=\"region\" aria-label=\"Chat with the archive\"></div></div>\n</aside>\n");

        if (more.Count > 0)
        {
            html.Append("<section class=\"more\" aria-labelledby=\"more-heading\"><h2 id=\"more-heading\">More from the archive</h2><ul>\n");
            foreach (var item in more)
            {
                html.Append("<li><a href=\"/?article=").Append(E(Uri.EscapeDataString(item.Id))).Append("\">")
                    .Append("<span class=\"more-title\">").Append(E(item.Title)).Append("</span>")
                    .Append("<span class=\"more-meta\">").Append(E(Meta(item))).Append("</span></a></li>\n");
            }

            html.Append("</ul></section>\n");
        }

        html.Append("</div>\n");
        html.Append("<footer class=\"footer\"><p>").Append(E(publication))
            .Append(" · Put the chat on any article page: <code>")
            .Append(E($"<script src=\"{embedScriptUrl}\" data-article-url=\"https://…\"></script>")).Append("</code></p></footer>\n");

        // The embed snippet itself renders the chat into #webchat, scoped to this article.
        html.Append("<script src=\"").Append(E(embedScriptUrl)).Append("\" data-mount=\"#webchat\"");
        if (article?.Url is not null)
        {
            html.Append(" data-article-url=\"").Append(E(article.Url)).Append('"');
        }

        if (article is not null)
        {
            html.Append(" data-article-id=\"").Append(E(article.Id)).Append('"')
                .Append(" data-article-title=\"").Append(E(article.Title)).Append('"');
        }

        html.Append("></script>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string FormatDate(DateOnly date, DatePrecision precision) => precision switch
    {
        DatePrecision.Year => date.Year.ToString(CultureInfo.InvariantCulture),
        DatePrecision.Month => date.ToString("MMMM yyyy", CultureInfo.InvariantCulture),
        _ => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
    };

    private static string Meta(ArticleSummary item)
    {
        var parts = new List<string>();
        if (item.Authors.Count > 0)
        {
            parts.Add(JoinNames(item.Authors));
        }

        if (item.Published is { } published)
        {
            parts.Add(FormatDate(published, item.DatePrecision));
        }

        return string.Join(" · ", parts);
    }

    private static string JoinNames(IReadOnlyList<string> names) =>
        names.Count <= 1 ? string.Join("", names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];

    private static string E(string text) => Encoder.Encode(text);
}
