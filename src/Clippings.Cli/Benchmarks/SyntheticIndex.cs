using Clippings.Archive;
using Clippings.Storage;
using Clippings.Storage.Sqlite;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// Builds a large index through the index API from a real one: every article copied under new ids until the
/// passage count is reached, texts repeated, vectors the real ones plus Gaussian noise, renormalised
/// (cosine ≈ 0.96 to the original), so the vector distribution and the text statistics stay realistic.
/// </summary>
internal static class SyntheticIndex
{
    private const double NoiseNorm = 0.3;

    public static async Task<string> EnsureAsync(string sourcePath, string folder, int passages, EmbeddingSpace space, TextWriter log, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, $"synthetic-{passages}.db");
        if (File.Exists(path))
        {
            await using var existing = new SqliteArchiveIndex(path);
            if ((await existing.GetStatsAsync(cancellationToken)).Passages == passages)
            {
                return path;
            }
        }

        IngestBenchmark.DeleteIndex(path);
        var source = new List<IndexedArticle>();
        await using (var real = new SqliteArchiveIndex(sourcePath))
        {
            await foreach (var article in real.ExportAsync(cancellationToken))
            {
                source.Add(article);
            }
        }

        var random = new Random(42);
        var written = 0;
        var copy = 0;
        await using var index = new SqliteArchiveIndex(path);
        await index.OpenAsync(space, cancellationToken);
        var batch = new List<IndexedArticle>();
        while (written < passages)
        {
            foreach (var original in source)
            {
                var take = Math.Min(original.Passages.Count, passages - written);
                if (take <= 0)
                {
                    break;
                }

                var article = original.Article with { Id = $"{original.Article.Id}~{copy}", Url = original.Article.Url is null ? null : $"{original.Article.Url}~{copy}" };
                batch.Add(new IndexedArticle(article, original.Passages.Take(take).Select(p => p with { Vector = Perturb(p.Vector.Span, random) }).ToList()));
                written += take;
                if (batch.Count == 500)
                {
                    await index.UpsertArticlesAsync(batch, cancellationToken);
                    batch.Clear();
                    await log.WriteLineAsync($"synthetic {passages:N0}: {written:N0} passages written");
                }
            }

            copy++;
        }

        await index.UpsertArticlesAsync(batch, cancellationToken);
        return path;
    }

    internal static float[] Perturb(ReadOnlySpan<float> vector, Random random)
    {
        var result = new float[vector.Length];
        var sigma = NoiseNorm / Math.Sqrt(vector.Length);
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            // Box–Muller: one standard normal per component.
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            result[i] = (float)(vector[i] + (sigma * gaussian));
            norm += result[i] * result[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < result.Length; i++)
        {
            result[i] *= scale;
        }

        return result;
    }
}
