using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Clippings.Insights;

namespace Clippings.Server.Insights;

/// <summary>
/// The editors' page at <c>/insights</c>: the report of <see cref="InsightsReporter"/> as tables, with a bar chart of
/// questions and refusals per day drawn as inline SVG (no script, no external file). Readers' text is HTML-encoded.
/// </summary>
public static class InsightsPage
{
    private const int ChartWidth = 900;
    private const int ChartHeight = 220;
    private const int Left = 40;
    private const int Bottom = 28;
    private const int Top = 12;

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render(InsightsReport report, InsightsQuery query)
    {
        var html = Start($"Readers' questions {report.Since} to {report.Until}");
        var q = report.Questions;
        html.Append("<header><h1>What readers asked</h1>")
            .Append("<form method=\"get\" action=\"/insights\"><label>From <input type=\"date\" name=\"since\" value=\"").Append(E(report.Since)).Append("\"></label> ")
            .Append("<label>to <input type=\"date\" name=\"until\" value=\"").Append(E(report.Until)).Append("\"></label> ")
            .Append("<label>channel <select name=\"channel\"><option value=\"\">all</option>");
        foreach (var channel in q.ByChannel.Select(c => c.Channel).Append(query.Channel).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            html.Append("<option").Append(channel == query.Channel ? " selected" : "").Append('>').Append(E(channel)).Append("</option>");
        }

        html.Append("</select></label> <button type=\"submit\">Show</button></form></header>\n<main>\n");
        var share = q.Total == 0 ? 0 : 100.0 * q.Refused / q.Total;
        html.Append("<section class=\"totals\">")
            .Append(Total(q.Total, "questions")).Append(Total(q.Answered, "answered")).Append(Total(q.Refused, "refused", $"{share:0}% of all"))
            .Append(Total(report.Downrated.Count, "rated down"))
            .Append("</section>\n");

        html.Append("<section><h2>Questions and refusals per day</h2>").Append(Chart(q.ByDay)).Append("</section>\n");

        html.Append("<section><h2>Questions the archive could not answer</h2>")
            .Append("<p class=\"hint\">One row per question however it was typed: near duplicates are joined. These are the gaps readers found.</p>");
        if (report.Refused.Count == 0)
        {
            html.Append("<p class=\"empty\">No refused questions in this period.</p>");
        }
        else
        {
            html.Append("<table class=\"refused\"><thead><tr><th>question</th><th class=\"n\">times</th><th>also typed as</th><th>last asked</th><th>channels</th></tr></thead><tbody>");
            foreach (var group in report.Refused)
            {
                html.Append("<tr><td>").Append(E(group.Question)).Append("</td><td class=\"n\">").Append(group.Count)
                    .Append("</td><td class=\"examples\">").Append(string.Join("<br>", group.Examples.Skip(1).Select(E)))
                    .Append("</td><td>").Append(E(group.LastAsked.Replace('T', ' ').TrimEnd('Z'))).Append("</td><td>")
                    .Append(E(string.Join(", ", group.Channels))).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        if (q.RefusalReasons.Count > 0)
        {
            html.Append("<p class=\"hint\">Why: ").Append(string.Join(", ", q.RefusalReasons.Select(r => $"{E(r.Reason)} {r.Count}"))).Append(".</p>");
        }

        html.Append("</section>\n<section><h2>Answers rated down</h2>");
        if (report.Downrated.Count == 0)
        {
            html.Append("<p class=\"empty\">No answer was rated down in this period.</p>");
        }
        else
        {
            html.Append("<table><thead><tr><th>question</th><th>reader's comment</th><th>cited</th><th>when</th><th>channel</th></tr></thead><tbody>");
            foreach (var down in report.Downrated)
            {
                html.Append("<tr><td>").Append(E(down.Question ?? "(question not known)")).Append("</td><td>").Append(E(down.Comment ?? "")).Append("</td><td>")
                    .Append(string.Join("<br>", down.Citations.Select(Link))).Append("</td><td>").Append(E(down.RatedAt.Replace('T', ' ').TrimEnd('Z')))
                    .Append("</td><td>").Append(E(down.Channel)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</section>\n<div class=\"columns\"><section><h2>Most asked topics</h2>");
        html.Append(report.Topics.Count == 0 ? "<p class=\"empty\">No questions in this period.</p>" : "<table><thead><tr><th>topic</th><th class=\"n\">questions</th><th class=\"n\">refused</th></tr></thead><tbody>");
        foreach (var topic in report.Topics)
        {
            html.Append("<tr><td>").Append(E(topic.Topic)).Append("</td><td class=\"n\">").Append(topic.Count).Append("</td><td class=\"n\">").Append(topic.Refused).Append("</td></tr>");
        }

        html.Append(report.Topics.Count == 0 ? "" : "</tbody></table>").Append("</section><section><h2>Most cited pieces</h2>");
        html.Append(report.MostCited.Count == 0 ? "<p class=\"empty\">No answer cited a piece in this period.</p>" : "<table><thead><tr><th>piece</th><th class=\"n\">answers</th></tr></thead><tbody>");
        foreach (var piece in report.MostCited)
        {
            var byline = string.Join(", ", piece.Authors) + (piece.Published is null ? "" : " · " + piece.Published);
            html.Append("<tr><td>").Append(Link(new ArticleReference(piece.Id, piece.Title, piece.Url)))
                .Append(byline.Length == 0 ? "" : "<br><span class=\"byline\">" + E(byline) + "</span>")
                .Append("</td><td class=\"n\">").Append(piece.Count).Append("</td></tr>");
        }

        html.Append(report.MostCited.Count == 0 ? "" : "</tbody></table>").Append("</section></div>\n");
        html.Append("<p class=\"hint\">The same report as JSON: <code>/api/insights?since=").Append(E(report.Since)).Append("</code> or <code>clippings insights --since ")
            .Append(E(report.Since)).Append(" --json</code>. Questions are logged without any user id.</p>");
        return html.Append("</main>\n</body>\n</html>\n").ToString();
    }

    /// <summary>A page that only says something (insights off, a bad date).</summary>
    public static string Message(string title, string detail) =>
        Start(title).Append("<header><h1>").Append(E(title)).Append("</h1></header><main><p>").Append(E(detail))
            .Append("</p><p><a href=\"/insights\">The last days' insights</a></p></main></body></html>\n").ToString();

    /// <summary>Bars per day: the day's questions in grey, the refused part of them in red, on one scale.</summary>
    internal static string Chart(IReadOnlyList<DayCount> days)
    {
        var svg = new StringBuilder();
        var max = Math.Max(1, days.Count == 0 ? 1 : days.Max(d => d.Total));
        var plotWidth = ChartWidth - Left - 8;
        var plotHeight = ChartHeight - Top - Bottom;
        var slot = days.Count == 0 ? plotWidth : (double)plotWidth / days.Count;
        var bar = Math.Max(1, slot * 0.72);
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {ChartWidth} {ChartHeight}\" width=\"100%\" aria-labelledby=\"chart-title\">")
            .Append("<title id=\"chart-title\">Questions and refused questions per day</title>");
        foreach (var tick in new[] { 0, max / 2, max }.Distinct())
        {
            var y = Top + plotHeight - plotHeight * tick / (double)max;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{ChartWidth - 8}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{tick}</text>");
        }

        var labelEvery = Math.Max(1, (int)Math.Ceiling(days.Count / 8.0));
        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            var x = Left + i * slot + (slot - bar) / 2;
            var total = plotHeight * day.Total / (double)max;
            var refused = plotHeight * day.Refused / (double)max;
            svg.Append("<g class=\"day\"><title>").Append(E(day.Date)).Append(CultureInfo.InvariantCulture, $": {day.Total} questions, {day.Refused} refused</title>")
                .Append(CultureInfo.InvariantCulture, $"<rect class=\"total\" x=\"{x:0.##}\" y=\"{Top + plotHeight - total:0.##}\" width=\"{bar:0.##}\" height=\"{total:0.##}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<rect class=\"refused\" x=\"{x:0.##}\" y=\"{Top + plotHeight - refused:0.##}\" width=\"{bar:0.##}\" height=\"{refused:0.##}\"/></g>");
            if (i % labelEvery == 0 || i == days.Count - 1)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{x + bar / 2:0.##}\" y=\"{ChartHeight - 8}\" text-anchor=\"middle\">{E(day.Date[5..])}</text>");
            }
        }

        svg.Append("</svg>");
        svg.Append("<p class=\"legend\"><span class=\"key total\"></span> questions <span class=\"key refused\"></span> refused</p>");
        return svg.ToString();
    }

    private static StringBuilder Start(string title) => new StringBuilder(16 * 1024)
        .Append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .Append("<title>").Append(E(title)).Append(" · Clippings insights</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");

    private static string Total(int value, string label, string? note = null) =>
        $"<div class=\"total\"><span class=\"value\">{value.ToString("N0", CultureInfo.InvariantCulture)}</span> <span class=\"label\">{E(label)}</span>{(note is null ? "" : $" <span class=\"note\">{E(note)}</span>")}</div>";

    private static string Link(ArticleReference article)
    {
        var text = E(article.Title ?? article.Id);
        return article.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? $"<a href=\"{E(uri.AbsoluteUri)}\">{text}</a>"
            : text;
    }

    private static string E(string text) => Encoder.Encode(text);

    private const string Style = """
        :root { --ink: #1d232b; --muted: #5d6773; --line: #d9dee4; --bar: #9aa7b4; --refused: #c0392b; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
        header { background: #fff; border-bottom: 1px solid var(--line); padding: 16px 28px; display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: baseline; }
        h1 { font-size: 22px; margin: 0; }
        h2 { font-size: 17px; margin: 0 0 10px; }
        form { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; color: var(--muted); }
        input, select, button { font: inherit; padding: 3px 6px; }
        main { max-width: 1180px; margin: 0 auto; padding: 20px 28px 40px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 18px; margin-bottom: 18px; }
        .totals { display: flex; flex-wrap: wrap; gap: 12px 40px; }
        .totals .value { font-size: 28px; font-weight: 650; }
        .totals .label, .note, .hint, .byline, .empty { color: var(--muted); }
        .chart .grid { stroke: var(--line); stroke-width: 1; }
        .chart .axis { font-size: 11px; fill: var(--muted); }
        .chart rect.total, .key.total { fill: var(--bar); background: var(--bar); }
        .chart rect.refused, .key.refused { fill: var(--refused); background: var(--refused); }
        .legend { margin: 4px 0 0; color: var(--muted); font-size: 13px; }
        .key { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
        td.n, th.n { text-align: right; white-space: nowrap; }
        td.examples { color: var(--muted); font-size: 13px; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 18px; }
        .columns section { margin-bottom: 0; }
        code { background: #eef1f4; padding: 1px 4px; border-radius: 3px; }
        a { color: #1f5f99; }
        @media (max-width: 640px) {
            header, main { padding: 12px; }
            section { padding: 12px; }
            th, td { padding: 4px 5px; }
            table.refused th:nth-child(3), table.refused td:nth-child(3) { display: none; }
        }
        """;
}
