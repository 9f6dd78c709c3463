using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clippings.Answering;
using Clippings.Embeddings;
using Clippings.Evaluation;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Commands;

/// <summary>
/// <c>clippings calibrate --questions FILE [--index FILE] [--questions FILE2 --index FILE2 …] [--relevance 0.40:0.65:0.025]
/// [--confident 0.54:0.72:0.02] [--max-false-refusals 0.03] [--mode hybrid] [--json]</c>: the refusal thresholds swept over a grid,
/// per question set, with the best common point.
/// </summary>
internal static class CalibrateCommand
{
    public sealed record SweptSet(string Questions, string? Index, ThresholdSweepReport Sweep);

    public static Command Create()
    {
        var questions = new Option<string[]>("--questions") { Description = "JSONL question set; repeat for several sets (each with its own --index).", Required = true };
        var indexes = new Option<string[]>("--index") { Description = "SQLite index of each question set, in the same order (one --index for all sets, or none for the configured index)." };
        var relevance = new Option<string>("--relevance") { Description = "RelevanceThreshold values: from:to:step or a comma list.", DefaultValueFactory = _ => "0.40:0.65:0.025" };
        var confident = new Option<string>("--confident") { Description = "ConfidentThreshold values: from:to:step or a comma list.", DefaultValueFactory = _ => "0.54:0.72:0.02" };
        var maxFalse = new Option<double>("--max-false-refusals") { Description = "Largest false refusal rate the best point may have on any set.", DefaultValueFactory = _ => 0.03 };
        var mode = new Option<SearchMode>("--mode") { Description = "Retrieval mode: hybrid (default), dense or lexical.", DefaultValueFactory = _ => SearchMode.Hybrid };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("calibrate", "Sweep the refusal thresholds over a grid: refusal accuracy and false refusals per question set at every point.")
        {
            questions, indexes, relevance, confident, maxFalse, mode, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sets = parse.GetValue(questions)!;
            var indexPaths = parse.GetValue(indexes) ?? [];
            if (indexPaths.Length > 1 && indexPaths.Length != sets.Length)
            {
                throw new ClippingsException($"{sets.Length} --questions sets but {indexPaths.Length} --index files: give one --index per set, one for all, or none.");
            }

            var grid = new ThresholdGrid(ThresholdGrid.ParseRange(parse.GetValue(relevance)!), ThresholdGrid.ParseRange(parse.GetValue(confident)!));
            var swept = new List<SweptSet>();
            for (var i = 0; i < sets.Length; i++)
            {
                var index = indexPaths.Length switch { 0 => null, 1 => indexPaths[0], _ => indexPaths[i] };
                var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(index));
                await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose), AddSweep);
                await IndexGuard.EnsureNotEmptyAsync(services.GetRequiredService<ArchiveAssistant>().Index, cancellationToken);
                var set = EvaluationQuestion.Load(sets[i]);
                var sweep = await services.GetRequiredService<ThresholdSweep>().SweepAsync(set, parse.GetValue(mode), grid, cancellationToken);
                swept.Add(new SweptSet(sets[i], index, sweep));
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(ToJson(swept, parse.GetValue(maxFalse)).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.Out.Write(ToText(swept, parse.GetValue(maxFalse)));
            }

            return 0;
        });
        return command;
    }

    /// <summary>The sweep, and the query embeddings cached: the questions asked again at every point are embedded once.</summary>
    public static void AddSweep(IServiceCollection services)
    {
        services.AddQueryEmbeddingCache();
        services.AddSingleton<ThresholdSweep>();
    }

    public static ThresholdPoint? CommonBest(IReadOnlyList<SweptSet> swept, double maxFalseRefusals) =>
        swept.Count == 0 ? null : ThresholdSweep.Best(swept[0].Sweep.Points, swept.Select(s => s.Sweep).ToList(), maxFalseRefusals);

    public static JsonObject ToJson(IReadOnlyList<SweptSet> swept, double maxFalseRefusals)
    {
        var sets = new JsonArray();
        foreach (var set in swept)
        {
            var sweep = set.Sweep;
            var eval = sweep.Configured.Overall;
            var node = new JsonObject
            {
                ["questions"] = set.Questions,
                ["index"] = set.Index,
                ["answerable"] = eval.Answerable,
                ["unanswerable"] = eval.Unanswerable,
                ["replayed"] = sweep.Replayed,
                ["rerun"] = sweep.Rerun,
                ["eval"] = new JsonObject
                {
                    ["recall_at_5"] = Number(eval.RecallAt5),
                    ["mrr_at_10"] = Number(eval.MrrAt10),
                    ["refusal_accuracy"] = Number(eval.RefusalAccuracy),
                    ["false_refusal_rate"] = Number(eval.FalseRefusalRate),
                },
                ["configured"] = PointJson(sweep.ConfiguredPoint),
                ["best"] = sweep.Best(maxFalseRefusals) is { } best ? PointJson(best) : null,
                ["points"] = new JsonArray(sweep.Points.Select(p => (JsonNode)PointJson(p)).ToArray()),
                ["by_question"] = new JsonArray(sweep.Questions.Select(q => (JsonNode)new JsonObject
                {
                    ["id"] = q.Question.Id,
                    ["kind"] = q.Question.Kind,
                    ["answerable"] = q.Question.IsAnswerable,
                    ["decided_by"] = DecidedBy(q.DecidedBy),
                    ["top_cosine"] = Number(q.TopDense),
                    ["rare_word"] = q.RareWord,
                    ["refused"] = q.Refused,
                }).ToArray()),
            };
            sets.Add(node);
        }

        var common = CommonBest(swept, maxFalseRefusals);
        return new JsonObject
        {
            ["max_false_refusals"] = maxFalseRefusals,
            ["sets"] = sets,
            ["common_best"] = common is null ? null : new JsonObject
            {
                ["relevance_threshold"] = common.Relevance,
                ["confident_threshold"] = common.Confident,
                ["per_set"] = new JsonArray(swept.Select(s => (JsonNode)PointJson(At(s.Sweep, common))).ToArray()),
            },
        };
    }

    private static ThresholdPoint At(ThresholdSweepReport sweep, ThresholdPoint point) =>
        sweep.Points.First(p => p.Relevance == point.Relevance && p.Confident == point.Confident);

    private static JsonObject PointJson(ThresholdPoint p) => new()
    {
        ["relevance_threshold"] = p.Relevance,
        ["confident_threshold"] = p.Confident,
        ["refusal_accuracy"] = Number(p.RefusalAccuracy),
        ["false_refusal_rate"] = Number(p.FalseRefusalRate),
        ["unanswerable_refused"] = p.UnanswerableRefused,
        ["unanswerable"] = p.Unanswerable,
        ["answerable_refused"] = p.AnswerableRefused,
        ["answerable"] = p.Answerable,
        ["configured"] = p.IsConfigured,
    };

    private static JsonNode? Number(double value) => double.IsNaN(value) ? null : JsonValue.Create(Math.Round(value, 4));

    /// <summary>Per set, a grid of "refusal accuracy / false refusals" (rows: relevance, columns: confident), the configured cell starred.</summary>
    public static string ToText(IReadOnlyList<SweptSet> swept, double maxFalseRefusals)
    {
        var text = new StringBuilder();
        foreach (var set in swept)
        {
            var sweep = set.Sweep;
            var confidents = sweep.Points.Select(p => p.Confident).Distinct().Order().ToList();
            var eval = sweep.Configured.Overall;
            text.AppendLine(CultureInfo.InvariantCulture, $"{set.Questions}{(set.Index is null ? "" : " on " + set.Index)}: {eval.Unanswerable} unanswerable, {eval.Answerable} answerable; {sweep.Replayed} replayed, {sweep.Rerun} asked again at every point");
            text.AppendLine("refusal accuracy / false refusal rate; rows RelevanceThreshold, columns ConfidentThreshold; * = configured");
            text.Append("        ");
            foreach (var c in confidents)
            {
                text.Append(CultureInfo.InvariantCulture, $"{c,11:0.000}");
            }

            text.AppendLine();
            foreach (var row in sweep.Points.GroupBy(p => p.Relevance).OrderBy(g => g.Key))
            {
                text.Append(CultureInfo.InvariantCulture, $"{row.Key,6:0.000}  ");
                foreach (var c in confidents)
                {
                    var p = row.First(x => x.Confident == c);
                    text.Append(CultureInfo.InvariantCulture, $"{(p.IsConfigured ? "*" : " ")}{Format(p.RefusalAccuracy)}/{Format(p.FalseRefusalRate)} ");
                }

                text.AppendLine();
            }

            text.Append(Distribution(sweep));
            text.AppendLine(CultureInfo.InvariantCulture, $"configured {Describe(sweep.ConfiguredPoint)}");
            text.AppendLine(sweep.Best(maxFalseRefusals) is { } best ? $"best with false refusals ≤ {maxFalseRefusals:0.00}: {Describe(best)}" : $"no point keeps false refusals ≤ {maxFalseRefusals:0.00}");
            text.AppendLine();
        }

        if (swept.Count > 1)
        {
            var common = CommonBest(swept, maxFalseRefusals);
            text.AppendLine(common is null
                ? $"No point keeps false refusals ≤ {maxFalseRefusals:0.00} on every set."
                : $"Best common point (false refusals ≤ {maxFalseRefusals:0.00} on every set): RelevanceThreshold {common.Relevance:0.000}, ConfidentThreshold {common.Confident:0.000}");
            if (common is not null)
            {
                foreach (var set in swept)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  {set.Questions}: {Describe(At(set.Sweep, common))} (configured {Describe(set.Sweep.ConfiguredPoint)})");
                }
            }
        }

        return text.ToString();
    }

    private static string DecidedBy(RefusalDecidedBy by) => by switch
    {
        RefusalDecidedBy.Rule => "rule",
        RefusalDecidedBy.Thresholds => "thresholds",
        _ => "asked_again",
    };

    /// <summary>The best cosines the thresholds cut: the lowest of the answerable questions, all of the unanswerable ones.</summary>
    private static string Distribution(ThresholdSweepReport sweep)
    {
        static string Cosines(IEnumerable<SweptQuestion> questions) =>
            string.Join(" ", questions.OrderBy(q => q.TopDense).Select(q => q.TopDense.ToString("0.000", CultureInfo.InvariantCulture) + (q.RareWord is null ? "" : $" ({q.RareWord})")));

        var byThresholds = sweep.Questions.Where(q => q.DecidedBy == RefusalDecidedBy.Thresholds).ToList();
        var answerable = byThresholds.Where(q => q.Question.IsAnswerable).ToList();
        var unanswerable = byThresholds.Where(q => !q.Question.IsAnswerable).ToList();
        var byRule = sweep.Questions.Where(q => q.DecidedBy == RefusalDecidedBy.Rule).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"decided by the thresholds: {answerable.Count} answerable, lowest best cosines {Cosines(answerable.OrderBy(q => q.TopDense).Take(5))}; {unanswerable.Count} unanswerable{(unanswerable.Count == 0 ? "" : ", best cosines " + Cosines(unanswerable))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"decided by other rules: {byRule.Count(q => !q.Question.IsAnswerable && q.Refused)} of {byRule.Count(q => !q.Question.IsAnswerable)} unanswerable refused, {byRule.Count(q => q.Question.IsAnswerable && q.Refused)} of {byRule.Count(q => q.Question.IsAnswerable)} answerable refused");
        return text.ToString();
    }

    private static string Describe(ThresholdPoint p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{p.Relevance:0.000}/{p.Confident:0.000}: refusal accuracy {Format(p.RefusalAccuracy)} ({p.UnanswerableRefused}/{p.Unanswerable}), false refusals {Format(p.FalseRefusalRate)} ({p.AnswerableRefused}/{p.Answerable})");

    private static string Format(double value) => double.IsNaN(value) ? "  – " : value.ToString("0.00", CultureInfo.InvariantCulture);
}
