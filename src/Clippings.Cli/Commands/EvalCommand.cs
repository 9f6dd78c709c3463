using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clippings.Answering;
using Clippings.Evaluation;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings eval --questions FILE [--mode hybrid|dense|lexical] [--index FILE] [--json] [--details]</c></summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var questions = new Option<string>("--questions") { Description = "JSONL question set (schema of questions-dev.jsonl).", Required = true };
        var mode = new Option<SearchMode>("--mode") { Description = "Retrieval mode: hybrid (default), dense or lexical.", DefaultValueFactory = _ => SearchMode.Hybrid };
        var details = new Option<bool>("--details") { Description = "Also list every question with its ranks and outcome." };
        var plain = new Option<bool>("--no-understanding") { Description = "Baseline: search the raw question, without query understanding or follow-up resolution." };
        var index = CommonOptions.Index();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("eval", "Measure retrieval and answers on a question set with gold articles.") { questions, mode, index, json, details, plain, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(parse.GetValue(index)));
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            var assistant = services.GetRequiredService<ArchiveAssistant>();
            await IndexGuard.EnsureNotEmptyAsync(assistant.Index, cancellationToken);
            var set = EvaluationQuestion.Load(parse.GetValue(questions)!);
            var evaluator = services.GetRequiredService<ArchiveEvaluator>();
            var report = await evaluator.EvaluateWithBaselineAsync(set, parse.GetValue(mode), null, cancellationToken, !parse.GetValue(plain));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(ToJson(report, parse.GetValue(details)).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                PrintTable(report, parse.GetValue(details));
            }

            return 0;
        });
        return command;
    }

    public static JsonObject ToJson(EvaluationReport report, bool details = false)
    {
        var root = Metrics(report.Overall);
        root["mode"] = report.Mode.ToString().ToLowerInvariant();
        root["composed_by"] = report.ComposedBy;
        root["median_ms"] = Math.Round(report.MedianMs, 1);
        root["p95_ms"] = Math.Round(report.P95Ms, 1);
        var byKind = new JsonObject();
        foreach (var (kind, metrics) in report.ByKind)
        {
            byKind[kind] = Metrics(metrics);
        }

        root["by_kind"] = byKind;
        if (report.Baseline is { } baseline)
        {
            var baselineByKind = new JsonObject();
            foreach (var (kind, metrics) in baseline.ByKind)
            {
                baselineByKind[kind] = BaselineJson(metrics);
            }

            var node = BaselineJson(baseline.Overall);
            node["by_kind"] = baselineByKind;
            root["baseline"] = node;
        }

        if (details)
        {
            var rows = new JsonArray();
            foreach (var o in report.Outcomes)
            {
                var b = report.Baseline?.Outcomes.FirstOrDefault(x => ReferenceEquals(x.Question, o.Question));
                rows.Add(new JsonObject
                {
                    ["id"] = o.Question.Id,
                    ["kind"] = o.Question.Kind,
                    ["recall_at_5"] = Number(o.RecallAt5),
                    ["rr_at_10"] = Number(o.ReciprocalRankAt10),
                    ["baseline_rr_at_10"] = b is null ? null : Number(b.ReciprocalRankAt10),
                    ["refused"] = o.Refused,
                    ["top_cosine"] = Number(o.TopDenseScore),
                    ["top"] = new JsonArray(o.RankedArticleIds.Take(5).Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
                });
            }

            root["questions"] = rows;
        }

        return root;
    }

    private static JsonObject BaselineJson(BaselineMetrics m) => new()
    {
        ["questions"] = m.Answerable,
        ["recall_at_5"] = Number(m.RecallAt5),
        ["mrr_at_10"] = Number(m.MrrAt10),
    };

    private static JsonObject Metrics(EvaluationMetrics m) => new()
    {
        ["questions"] = m.Questions,
        ["recall_at_5"] = Number(m.RecallAt5),
        ["mrr_at_10"] = Number(m.MrrAt10),
        ["refusal_accuracy"] = Number(m.RefusalAccuracy),
        ["false_refusal_rate"] = Number(m.FalseRefusalRate),
        ["citation_hit_rate"] = Number(m.CitationHitRate),
        ["quote_validity"] = Number(m.QuoteValidity),
        ["citations"] = m.Citations,
    };

    private static JsonNode? Number(double value) => double.IsNaN(value) ? null : JsonValue.Create(Math.Round(value, 4));

    private static void PrintTable(EvaluationReport report, bool details)
    {
        var table = new Table().Title($"Evaluation ({report.Mode.ToString().ToLowerInvariant()}, {report.ComposedBy} answers)");
        // The plain baseline's columns sit next to the pipeline's, with the difference, so a loss is seen at once.
        foreach (var column in new[] { "kind", "n", "recall@5", "base R@5", "Δ R@5", "MRR@10", "base MRR", "Δ MRR", "refusal acc.", "false refusals", "citation hits", "quote validity" })
        {
            table.AddColumn(column);
        }

        foreach (var (kind, m) in report.ByKind)
        {
            table.AddRow(Row(kind, m, report.Baseline?.ByKind.GetValueOrDefault(kind)));
        }

        table.AddRow(Row("[bold]overall[/]", report.Overall, report.Baseline?.Overall));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Latency per question: median {report.MedianMs:F0} ms, p95 {report.P95Ms:F0} ms");
        if (details)
        {
            foreach (var o in report.Outcomes)
            {
                var b = report.Baseline?.Outcomes.FirstOrDefault(x => ReferenceEquals(x.Question, o.Question));
                var baseline = b is null ? "" : $" base-RR={b.ReciprocalRankAt10:F2}";
                AnsiConsole.MarkupLine(Markup.Escape($"{o.Question.Id} [{o.Question.Kind}] R@5={o.RecallAt5:F2} RR={o.ReciprocalRankAt10:F2}{baseline} refused={o.Refused} cos={o.TopDenseScore:F3} cites-gold={o.CitesGold} top={string.Join(",", o.RankedArticleIds.Take(5))}"));
            }
        }
    }

    private static string[] Row(string kind, EvaluationMetrics m, BaselineMetrics? b) =>
    [
        kind,
        m.Questions.ToString(CultureInfo.InvariantCulture),
        Format(m.RecallAt5),
        b is null ? "–" : Format(b.RecallAt5),
        b is null ? "–" : Difference(m.RecallAt5, b.RecallAt5),
        Format(m.MrrAt10),
        b is null ? "–" : Format(b.MrrAt10),
        b is null ? "–" : Difference(m.MrrAt10, b.MrrAt10),
        Format(m.RefusalAccuracy),
        Format(m.FalseRefusalRate),
        Format(m.CitationHitRate),
        Format(m.QuoteValidity),
    ];

    private static string Difference(double full, double baseline) =>
        double.IsNaN(full) || double.IsNaN(baseline) ? "–" : (full - baseline).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string Format(double value) => double.IsNaN(value) ? "–" : value.ToString("F2", CultureInfo.InvariantCulture);
}
