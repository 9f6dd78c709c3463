using System.Diagnostics;
using System.Text;
using Clippings.Embeddings;
using Clippings.Ingestion;
using Clippings.Storage.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// Ingest throughput: the whole pipeline (read, chunk, encode, write SQLite) against the encoder alone on the same
/// passages; re-ingest of the unchanged archive against the first ingest; and the encoder's batching policy
/// (length-sorted vs naive fixed batches, batch size, threads) on a sample of the passages.
/// </summary>
internal sealed class IngestBenchmark(IServiceProvider services, BenchSettings settings, TextWriter log)
{
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loader = services.GetRequiredService<ArchiveLoader>();
        var chunker = services.GetRequiredService<PassageChunker>();
        var embedder = services.GetRequiredService<ArchiveEmbedder>();
        var sources = settings.IngestFiles();
        var passages = new List<string>();
        foreach (var file in sources)
        {
            var result = await loader.ReadFileAsync(file, cancellationToken);
            passages.AddRange(result.Articles.OrderBy(a => a.Id, StringComparer.Ordinal).SelectMany(a => chunker.Split(a)).Select(p => p.Text));
        }

        await log.WriteLineAsync($"ingest: {passages.Count} passages from {settings.CorpusPath}; warming up the encoder");
        await embedder.EmbedPassagesAsync(passages.Take(64).ToList(), cancellationToken);

        var encoderRates = new List<double>();
        var pipelineRates = new List<double>();
        var firstSeconds = new List<double>();
        var reingestSeconds = new List<double>();
        for (var run = 0; run < settings.Runs; run++)
        {
            // Interleaved, so drift in the machine's load hits both sides alike.
            var stopwatch = Stopwatch.StartNew();
            await embedder.EmbedPassagesAsync(passages, cancellationToken);
            encoderRates.Add(passages.Count / stopwatch.Elapsed.TotalSeconds);

            var indexPath = Path.Combine(settings.WorkFolder, $"ingest-run-{run}.db");
            DeleteIndex(indexPath);
            await using (var index = new SqliteArchiveIndex(indexPath))
            {
                var ingestor = new ArchiveIngestor(index, embedder, loader, chunker, services.GetRequiredService<ILogger<ArchiveIngestor>>());
                stopwatch.Restart();
                var first = await ingestor.IngestAsync(sources, new IngestOptions(), null, cancellationToken);
                firstSeconds.Add(stopwatch.Elapsed.TotalSeconds);
                pipelineRates.Add(first.Passages / stopwatch.Elapsed.TotalSeconds);

                stopwatch.Restart();
                var again = await ingestor.IngestAsync(sources, new IngestOptions(), null, cancellationToken);
                reingestSeconds.Add(stopwatch.Elapsed.TotalSeconds);
                if (again.New + again.Updated != 0)
                {
                    throw new ClippingsException($"Re-ingest of an unchanged archive wrote {again.New + again.Updated} articles; expected none.");
                }
            }

            DeleteIndex(indexPath);
            await log.WriteLineAsync($"ingest run {run + 1}/{settings.Runs}: encoder {encoderRates[^1]:F1}/s, pipeline {pipelineRates[^1]:F1}/s, re-ingest {reingestSeconds[^1]:F2} s");
        }

        var policies = await BatchingPoliciesAsync(passages, cancellationToken);
        var encoder = Stats.Median(encoderRates);
        var pipeline = Stats.Median(pipelineRates);
        var firstIngest = Stats.Median(firstSeconds);
        var reingest = Stats.Median(reingestSeconds);

        var md = new StringBuilder();
        md.AppendLine("## Ingest").AppendLine();
        var scope = settings.IngestArticles > 0 ? $"{settings.IngestArticles} articles of the shared corpus (every k-th line of articles.jsonl, plus authors.jsonl)" : "The shared corpus";
        md.AppendLine($"{scope}: {passages.Count:N0} passages, median of {settings.Runs} interleaved runs. The encoder-only baseline embeds the same");
        md.AppendLine("passages in one call (its best case: one length sort over everything); the pipeline reads the files, hashes, chunks, encodes");
        md.AppendLine("and writes SQLite (articles, passages, vectors, FTS5), writing each encoded batch while the next one encodes.").AppendLine();
        md.AppendLine("| measure | baseline | Clippings | ratio | target |");
        md.AppendLine("|---|---|---|---|---|");
        md.AppendLine($"| end-to-end ingest vs encoder only (passages/s) | {Stats.F(encoder)} | {Stats.F(pipeline)} | {pipeline / encoder:F2}× | ≥ 0.90× |");
        md.AppendLine($"| re-ingest unchanged archive vs first ingest (s) | {Stats.F(firstIngest, 2)} | {Stats.F(reingest, 2)} | 1/{firstIngest / reingest:F0} | ≤ 1/50 |");
        md.AppendLine();
        md.AppendLine($"Batching policy: the encoder alone on {policies.Sample} passages (one in every {Math.Max(1, passages.Count / policies.Sample)}, in archive order), median of {policies.Runs} runs.").AppendLine();
        md.AppendLine("| policy | passages/s | vs naive fixed batches |");
        md.AppendLine("|---|---|---|");
        var naive = policies.Rates.First(p => p.Name.StartsWith("naive", StringComparison.Ordinal)).Rate;
        foreach (var (name, rate) in policies.Rates)
        {
            md.AppendLine($"| {name} | {Stats.F(rate)} | {rate / naive:F2}× |");
        }

        return md.ToString();
    }

    private async Task<(int Sample, int Runs, List<(string Name, double Rate)> Rates)> BatchingPoliciesAsync(List<string> passages, CancellationToken cancellationToken)
    {
        var step = Math.Max(1, passages.Count / settings.PolicySample);
        var sample = passages.Where((_, i) => i % step == 0).Take(settings.PolicySample).ToList();
        var cores = Environment.ProcessorCount;
        var policies = new (string Name, int Threads, int BatchSize, bool Sorted, bool Spinning)[]
        {
            ($"naive fixed batches of 32, {cores} threads", cores, 32, false, false),
            ($"length-sorted batches of 32, {cores} threads (default)", cores, 32, true, false),
            ($"length-sorted batches of 8, {cores} threads", cores, 8, true, false),
            ($"length-sorted batches of 128, {cores} threads", cores, 128, true, false),
            ("length-sorted batches of 32, 1 thread", 1, 32, true, false),
            ($"length-sorted batches of 32, {cores} threads, ONNX spin-waiting on", cores, 32, true, true),
        };
        // Always a median of 3: the policy sample is small, unlike the whole-corpus runs (--runs), which may be 1 on a slow machine.
        const int runs = 3;
        var rates = new List<(string, double)>();
        foreach (var (name, threads, batchSize, sorted, spinning) in policies)
        {
            using var generator = new ArcticEmbeddingGenerator(threads, batchSize, sorted, spinning);
            await generator.GenerateAsync(sample.Take(16), cancellationToken: cancellationToken);
            var samples = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var stopwatch = Stopwatch.StartNew();
                await generator.GenerateAsync(sample, cancellationToken: cancellationToken);
                samples.Add(sample.Count / stopwatch.Elapsed.TotalSeconds);
            }

            rates.Add((name, Stats.Median(samples)));
            await log.WriteLineAsync($"batching: {name}: {Stats.Median(samples):F1}/s");
        }

        return (sample.Count, runs, rates);
    }

    internal static void DeleteIndex(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
