using System.Diagnostics;
using System.Text;
using Clippings.Answering;
using Clippings.Embeddings;
using Clippings.Ingestion;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// Search latency on the embedded index at the shared corpus size and at synthetic sizes: vector, lexical and fused
/// search and a whole extractive answer, p50/p95/p99; the exact vector scan against the memory-bandwidth bound
/// (bytes scanned ÷ copy bandwidth measured in the same run).
/// </summary>
internal sealed class SearchBenchmark(BenchSettings settings, TextWriter log)
{
    private const int Candidates = 40;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var corpusIndex = await CorpusIndex.EnsureAsync(settings, log, cancellationToken);
        var queries = await QueryTextsAsync(cancellationToken);
        await log.WriteLineAsync("search: measuring memory copy bandwidth");
        var bandwidth = BenchMachine.MeasureCopyBandwidth();
        var readBandwidth = BenchMachine.MeasureReadBandwidth();

        var rows = new List<(string Size, int Passages, int Queries, Dictionary<string, LatencySummary> Latency)>();
        var indexes = new List<(string Name, string Path)> { (settings.CorpusIndexPath is null ? "shared corpus" : "real vectors", corpusIndex) };
        foreach (var size in settings.SyntheticSizes.Where(s => s <= settings.MaxIndexSize))
        {
            indexes.Add(($"synthetic {size:N0}", await SyntheticIndex.EnsureAsync(corpusIndex, settings.WorkFolder, size, ArcticEmbeddingGenerator.Space, log, cancellationToken)));
        }

        foreach (var (name, path) in indexes)
        {
            rows.Add(await MeasureAsync(name, path, queries, cancellationToken));
        }

        var md = new StringBuilder();
        md.AppendLine("## Search latency").AppendLine();
        md.AppendLine($"Embedded SQLite index, {Candidates} candidates per search, no filter. Queries are 8-word phrases cut from random passages of the");
        md.AppendLine("corpus (not the dev questions). Vector/lexical/fused rows time `IArchiveIndex.SearchAsync` with a precomputed query vector; the");
        md.AppendLine("whole answer is `ArchiveAssistant.AskAsync` (query understanding, query embedding, hybrid search, extractive answer).");
        md.AppendLine("Synthetic indexes copy the real index's articles under new ids with perturbed vectors (see `SyntheticIndex`). Milliseconds.");
        if (settings.CorpusIndexPath is not null)
        {
            await using var given = new Storage.Sqlite.SqliteArchiveIndex(corpusIndex);
            var stats = await given.GetStatsAsync(cancellationToken);
            md.AppendLine($"Real vectors: the index given with `--corpus-index` ({stats.Articles} articles, {stats.Passages:N0} passages of the shared corpus).");
        }

        md.AppendLine();
        md.AppendLine("| index | passages | queries | operation | p50 | p95 | p99 |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (size, passages, count, latency) in rows)
        {
            foreach (var (operation, summary) in latency)
            {
                md.AppendLine($"| {size} | {passages:N0} | {count} | {operation} | {Stats.F(summary.P50)} | {Stats.F(summary.P95)} | {Stats.F(summary.P99)} |");
            }
        }

        md.AppendLine();
        md.AppendLine($"Exact vector scan against the memory-bandwidth bound. Copy bandwidth measured in this run: {bandwidth / 1e9:F1} GB/s ({Environment.ProcessorCount} threads, 256 MB buffers);");
        md.AppendLine($"read bandwidth (summing 256 MB of floats): {readBandwidth / 1e9:F1} GB/s. A copy moves each byte twice, so a read-only scan can beat the copy bound;");
        md.AppendLine("the read bound is the tighter one. Vector search here includes opening the snapshot and reading the 40 hits' rows from SQLite.").AppendLine();
        md.AppendLine("| index | bytes scanned | copy bound (ms) | read bound (ms) | vector search p50 (ms) | ÷ copy bound | ÷ read bound | target |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (size, passages, _, latency) in rows)
        {
            var bytes = (double)passages * ArcticEmbeddingGenerator.Dimensions * sizeof(float);
            var boundMs = bytes / bandwidth * 1000;
            var readBoundMs = bytes / readBandwidth * 1000;
            var p50 = latency["vector search"].P50;
            md.AppendLine($"| {size} | {bytes / 1e6:F0} MB | {boundMs:F2} | {readBoundMs:F2} | {Stats.F(p50)} | {p50 / boundMs:F2}× | {p50 / readBoundMs:F2}× | ≤ 2× |");
        }

        var real = new List<IndexedArticle>();
        await using (var source = new Storage.Sqlite.SqliteArchiveIndex(corpusIndex))
        {
            await foreach (var article in source.ExportAsync(cancellationToken))
            {
                real.Add(article);
            }
        }

        var configuration = CliHost.BuildConfiguration();
        await using (var services = CliHost.BuildServices(configuration, verbose: false))
        {
            var embedder = services.GetRequiredService<ArchiveEmbedder>();
            var vectors = new List<ReadOnlyMemory<float>>();
            foreach (var text in queries.Take(60))
            {
                vectors.Add(await embedder.EmbedQueryAsync(text, cancellationToken));
            }

            md.AppendLine().Append(VectorScanBenchmark.Run(real, vectors, settings.SyntheticSizes, bandwidth, readBandwidth, log));
        }

        var target = rows.FirstOrDefault(r => r.Passages == 100_000);
        if (target.Latency is not null)
        {
            md.AppendLine().AppendLine($"Target whole answer p95 ≤ 50 ms at 100k passages: measured {Stats.F(target.Latency["whole answer"].P95)} ms.");
        }

        return md.ToString();
    }

    private async Task<(string, int, int, Dictionary<string, LatencySummary>)> MeasureAsync(string name, string path, IReadOnlyList<string> queries, CancellationToken cancellationToken)
    {
        var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(path));
        await using var services = CliHost.BuildServices(configuration, verbose: false);
        var index = services.GetRequiredService<IArchiveIndex>();
        var embedder = services.GetRequiredService<ArchiveEmbedder>();
        var assistant = services.GetRequiredService<ArchiveAssistant>();
        var passages = (await index.GetStatsAsync(cancellationToken)).Passages;
        var count = Math.Min(queries.Count, settings.QueriesFor(passages));
        await log.WriteLineAsync($"search: {name} ({passages:N0} passages), {count} queries");

        var samples = new Dictionary<string, List<double>>
        {
            ["query embedding"] = [], ["vector search"] = [], ["lexical search"] = [], ["fused search"] = [], ["whole answer"] = [],
        };
        // Warm-up (snapshot load, catalog, tiered JIT reaching its optimized code), not recorded: at least 10 queries and
        // 2 seconds. Steady-state latency is what a running server shows.
        var warmUp = Stopwatch.StartNew();
        var warmUpQueries = 0;
        while (warmUpQueries < 10 || warmUp.Elapsed < TimeSpan.FromSeconds(2))
        {
            await MeasureOneAsync(queries[warmUpQueries++ % queries.Count], null);
        }

        for (var i = 0; i < count; i++)
        {
            await MeasureOneAsync(queries[(warmUpQueries + i) % queries.Count], samples);
        }

        async Task MeasureOneAsync(string text, Dictionary<string, List<double>>? record)
        {
            var stopwatch = Stopwatch.StartNew();
            var vector = await embedder.EmbedQueryAsync(text, cancellationToken);
            Record("query embedding");
            await index.SearchAsync(new PassageQuery(text, vector, SearchFilter.None, SearchMode.Dense, Candidates), cancellationToken);
            Record("vector search");
            await index.SearchAsync(new PassageQuery(text, vector, SearchFilter.None, SearchMode.Lexical, Candidates), cancellationToken);
            Record("lexical search");
            await index.SearchAsync(new PassageQuery(text, vector, SearchFilter.None, SearchMode.Hybrid, Candidates), cancellationToken);
            Record("fused search");

            // The whole answer is timed as a reader's new question: the embedding taken above is forgotten.
            embedder.ForgetRecentQueries();
            await assistant.AskAsync(new AskRequest(text), cancellationToken);
            Record("whole answer");

            void Record(string operation)
            {
                record?[operation].Add(stopwatch.Elapsed.TotalMilliseconds);
                stopwatch.Restart();
            }
        }

        return (name, passages, count, samples.ToDictionary(s => s.Key, s => LatencySummary.Of(s.Value)));
    }

    /// <summary>8-word phrases cut from random passages of the corpus (fixed seed).</summary>
    private async Task<IReadOnlyList<string>> QueryTextsAsync(CancellationToken cancellationToken)
    {
        var loader = new ArchiveLoader();
        var chunker = new PassageChunker();
        var passages = new List<string>();
        foreach (var file in settings.CorpusFiles())
        {
            var result = await loader.ReadFileAsync(file, cancellationToken);
            passages.AddRange(result.Articles.SelectMany(a => chunker.Split(a)).Select(p => p.Text));
        }

        var random = new Random(7);
        var queries = new List<string>();
        while (queries.Count < settings.Queries)
        {
            var words = passages[random.Next(passages.Count)].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 12)
            {
                continue;
            }

            var start = random.Next(words.Length - 8);
            queries.Add(string.Join(' ', words.Skip(start).Take(8)));
        }

        return queries;
    }
}
