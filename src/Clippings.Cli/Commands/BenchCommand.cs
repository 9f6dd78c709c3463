using System.CommandLine;
using Clippings.Cli.Benchmarks;
using Clippings.Embeddings;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings bench ingest|search|memory|all [--corpus DIR] [--out BENCHMARKS.md] [--runs N] [--sizes 100000,1000000] [--queries N] [--articles N]</c></summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var which = new Argument<string>("benchmark") { Description = "ingest, search, memory, or all." };
        which.AcceptOnlyFromAmong("ingest", "search", "memory", "all");
        var corpus = new Option<string?>("--corpus") { Description = "The shared corpus folder (default: ../shared/corpus from the repository)." };
        var output = new Option<string>("--out") { Description = "Markdown file the results go to (each benchmark replaces its own section).", DefaultValueFactory = _ => "BENCHMARKS.md" };
        var runs = new Option<int>("--runs") { Description = "Runs per throughput figure (the median is reported).", DefaultValueFactory = _ => 3 };
        var sizes = new Option<string>("--sizes") { Description = "Synthetic index sizes in passages, comma-separated.", DefaultValueFactory = _ => "100000,1000000" };
        var queries = new Option<int>("--queries") { Description = "Queries per index size (a quarter of them at 1M passages).", DefaultValueFactory = _ => 200 };
        var sample = new Option<int>("--policy-sample") { Description = "Passages used to compare batching policies.", DefaultValueFactory = _ => 384 };
        var work = new Option<string?>("--work") { Description = "Scratch folder for bench indexes (default: $TMPDIR/clippings-bench); indexes are reused between runs." };
        var articles = new Option<int>("--articles") { Description = "Ingest benchmark on this many corpus articles (every k-th) instead of all; 0 = all.", DefaultValueFactory = _ => 0 };
        var maxIndex = new Option<int>("--max-index") { Description = "Largest synthetic size built as a SQLite index (larger sizes time the in-memory vector scan only).", DefaultValueFactory = _ => 100_000 };
        var corpusIndex = new Option<string?>("--corpus-index") { Description = "Use this already-ingested index as the real-vector index (skips ingesting the corpus)." };
        var probe = new Option<string?>("--probe") { Hidden = true, Description = "Internal: report this process's memory on the given index." };
        var command = new Command("bench", "Measure ingest throughput, search latency and memory against same-run baselines; writes BENCHMARKS.md.")
        {
            which, corpus, output, runs, sizes, queries, sample, articles, maxIndex, corpusIndex, work, probe,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(probe) is { } probeIndex)
            {
                return await MemoryBenchmark.ProbeAsync(probeIndex, cancellationToken);
            }

            var settings = new BenchSettings(
                Path.GetFullPath(parse.GetValue(corpus) ?? FindCorpus()),
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

    private static string FindCorpus()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
                if (File.Exists(Path.Combine(dir.FullName, "Clippings.slnx")) && File.Exists(Path.Combine(candidate, "articles.jsonl")))
                {
                    return candidate;
                }
            }
        }

        throw new ClippingsException("The shared corpus was not found beside the repository (../shared/corpus). Pass --corpus DIR.");
    }
}
