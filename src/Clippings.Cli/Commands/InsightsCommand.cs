using System.CommandLine;
using Clippings.Insights;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary>
/// <c>clippings insights [--since DATE] [--until DATE] [--channel NAME] [--json]</c>: what readers asked and what the archive
/// could not answer, from the question log <c>serve</c> keeps (the same report as <c>GET /api/insights</c>).
/// </summary>
internal static class InsightsCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "First day (yyyy-mm-dd); default: 30 days before --until (Clippings:Insights:DefaultDays)." };
        var until = new Option<string?>("--until") { Description = "Last day (yyyy-mm-dd); default: today (UTC)." };
        var channel = new Option<string?>("--channel") { Description = "Only questions from this channel: msteams, directline, webchat, api…" };
        var json = CommonOptions.Json();
        var index = CommonOptions.Index();
        var verbose = CommonOptions.Verbose();
        var command = new Command("insights", "Editors' insights: questions the archive could not answer (grouped), answers rated down, most asked topics and most cited pieces.")
        {
            since, until, channel, json, index, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(parse.GetValue(index)));
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            var reporter = services.GetRequiredService<InsightsReporter>();
            var report = await reporter.BuildAsync(reporter.Query(parse.GetValue(since), parse.GetValue(until), parse.GetValue(channel)), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(report.ToJson());
            }
            else
            {
                Write(report, services.GetRequiredService<QuestionLog>().FilePath);
            }

            return 0;
        });
        return command;
    }

    private static void Write(InsightsReport report, string logPath)
    {
        var console = AnsiConsole.Console;
        var q = report.Questions;
        console.MarkupLine($"[bold]Readers' questions {report.Since} to {report.Until}[/]: {q.Total} asked, {q.Answered} answered, {q.Refused} refused"
            + (q.ByChannel.Count == 0 ? "" : " (" + Markup.Escape(string.Join(", ", q.ByChannel.Select(c => $"{c.Channel} {c.Total}/{c.Refused} refused"))) + ")"));
        if (q.Total == 0)
        {
            console.MarkupLine($"[grey]No questions logged in this period ({Markup.Escape(logPath)}).[/]");
            return;
        }

        if (q.RefusalReasons.Count > 0)
        {
            console.MarkupLine("Why refused: " + Markup.Escape(string.Join(", ", q.RefusalReasons.Select(r => $"{r.Reason} {r.Count}"))));
        }

        if (report.Refused.Count > 0)
        {
            var table = new Table().Title("Questions the archive could not answer").AddColumns("question", "times", "also typed as", "last asked", "channels");
            foreach (var group in report.Refused)
            {
                table.AddRow(Markup.Escape(group.Question), group.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join("\n", group.Examples.Skip(1))), group.LastAsked, Markup.Escape(string.Join(", ", group.Channels)));
            }

            console.Write(table);
        }

        if (report.Downrated.Count > 0)
        {
            var table = new Table().Title("Answers rated down").AddColumns("question", "comment", "cited", "when", "channel");
            foreach (var down in report.Downrated)
            {
                table.AddRow(Markup.Escape(down.Question ?? "(not known)"), Markup.Escape(down.Comment ?? ""),
                    Markup.Escape(string.Join("\n", down.Citations.Select(c => c.Title ?? c.Id))), down.RatedAt, Markup.Escape(down.Channel));
            }

            console.Write(table);
        }

        if (report.Topics.Count > 0)
        {
            console.MarkupLine("Most asked topics: " + Markup.Escape(string.Join(", ", report.Topics.Select(t => $"{t.Topic} {t.Count}" + (t.Refused > 0 ? $" ({t.Refused} refused)" : "")))));
        }

        if (report.MostCited.Count > 0)
        {
            var table = new Table().Title("Most cited pieces").AddColumns("piece", "answers");
            foreach (var piece in report.MostCited)
            {
                table.AddRow(Markup.Escape(piece.Title ?? piece.Id), piece.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(table);
        }
    }
}
