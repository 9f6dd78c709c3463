using System.Text;
using Clippings.Text;

namespace Clippings.Storage.Qdrant;

/// <summary>
/// Turns text into the sparse vector Qdrant searches lexically: the same analyzed terms the SQLite index puts in FTS5
/// (<see cref="LexicalAnalyzer"/>), each term hashed to a stable 32-bit index (FNV-1a of its UTF-8 bytes, the same on every
/// machine and run), weighted with BM25's term-frequency saturation and length normalization. The collection's sparse
/// vector uses Qdrant's <c>idf</c> modifier, so the server multiplies in the inverse document frequency: together, BM25.
/// </summary>
/// <remarks>
/// Collisions: two terms that hash to the same index become one dimension. Within one vector their weights are summed
/// (Qdrant rejects duplicate indices); across the archive they share an IDF. With 2^32 indices and a vocabulary of a
/// million stems about a hundred pairs collide, almost all between rare words, which only makes those words match each
/// other; nothing is lost and no term is dropped.
/// BM25 needs the average passage length; Qdrant does not keep it, so a fixed estimate of the chunker's passage length
/// (in analyzed terms) is used, which only changes how strongly long passages are penalized.
/// </remarks>
internal static class LexicalSparseEncoder
{
    public const float K1 = 1.2f;
    public const float B = 0.75f;
    public const float AverageTerms = 100f;

    /// <summary>At most this many distinct query terms, like the SQLite index's lexical search.</summary>
    public const int MaxQueryTerms = 64;

    public static uint TermIndex(string term)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(term))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }

    /// <summary>A passage's sparse vector: indices ascending, BM25 term-frequency weights.</summary>
    public static SparseTerms EncodePassage(string text)
    {
        var terms = LexicalAnalyzer.Analyze(text);
        var lengthNorm = K1 * (1 - B + (B * terms.Count / AverageTerms));
        var weights = new SortedDictionary<uint, float>();
        foreach (var group in terms.GroupBy(t => t, StringComparer.Ordinal))
        {
            var tf = group.Count();
            var weight = tf * (K1 + 1) / (tf + lengthNorm);
            var index = TermIndex(group.Key);
            weights[index] = weights.GetValueOrDefault(index) + weight;
        }

        return new SparseTerms([.. weights.Keys], [.. weights.Values]);
    }

    /// <summary>A query's sparse vector: each distinct term once (weight 1; colliding terms add up).</summary>
    public static SparseTerms EncodeQuery(string text)
    {
        var weights = new SortedDictionary<uint, float>();
        foreach (var term in LexicalAnalyzer.Analyze(text).Distinct(StringComparer.Ordinal).Take(MaxQueryTerms))
        {
            var index = TermIndex(term);
            weights[index] = weights.GetValueOrDefault(index) + 1f;
        }

        return new SparseTerms([.. weights.Keys], [.. weights.Values]);
    }
}

/// <summary>A sparse vector as Qdrant takes it: parallel arrays, indices unique and ascending.</summary>
internal sealed record SparseTerms(uint[] Indices, float[] Values)
{
    public bool IsEmpty => Indices.Length == 0;
}
