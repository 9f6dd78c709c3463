using System.CommandLine;
using Clippings.Cli.Benchmarks;
using Clippings.Embeddings;
using Clippings.Retrieval.Understanding;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings bench ingest|search|memory|load|intents|all [--corpus DIR] [--out BENCHMARKS.md] [--runs N] [--sizes 100000,1000000] [--queries N] [--articles N] [--clients 1,8,32,64] [--seconds N]</c></summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var which = new Argument<string>("benchmark") { Description = "ingest, search, memory, load (includes directline and two instances sharing Redis), directline (anonymous Direct Line traffic only), shared-state (two instances sharing Redis against one with memory state, only), extract, qdrant (requests per index operation, before/after), intents (question kinds: patterns against nearest exemplars), or all." };
        which.AcceptOnlyFromAmong("ingest", "search", "memory", "load", "directline", "shared-state", "extract", "qdrant", "intents", "all");
        var corpus = new Option<string?>("--corpus") { Description = "The shared corpus folder (default: ../shared/corpus from the repository)." };
        var output = new Option<string>("--out") { Description = "Markdown file the results go to (each benchmark replaces its own section).", DefaultValueFactory = _ => "BENCHMARKS.md" };
        var runs = new Option<int>("--runs") { Description = "Runs per throughput figure (the median is reported).", DefaultValueFactory = _ => 3 };
        var sizes = new Option<string>("--sizes") { Description = "Synthetic index sizes in passages, comma-separated.", DefaultValueFactory = _ => "100000,1000000" };
        var queries = new Option<int>("--queries") { Description = "Queries per index size (a quarter of them at 1M passages).", DefaultValueFactory = _ => 200 };
        var sample = new Option<int>("--policy-sample") { Description = "Passages used to compare batching policies.", DefaultValueFactory = _ => 384 };
        var work = new Option<string?>("--work") { Description = "Scratch folder for bench indexes (default: $TMPDIR/clippings-bench); indexes are reused between runs." };
        var articles = new Option<int>("--articles") { Description = "Ingest benchmark on this many corpus articles (every k-th) instead of all; 0 = all.", DefaultValueFactory = _ => 0 };
        var maxIndex = new Option<int>("--max-index") { Description = "Largest synthetic size built as a SQLite index (larger sizes time the in-memory vector scan only).", DefaultValueFactory = _ => 100_000 };
        var corpusIndex = new Option<string?>("--corpus-index") { Description = "Use this already-ingested index as the real-vector index (skips ingesting the corpus); for load, the index the server answers from (default: samples/archive in a temporary index)." };
        var clients = new Option<string>("--clients") { Description = "Load: concurrent client counts, comma-separated (1 is the throughput baseline).", DefaultValueFactory = _ => "1,8,32,64" };
        var seconds = new Option<int>("--seconds") { Description = "Load: seconds per client level.", DefaultValueFactory = _ => 10 };
        var maxRequests = new Option<int>("--max-requests") { Description = "Load: at most this many requests per client level.", DefaultValueFactory = _ => 5000 };
        var pages = new Option<string?>("--pages") { Description = "Extract: folder of page folders (source.html, expected.html, expected-metadata.json); default ../shared/corpus-html/readability." };
        var details = new Option<string?>("--details") { Description = "Extract: write what was extracted and expected for every page to this file. Intents: write the tables and every misread question to this file." };
        var intentQuestions = new Option<string?>("--questions") { Description = "Intents: labelled question set (default tests/questions/intents.jsonl)." };
        var intentIndexes = new Option<string[]>("--index") { Description = "Intents: ARCHIVE=PATH, the index whose catalog the patterns use for that archive (samples, shared-corpus, go-blog); repeatable. Without it the catalog is read from the archive's sources.", Arity = ArgumentArity.ZeroOrMore };
        var k = new Option<int>("--k") { Description = "Intents: neighbours that vote.", DefaultValueFactory = _ => IntentVoteRules.Default.K };
        var minShare = new Option<double>("--min-share") { Description = "Intents: the vote abstains below this share of the neighbours' similarity (0-1).", DefaultValueFactory = _ => IntentVoteRules.Default.MinShare };
        var minMargin = new Option<double>("--min-margin") { Description = "Intents: the vote abstains when the nearest exemplar of another kind is closer than this to the winner's.", DefaultValueFactory = _ => IntentVoteRules.Default.MinMargin };
        var uncentred = new Option<bool>("--uncentred") { Description = "Intents: compare raw embeddings, without taking the exemplars' mean out (to measure what centring does)." };
        var unmasked = new Option<bool>("--unmasked") { Description = "Intents: embed names as typed instead of masking them (to measure what masking does)." };
        var queryPrefix = new Option<bool>("--query-prefix") { Description = "Intents: embed exemplars and questions with the model's query prefix (as the search embeds questions)." };
        var probe = new Option<string?>("--probe") { Hidden = true, Description = "Internal: report this process's memory on the given index." };
        var command = new Command("bench", "Measure ingest throughput, search latency, memory and the server under load against same-run baselines; writes BENCHMARKS.md.")
        {
            which, corpus, output, runs, sizes, queries, sample, articles, maxIndex, corpusIndex, work, clients, seconds, maxRequests, pages, details, probe,
            intentQuestions, intentIndexes, k, minShare, minMargin, queryPrefix, uncentred, unmasked,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(probe) is { } probeIndex)
            {
                return await MemoryBenchmark.ProbeAsync(probeIndex, cancellationToken);
            }

            if (parse.GetValue(which) == "qdrant")
            {
                var rows = await new QdrantBenchmark(Console.Error).MeasureAsync(parse.GetValue(articles) is > 0 and var n ? n : 10_000, cancellationToken);
                var markdown = QdrantBenchmark.ToMarkdown(rows);
                BenchmarkReport.WriteSection(Path.GetFullPath(parse.GetValue(output)!), "qdrant", BenchMachine.Detect(ArcticEmbeddingGenerator.ModelId), markdown);
                Console.Out.WriteLine(markdown);
                return 0;
            }

            if (parse.GetValue(which) == "intents")
            {
                var rules = IntentVoteRules.Default with { K = parse.GetValue(k), MinShare = parse.GetValue(minShare), MinMargin = parse.GetValue(minMargin), Centred = !parse.GetValue(uncentred), MaskNames = !parse.GetValue(unmasked) };
                if (rules.K < 1 || rules.MinShare is < 0 or > 1)
                {
                    throw new ClippingsException("--k must be at least 1 and --min-share between 0 and 1.");
                }

                var questionsPath = parse.GetValue(intentQuestions) ?? Path.Combine(CliHost.FindRepositoryFolder("tests", "questions")
                    ?? throw new ClippingsException("tests/questions was not found from here. Pass --questions FILE."), "intents.jsonl");
                var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in parse.GetValue(intentIndexes) ?? [])
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ClippingsException($"--index '{pair}': write ARCHIVE=PATH, e.g. --index shared-corpus=/tmp/corpus.db.");
                    }

                    indexes[pair[..eq]] = Path.GetFullPath(pair[(eq + 1)..]);
                }

                await using var intentServices = CliHost.BuildServices(CliHost.BuildConfiguration(), verbose: false);
                var prefix = parse.GetValue(queryPrefix)
                    ? intentServices.GetRequiredService<IOptions<EmbeddingOptions>>().Value.QueryPrefix ?? intentServices.GetRequiredService<EmbeddingGeneratorFactory.Created>().DefaultQueryPrefix
                    : "";
                using var classifier = new NearestExemplarIntentClassifier(intentServices.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), rules, prefix: prefix);
                var result = await new IntentBenchmark(Console.Error).RunAsync(IntentBenchmark.Load(questionsPath), indexes, classifier, cancellationToken);
                var markdown = IntentBenchmark.ToMarkdown(result, rules, prefix, details: false);
                BenchmarkReport.WriteSection(Path.GetFullPath(parse.GetValue(output)!), "intents", BenchMachine.Detect(ArcticEmbeddingGenerator.ModelId), markdown);
                Console.Out.WriteLine(markdown);
                if (parse.GetValue(details) is { } misreadPath)
                {
                    File.WriteAllText(misreadPath, IntentBenchmark.ToMarkdown(result, rules, prefix, details: true));
                }

                return 0;
            }

            if (parse.GetValue(which) == "extract")
            {
                var pagesFolder = Path.GetFullPath(parse.GetValue(pages) ?? CliHost.FindRepositoryFolder("..", "shared", "corpus-html", "readability")
                    ?? throw new ClippingsException("The shared page set was not found beside the repository (../shared/corpus-html/readability). Pass --pages DIR."));
                if (!Directory.Exists(pagesFolder))
                {
                    throw new ClippingsException($"--pages: no such folder: {pagesFolder}");
                }

                var result = new ExtractionBenchmark(pagesFolder, Console.Error).Measure();
                var markdown = ExtractionBenchmark.ToMarkdown(result, parse.GetValue(pages) ?? "../shared/corpus-html/readability");
                BenchmarkReport.WriteSection(Path.GetFullPath(parse.GetValue(output)!), "extract", BenchMachine.Detect(ArcticEmbeddingGenerator.ModelId), markdown);
                Console.Out.WriteLine(markdown);
                if (parse.GetValue(details) is { } detailsPath)
                {
                    File.WriteAllText(detailsPath, ExtractionBenchmark.ToDetails(result));
                }

                return 0;
            }

            var settings = new BenchSettings(
                // The load bench reads no corpus (it serves samples/archive or --corpus-index).
                Path.GetFullPath(parse.GetValue(corpus) ?? (parse.GetValue(which) is "load" or "directline" or "shared-state" ? Directory.GetCurrentDirectory() : FindCorpus())),
                Path.GetFullPath(parse.GetValue(work) ?? Path.Combine(Path.GetTempPath(), "clippings-bench")),
                Math.Max(1, parse.GetValue(runs)),
                Math.Max(16, parse.GetValue(sample)),
                [.. parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseSize)],
                Math.Max(10, parse.GetValue(queries)),
                Math.Max(0, parse.GetValue(articles)),
                parse.GetValue(maxIndex),
                parse.GetValue(corpusIndex));
            Directory.CreateDirectory(settings.WorkFolder);
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            var machine = BenchMachine.Detect(ArcticEmbeddingGenerator.ModelId);
            var log = Console.Error;
            var selected = parse.GetValue(which)!;
            var configuration = CliHost.BuildConfiguration();
            await using var services = CliHost.BuildServices(configuration, verbose: false);

            if (selected is "ingest" or "all")
            {
                Write("ingest", await new IngestBenchmark(services, settings, log).RunAsync(cancellationToken));
            }

            if (selected is "search" or "all")
            {
                Write("search", await new SearchBenchmark(settings, log).RunAsync(cancellationToken));
            }

            if (selected is "memory" or "all")
            {
                Write("memory", await new MemoryBenchmark(settings, log).RunAsync(cancellationToken));
            }

            if (selected is "load" or "all" or "directline" or "shared-state")
            {
                var load = new LoadSettings(
                    [.. parse.GetValue(clients)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseClients)],
                    TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(seconds))),
                    Math.Max(1, parse.GetValue(maxRequests)));
                var benchmark = new LoadBenchmark(settings, load, log);
                if (selected is not ("directline" or "shared-state"))
                {
                    Write("load", await benchmark.RunAsync(cancellationToken));
                }

                if (selected is not "shared-state")
                {
                    Write("directline-load", await benchmark.RunDirectLineAsync(cancellationToken));
                }

                if (selected is not "directline")
                {
                    Write("shared-state-load", await benchmark.RunSharedStateAsync(cancellationToken));
                }
            }

            return 0;

            void Write(string name, string markdown)
            {
                BenchmarkReport.WriteSection(outPath, name, machine, markdown);
                Console.Out.WriteLine(markdown);
                Console.Out.WriteLine($"(written to {outPath})");
            }
        });
        return command;
    }

    private static int ParseSize(string text)
    {
        var lower = text.ToLowerInvariant();
        var multiplier = lower.EndsWith('m') ? 1_000_000 : lower.EndsWith('k') ? 1_000 : 1;
        return int.TryParse(lower.TrimEnd('k', 'm'), out var value) && value > 0
            ? value * multiplier
            : throw new ClippingsException($"--sizes: '{text}' is not a passage count (e.g. 100000, 100k, 1m).");
    }

    private static int ParseClients(string text) =>
        int.TryParse(text, out var value) && value is > 0 and <= 1024
            ? value
            : throw new ClippingsException($"--clients: '{text}' is not a client count from 1 to 1024 (e.g. 1,8,32,64).");

    private static string FindCorpus()
    {
        var corpus = CliHost.FindRepositoryFolder("..", "shared", "corpus");
        if (corpus is not null && File.Exists(Path.Combine(corpus, "articles.jsonl")))
        {
            return corpus;
        }

        throw new ClippingsException("The shared corpus was not found beside the repository (../shared/corpus). Pass --corpus DIR.");
    }
}
