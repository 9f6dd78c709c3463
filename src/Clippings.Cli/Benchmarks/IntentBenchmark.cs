using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Clippings.Archive;
using Clippings.Ingestion;
using Clippings.Retrieval;
using Clippings.Retrieval.Understanding;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// <c>bench intents</c>: how often the question's kind is read right, on a labelled set written apart from the exemplars
/// (<c>tests/questions/intents.jsonl</c>), by (a) the patterns (<see cref="QueryAnalyzer"/> with the archive's catalog,
/// the baseline), (b) the nearest-exemplar vote alone, (c) the vote where it is confident, the patterns where it abstains,
/// and (d) the patterns where they name a kind other than passages (the default they fall back to), else the vote where it is
/// confident, else passages: the order recognisers would run in.
/// </summary>
internal sealed class IntentBenchmark(TextWriter log)
{
    /// <summary>The archives the labelled set names, and where their sources sit when no index is given.</summary>
    public static readonly IReadOnlyList<string> ArchiveNames = ["samples", "shared-corpus", "go-blog"];

    public sealed record LabelledQuestion(string Id, string Archive, string Question, QuestionIntent Intent);

    public sealed record Outcome(LabelledQuestion Question, QuestionIntent Pattern, IntentVote Vote, double[] Similarities, double VoteMs, double PatternMs, QuestionIntent Wired);

    public sealed record Result(IReadOnlyList<Outcome> Outcomes, IReadOnlyDictionary<string, string> CatalogSources, NearestExemplarIntentClassifier Classifier, double ExemplarEmbedMs, IReadOnlyList<string> Skipped);

    public static IReadOnlyList<LabelledQuestion> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ClippingsException($"--questions: no such file: {path}");
        }

        var questions = new List<LabelledQuestion>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                var intentText = root.GetProperty("intent").GetString();
                if (!Enum.TryParse<QuestionIntent>(intentText, out var intent))
                {
                    throw new ClippingsException($"{path}:{lineNumber}: intent '{intentText}' is none of {string.Join(", ", Enum.GetNames<QuestionIntent>())}.");
                }

                questions.Add(new LabelledQuestion(root.GetProperty("id").GetString()!, root.GetProperty("archive").GetString()!, root.GetProperty("question").GetString()!, intent));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new ClippingsException($"{path}:{lineNumber}: not a labelled question ({{\"id\",\"archive\",\"question\",\"intent\"}}): {ex.Message}");
            }
        }

        return questions;
    }

    public async Task<Result> RunAsync(IReadOnlyList<LabelledQuestion> questions, IReadOnlyDictionary<string, string> indexes, NearestExemplarIntentClassifier classifier, CancellationToken cancellationToken)
    {
        var rules = classifier.Rules;
        var analyzer = new QueryAnalyzer();
        var watch = Stopwatch.StartNew();
        // The first vote embeds the exemplars: timed apart, so per-question times are the steady state.
        await classifier.VoteAsync("warm up", cancellationToken);
        var exemplarMs = watch.Elapsed.TotalMilliseconds;

        var outcomes = new List<Outcome>();
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        var wiredAnalyzer = new QueryAnalyzer(classifier);
        foreach (var archive in questions.Select(q => q.Archive).Distinct(StringComparer.Ordinal))
        {
            var (catalog, source) = await CatalogAsync(archive, indexes, cancellationToken);
            if (catalog is null)
            {
                skipped.Add($"{archive}: {source}");
                await log.WriteLineAsync($"intents: skipping {archive}: {source}");
                continue;
            }

            sources[archive] = source;
            foreach (var question in questions.Where(q => q.Archive == archive))
            {
                watch.Restart();
                var plan = analyzer.Analyze(question.Question, catalog);
                var patternMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                // The names the patterns found, as typed, are what a recogniser would hand the classifier to mask.
                var similarities = await classifier.SimilaritiesAsync(question.Question, plan.TypedNames, cancellationToken);
                var vote = classifier.Vote(similarities, rules.K);
                var voteMs = watch.Elapsed.TotalMilliseconds;

                // As the assistant reads it: the patterns, then the vote where it is confident and the question has what the kind needs.
                var wired = await wiredAnalyzer.AnalyzeAsync(question.Question, catalog, null, null, cancellationToken);
                outcomes.Add(new Outcome(question, plan.Intent, vote, similarities, voteMs, patternMs, wired.Intent));
            }

            await log.WriteLineAsync($"intents: {archive}: {outcomes.Count(o => o.Question.Archive == archive)} questions ({source})");
        }

        return new Result(outcomes, sources, classifier, exemplarMs, skipped);
    }

    /// <summary>The archive's catalog from its index when one is given, else read from its sources without embedding (cheap).</summary>
    private static async Task<(ArchiveCatalog? Catalog, string Source)> CatalogAsync(string archive, IReadOnlyDictionary<string, string> indexes, CancellationToken cancellationToken)
    {
        if (indexes.TryGetValue(archive, out var indexPath))
        {
            if (!File.Exists(indexPath))
            {
                throw new ClippingsException($"--index {archive}={indexPath}: no such index file.");
            }

            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(indexPath));
            await using var services = CliHost.BuildServices(configuration, verbose: false);
            var index = services.GetRequiredService<IArchiveIndex>();
            await IndexGuard.EnsureNotEmptyAsync(index, cancellationToken);
            using var provider = new ArchiveCatalogProvider(index);
            return (await provider.GetAsync(cancellationToken), "index " + indexPath);
        }

        var paths = archive switch
        {
            "samples" => CliHost.FindSampleArchive() is { } samples ? [samples] : null,
            "shared-corpus" => CliHost.FindRepositoryFolder("..", "shared", "corpus") is { } corpus ? new[] { Path.Combine(corpus, "articles.jsonl"), Path.Combine(corpus, "authors.jsonl") } : null,
            "go-blog" => CliHost.FindRepositoryFolder("..", "shared", "corpus-modern", "blog") is { } blog ? [blog] : null,
            _ => throw new ClippingsException($"Unknown archive '{archive}' in the question set; known: {string.Join(", ", ArchiveNames)} (or pass --index {archive}=PATH)."),
        };
        if (paths is null || !paths.All(p => File.Exists(p) || Directory.Exists(p)))
        {
            return (null, "its sources are not beside the repository; pass --index " + archive + "=PATH");
        }

        return (await ArchiveCatalog.ReadFromSourcesAsync(paths, cancellationToken), "read from " + string.Join(", ", paths.Select(p => Path.GetRelativePath(Directory.GetCurrentDirectory(), p))));
    }

    /// <summary>Articles and author notes as the readers give them, summarised as the index would list them.</summary>
    public static string ToMarkdown(Result result, IntentVoteRules rules, string prefix, bool details)
    {
        var outcomes = result.Outcomes;
        var classifier = result.Classifier;
        var text = new StringBuilder();
        text.AppendLine("## Question kinds (intents)").AppendLine();
        var counts = classifier.Exemplars.GroupBy(e => e.Intent).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{outcomes.Count} labelled questions; {classifier.Exemplars.Count} exemplars ({string.Join(", ", counts)}); vote: k = {rules.K}, abstain below share {Fmt(rules.MinShare)}, margin {Fmt(rules.MinMargin)}, similarity {Fmt(rules.MinSimilarity)}; {(rules.Centred ? "centred" : "raw")} embeddings; names {(rules.MaskNames ? "masked" : "as typed")}; prefix: {(prefix.Length == 0 ? "none" : "\"" + prefix.Trim() + "\"")}.");
        text.AppendLine();
        text.AppendLine("Accuracy (questions right / questions). Patterns = `QueryAnalyzer` with the archive's catalog (the baseline); kNN = nearest-exemplar vote alone; "
            + "vote first = the vote where it is confident, else the patterns; patterns first = the patterns where they name a kind other than Passages (their default), else the vote where it is confident, else Passages; "
            + "as wired = `QueryAnalyzer.AnalyzeAsync` with the classifier, as the assistant runs it (patterns first, and a voted kind only when the question has what it needs: a named author for a profile, a scope and no topic left for a listing); decided = share of questions where the vote is confident. In brackets after patterns first: wrong forms, questions read as a list or profile they did not ask for "
            + "(a kind other than Passages and other than the label), which answer in the wrong shape, where a question read as Passages still gets passages on its subject.");
        text.AppendLine();
        text.AppendLine("| archive | n | patterns | kNN | vote first | patterns first | as wired | decided | kNN right when decided |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var group in outcomes.GroupBy(o => o.Question.Archive).Append(outcomes.GroupBy(_ => "**overall**").Single()))
        {
            var rows = group.ToList();
            var decided = rows.Where(o => NearestExemplarIntentClassifier.IsConfident(o.Vote, rules)).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key} | {rows.Count} | {Acc(rows, o => o.Pattern)} | {Acc(rows, o => o.Vote.Intent)} | {Acc(rows, o => Combined(o, rules))} | {Acc(rows, o => PatternsFirst(o, rules))} [{WrongForms(rows, o => PatternsFirst(o, rules))}] | {Acc(rows, o => o.Wired)} [{WrongForms(rows, o => o.Wired)}] | {Pct(decided.Count, rows.Count)} | {(decided.Count == 0 ? "–" : Acc(decided, o => o.Vote.Intent))} |");
        }

        text.AppendLine();
        text.AppendLine("Accuracy by labelled kind, overall:").AppendLine();
        text.AppendLine("| kind | n | patterns | kNN | vote first | patterns first |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var kind in Enum.GetValues<QuestionIntent>())
        {
            var rows = outcomes.Where(o => o.Question.Intent == kind).ToList();
            if (rows.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {rows.Count} | {Acc(rows, o => o.Pattern)} | {Acc(rows, o => o.Vote.Intent)} | {Acc(rows, o => Combined(o, rules))} | {Acc(rows, o => PatternsFirst(o, rules))} |");
            }
        }

        foreach (var (name, pick) in new (string, Func<Outcome, QuestionIntent>)[] { ("patterns", o => o.Pattern), ("kNN", o => o.Vote.Intent), ("vote first", o => Combined(o, rules)), ("patterns first", o => PatternsFirst(o, rules)) })
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Confusion, {name} (rows: labelled kind, columns: read as):").AppendLine();
            Confusion(text, outcomes, pick);
        }

        text.AppendLine().AppendLine("Patterns first, by k and least share (margin and similarity as set): accuracy overall [wrong forms] (per archive: samples / shared-corpus / go-blog); last column the vote alone:").AppendLine();
        var shares = new[] { 0.0, 0.5, 0.6, 0.7, 0.8 };
        text.AppendLine("| k | " + string.Join(" | ", shares.Select(s => "share ≥ " + Fmt(s))) + " | kNN alone |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", shares.Length + 1)));
        foreach (var k in new[] { 1, 3, 5, 7, 9, 11 })
        {
            var revoted = outcomes.Select(o => o with { Vote = classifier.Vote(o.Similarities, k) }).ToList();
            var cells = shares.Select(share => Cell(revoted, rules with { K = k, MinShare = share }));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {string.Join(" | ", cells)} | {Share(revoted, o => o.Vote.Intent)} [{WrongForms(revoted, o => o.Vote.Intent)}] |");
        }

        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Patterns first, k = {rules.K}, by least margin and least share:").AppendLine();
        var margins = new[] { 0.0, 0.02, 0.05, 0.1 };
        text.AppendLine("| margin | " + string.Join(" | ", shares.Select(s => "share ≥ " + Fmt(s))) + " |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", shares.Length)));
        var atK = outcomes.Select(o => o with { Vote = classifier.Vote(o.Similarities, rules.K) }).ToList();
        foreach (var margin in margins)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| ≥ {Fmt(margin)} | {string.Join(" | ", shares.Select(share => Cell(atK, rules with { MinShare = share, MinMargin = margin })))} |");
        }

        var voteMs = outcomes.Select(o => o.VoteMs).Order().ToList();
        var patternMs = outcomes.Select(o => o.PatternMs).Order().ToList();
        text.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Time per question: kNN (embedding the question and voting) median {Stats.Percentile(voteMs, 50):F1} ms, p95 {Stats.Percentile(voteMs, 95):F1} ms; patterns (the whole `Analyze`) median {Stats.Percentile(patternMs, 50):F2} ms, p95 {Stats.Percentile(patternMs, 95):F2} ms. Embedding the {classifier.Exemplars.Count} exemplars once: {result.ExemplarEmbedMs:F0} ms.");
        text.AppendLine().AppendLine("Catalogs: " + string.Join("; ", result.CatalogSources.Select(s => $"{s.Key} {s.Value}")) + (result.Skipped.Count > 0 ? ". Skipped: " + string.Join("; ", result.Skipped) : "") + ".");

        if (details)
        {
            text.AppendLine().AppendLine("Misread questions (label → patterns / kNN [share, margin, nearest exemplar] / vote first / patterns first):").AppendLine();
            foreach (var o in outcomes.Where(o => o.Pattern != o.Question.Intent || o.Vote.Intent != o.Question.Intent))
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"- {o.Question.Id} “{o.Question.Question}”: {o.Question.Intent} → {o.Pattern} / {o.Vote.Intent} [{o.Vote.Share:F2}, {o.Vote.Margin:F3}, “{o.Vote.NearestExemplar}”] / {Combined(o, rules)} / {PatternsFirst(o, rules)}");
            }
        }

        return text.ToString();
    }

    private static QuestionIntent Combined(Outcome o, IntentVoteRules rules) =>
        NearestExemplarIntentClassifier.IsConfident(o.Vote, rules) ? o.Vote.Intent : o.Pattern;

    private static string Cell(IReadOnlyList<Outcome> outcomes, IntentVoteRules rules)
    {
        var perArchive = ArchiveNames.Select(a => outcomes.Where(o => o.Question.Archive == a).ToList()).Where(r => r.Count > 0)
            .Select(r => Share(r, o => PatternsFirst(o, rules)));
        return $"{Share(outcomes, o => PatternsFirst(o, rules))} [{WrongForms(outcomes, o => PatternsFirst(o, rules))}] ({string.Join(" / ", perArchive)})";
    }

    private static int WrongForms(IReadOnlyList<Outcome> rows, Func<Outcome, QuestionIntent> pick) =>
        rows.Count(o => pick(o) is var read && read != QuestionIntent.Passages && read != o.Question.Intent);

    private static QuestionIntent PatternsFirst(Outcome o, IntentVoteRules rules) =>
        o.Pattern != QuestionIntent.Passages ? o.Pattern : NearestExemplarIntentClassifier.IsConfident(o.Vote, rules) ? o.Vote.Intent : QuestionIntent.Passages;

    private static void Confusion(StringBuilder text, IReadOnlyList<Outcome> outcomes, Func<Outcome, QuestionIntent> pick)
    {
        var kinds = Enum.GetValues<QuestionIntent>();
        text.AppendLine("| labelled \\ read | " + string.Join(" | ", kinds) + " |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", kinds.Length)));
        foreach (var label in kinds)
        {
            var rows = outcomes.Where(o => o.Question.Intent == label).ToList();
            if (rows.Count > 0)
            {
                text.AppendLine($"| {label} | " + string.Join(" | ", kinds.Select(k => rows.Count(o => pick(o) == k) is var n && n > 0 ? (k == label ? $"**{n}**" : n.ToString(CultureInfo.InvariantCulture)) : "·")) + " |");
            }
        }
    }

    private static string Acc(IReadOnlyList<Outcome> rows, Func<Outcome, QuestionIntent> pick) =>
        $"{Share(rows, pick)} ({rows.Count(o => pick(o) == o.Question.Intent)}/{rows.Count})";

    private static string Share(IReadOnlyList<Outcome> rows, Func<Outcome, QuestionIntent> pick) =>
        rows.Count == 0 ? "–" : ((double)rows.Count(o => pick(o) == o.Question.Intent) / rows.Count).ToString("F2", CultureInfo.InvariantCulture);

    private static string Pct(int part, int whole) => whole == 0 ? "–" : ((double)part / whole).ToString("P0", CultureInfo.InvariantCulture);

    private static string Fmt(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
