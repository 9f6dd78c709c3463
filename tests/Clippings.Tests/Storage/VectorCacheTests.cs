using System.Runtime.InteropServices;
using Clippings.Storage.Sqlite;

namespace Clippings.Tests.Storage;

/// <summary>The int8 scan (used from 500k passages) must find what the exact scan finds, with exact cosines.</summary>
public sealed class VectorCacheTests
{
    private const int Dimensions = 384;

    [Fact]
    public void QuantizedScanFindsTheExactNeighboursWithExactScores()
    {
        var random = new Random(7);
        // Clustered vectors, as real embeddings are: neighbours are close, so int8 rounding is what could reorder them.
        var centres = Enumerable.Range(0, 20).Select(_ => RandomUnit(random)).ToList();
        var cache = new VectorCache(0, Dimensions, 5000);
        for (var id = 0; id < 5000; id++)
        {
            var vector = Perturb(centres[id % centres.Count], random, 0.3f);
            cache.Add(id, $"a{id / 10}", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray());
        }

        var overlaps = new List<double>();
        for (var q = 0; q < 20; q++)
        {
            var query = Perturb(centres[q % centres.Count], random, 0.3f);
            var exact = cache.Search(query, null, 40);
            var quantized = cache.SearchQuantized(query, null, 40);

            Assert.Equal(40, quantized.Count);
            foreach (var (id, cosine) in quantized)
            {
                Assert.Equal(cache.Cosine(id, query)!.Value, cosine, 5);
            }

            Assert.True(quantized.Zip(quantized.Skip(1)).All(p => p.First.Cosine >= p.Second.Cosine), "results are best first");
            overlaps.Add(exact.Select(e => e.Id).Intersect(quantized.Select(h => h.Id)).Count() / 40.0);
        }

        Assert.True(overlaps.Average() >= 0.95, $"recall@40 of the int8 scan against exact: {overlaps.Average():F3}");
    }

    [Fact]
    public void QuantizedScanHonoursTheArticleFilter()
    {
        var random = new Random(11);
        var cache = new VectorCache(0, Dimensions, 600);
        for (var id = 0; id < 600; id++)
        {
            cache.Add(id, $"a{id % 6}", MemoryMarshal.AsBytes(RandomUnit(random).AsSpan()).ToArray());
        }

        Assert.True(cache.TryGetArticleOrdinal("a3", out var ordinal));
        var allowed = new bool[cache.ArticleCount];
        allowed[ordinal] = true;

        var hits = cache.SearchQuantized(RandomUnit(random), allowed, 200);
        Assert.Equal(100, hits.Count);
        Assert.All(hits, h => Assert.Equal(3, h.Id % 6));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(1003)]
    [InlineData(20_003)]
    public void ExactScanFindsTheBruteForceNeighbours(int rows)
    {
        // Sizes around the four-row kernel's blocks and the parallel split (20,000 rows), with a remainder row in each.
        var random = new Random(rows);
        var vectors = Enumerable.Range(0, rows).Select(_ => RandomUnit(random)).ToList();
        var cache = new VectorCache(0, Dimensions, rows);
        for (var id = 0; id < rows; id++)
        {
            cache.Add(id, $"a{id / 10}", MemoryMarshal.AsBytes(vectors[id].AsSpan()).ToArray());
        }

        for (var q = 0; q < 3; q++)
        {
            var query = RandomUnit(random);
            var expected = vectors.Select((v, id) => (Id: (long)id, Cosine: (double)v.Zip(query, (a, b) => a * b).Sum()))
                .OrderByDescending(e => e.Cosine).Take(40).ToList();

            var hits = cache.Search(query, null, 40);

            // Summation order differs from the brute force (SIMD width), so rows within 1e-5 of each other may swap places.
            Assert.Equal(Math.Min(40, rows), hits.Count);
            Assert.All(hits, h => Assert.Equal(vectors[(int)h.Id].Zip(query, (a, b) => a * b).Sum(), h.Cosine, 4));
            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Cosine >= p.Second.Cosine - 1e-6), "results are best first");
            var cutoff = expected[^1].Cosine;
            Assert.Subset(hits.Select(h => h.Id).ToHashSet(), expected.Where(e => e.Cosine > cutoff + 1e-5).Select(e => e.Id).ToHashSet());
            Assert.All(hits, h => Assert.True(h.Cosine >= cutoff - 1e-5));
        }
    }

    private static float[] RandomUnit(Random random) => Normalize(Enumerable.Range(0, Dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());

    private static float[] Perturb(float[] centre, Random random, float amount) =>
        Normalize(centre.Select(v => v + (amount * (float)(random.NextDouble() * 2 - 1) / MathF.Sqrt(Dimensions) * 4)).ToArray());

    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }
}
