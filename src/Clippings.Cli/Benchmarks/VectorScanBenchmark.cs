using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Clippings.Storage;
using Clippings.Storage.Sqlite;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// The dense scan alone, in memory, at synthetic sizes up to 1M passages (vectors: the real ones perturbed): exact float
/// scan against the memory-bandwidth bound, and the int8 scan with exact rescoring, with its recall against exact.
/// </summary>
internal static class VectorScanBenchmark
{
    public static string Run(IReadOnlyList<IndexedArticle> real, IReadOnlyList<ReadOnlyMemory<float>> queries, IReadOnlyList<int> sizes, double bandwidth, double readBandwidth, TextWriter log, int k = 40)
    {
        var md = new StringBuilder();
        md.AppendLine("### Vector scan alone (in memory)").AppendLine();
        md.AppendLine($"`VectorCache` filled with perturbed real vectors, {k} nearest per query, no filter; exact = float32 dot products over");
        md.AppendLine($"every row (split over {Environment.ProcessorCount} threads), int8 = per-row-scaled int8 codes (AVX2) keeping {k * VectorCache.Oversample}");
        md.AppendLine($"candidates, rescored exactly. Bounds = float32 bytes ÷ copy bandwidth ({bandwidth / 1e9:F1} GB/s) and ÷ read bandwidth ({readBandwidth / 1e9:F1} GB/s). The index switches to int8 from {VectorCache.QuantizedThreshold:N0} passages.").AppendLine();
        md.AppendLine("| passages | queries | exact p50 / p95 (ms) | copy bound (ms) | exact ÷ copy bound | read bound (ms) | exact ÷ read bound | int8 + rescore p50 / p95 (ms) | speed-up | recall@40 vs exact |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        var random = new Random(11);
        foreach (var size in sizes)
        {
            var cache = Build(real, size, random);
            cache.EnsureCodes();
            var count = size >= 500_000 ? Math.Min(queries.Count, 30) : Math.Min(queries.Count, 60);
            var exact = new List<double>();
            var quantized = new List<double>();
            var recall = new List<double>();
            for (var i = -2; i < count; i++)
            {
                var query = queries[(i + queries.Count) % queries.Count].Span;
                var stopwatch = Stopwatch.StartNew();
                var truth = cache.Search(query, null, k);
                var exactMs = stopwatch.Elapsed.TotalMilliseconds;
                stopwatch.Restart();
                var approximate = cache.SearchQuantized(query, null, k);
                var quantizedMs = stopwatch.Elapsed.TotalMilliseconds;
                if (i >= 0)
                {
                    exact.Add(exactMs);
                    quantized.Add(quantizedMs);
                    recall.Add(truth.Select(t => t.Id).Intersect(approximate.Select(a => a.Id)).Count() / (double)truth.Count);
                }
            }

            var boundMs = (double)size * cache.Dimensions * sizeof(float) / bandwidth * 1000;
            var readBoundMs = (double)size * cache.Dimensions * sizeof(float) / readBandwidth * 1000;
            var exactP50 = Stats.Median(exact);
            var quantizedP50 = Stats.Median(quantized);
            md.AppendLine($"| {size:N0} | {count} | {Stats.F(exactP50)} / {Stats.F(Stats.Percentile(exact, 95))} | {boundMs:F1} | {exactP50 / boundMs:F2}× | {readBoundMs:F1} | {exactP50 / readBoundMs:F2}× | {Stats.F(quantizedP50)} / {Stats.F(Stats.Percentile(quantized, 95))} | {exactP50 / quantizedP50:F1}× | {recall.Average():F3} |");
            log.WriteLine($"scan {size:N0}: exact {exactP50:F1} ms, int8 {quantizedP50:F1} ms, recall {recall.Average():F3}");
        }

        return md.ToString();
    }

    private static VectorCache Build(IReadOnlyList<IndexedArticle> real, int size, Random random)
    {
        var dimensions = real.First(a => a.Passages.Count > 0).Passages[0].Vector.Length;
        var cache = new VectorCache(0, dimensions, size);
        var id = 0L;
        for (var copy = 0; id < size; copy++)
        {
            foreach (var article in real)
            {
                foreach (var passage in article.Passages)
                {
                    if (id >= size)
                    {
                        return cache;
                    }

                    var vector = SyntheticIndex.Perturb(passage.Vector.Span, random);
                    cache.Add(id++, $"{article.Article.Id}~{copy}", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray());
                }
            }
        }

        return cache;
    }
}
