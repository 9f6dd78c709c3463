using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Clippings.Storage.Sqlite;

/// <summary>
/// All passage vectors of one index snapshot in one contiguous row-major matrix, searched exactly:
/// a dot product per row (vectors are unit length, so dot = cosine), top-k kept in a small heap,
/// split across cores for large archives. Rows are grouped by article so filters become an article bitmap.
/// </summary>
internal sealed class VectorCache
{
    private const int ParallelThreshold = 20_000;

    /// <summary>From this many rows the scan reads int8 codes (a quarter of the bytes) and rescores exactly; below it, exact only.</summary>
    public const int QuantizedThreshold = 500_000;

    /// <summary>Candidates kept from the int8 scan per result, then rescored with the float vectors.</summary>
    public const int Oversample = 4;

    private sbyte[]? _codes;
    private float[]? _scales;

    private float[] _matrix;
    private long[] _ids;
    private int[] _rowArticle;
    private readonly Dictionary<string, int> _articleOrdinals = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _rowById;

    public VectorCache(long generation, int dimensions, int capacity)
    {
        Generation = generation;
        Dimensions = dimensions;
        _matrix = new float[Math.Max(capacity, 1) * Math.Max(dimensions, 1)];
        _ids = new long[Math.Max(capacity, 1)];
        _rowArticle = new int[Math.Max(capacity, 1)];
        _rowById = new Dictionary<long, int>(capacity);
    }

    public long Generation { get; }
    public int Dimensions { get; private set; }
    public int Count { get; private set; }
    public int ArticleCount => _articleOrdinals.Count;

    /// <summary>Adds a passage's vector; returns its row, or −1 when the vector has another dimension than the rest (it is skipped).</summary>
    public int Add(long id, string articleId, byte[] blob)
    {
        var vector = MemoryMarshal.Cast<byte, float>(blob);
        if (Dimensions == 0)
        {
            Dimensions = vector.Length;
            _matrix = new float[_ids.Length * Dimensions];
        }

        if (vector.Length != Dimensions)
        {
            return -1;
        }

        if (Count == _ids.Length)
        {
            Array.Resize(ref _ids, Count * 2);
            Array.Resize(ref _rowArticle, Count * 2);
            Array.Resize(ref _matrix, Count * 2 * Dimensions);
        }

        vector.CopyTo(_matrix.AsSpan(Count * Dimensions, Dimensions));
        _ids[Count] = id;
        if (!_articleOrdinals.TryGetValue(articleId, out var ordinal))
        {
            ordinal = _articleOrdinals.Count;
            _articleOrdinals[articleId] = ordinal;
        }

        _rowArticle[Count] = ordinal;
        _rowById[id] = Count;
        return Count++;
    }

    /// <summary>The article ordinal of each row (what an article bitmap from <see cref="TryGetArticleOrdinal"/> indexes).</summary>
    public ReadOnlySpan<int> RowArticles => _rowArticle.AsSpan(0, Count);

    public long IdOf(int row) => _ids[row];

    public bool TryGetArticleOrdinal(string articleId, out int ordinal) => _articleOrdinals.TryGetValue(articleId, out ordinal);

    public double? Cosine(long id, ReadOnlySpan<float> query) =>
        _rowById.TryGetValue(id, out var row) && query.Length == Dimensions
            ? TensorPrimitives.Dot(_matrix.AsSpan(row * Dimensions, Dimensions), query)
            : null;

    /// <summary>The k rows most similar to the query among allowed articles (null = all), best first.</summary>
    public List<(long Id, double Cosine)> Search(ReadOnlySpan<float> query, bool[]? allowedArticles, int k)
    {
        if (Count == 0 || k <= 0)
        {
            return [];
        }

        var queryArray = query.ToArray();
        if (Count < ParallelThreshold)
        {
            return ToSortedList(ScanRange(queryArray, allowedArticles, k, 0, Count));
        }

        var parts = Environment.ProcessorCount;
        var chunk = (Count + parts - 1) / parts;
        var heaps = new PriorityQueue<int, float>[parts];
        Parallel.For(0, parts, p => heaps[p] = ScanRange(queryArray, allowedArticles, k, p * chunk, Math.Min(Count, (p + 1) * chunk)));
        var merged = new PriorityQueue<int, float>(k + 1);
        var threshold = float.NegativeInfinity;
        foreach (var heap in heaps)
        {
            while (heap.TryDequeue(out var row, out var score))
            {
                Offer(merged, k, row, score, ref threshold);
            }
        }

        return ToSortedList(merged);
    }

    /// <summary>
    /// The k rows most similar to the query, scanning int8 codes (per-row symmetric scale) for k × <see cref="Oversample"/>
    /// candidates and rescoring those with the float vectors, so the returned cosines are exact; recall is measured by the bench.
    /// </summary>
    public List<(long Id, double Cosine)> SearchQuantized(ReadOnlySpan<float> query, bool[]? allowedArticles, int k)
    {
        if (Count == 0 || k <= 0)
        {
            return [];
        }

        EnsureCodes();
        var queryCodes = new sbyte[Dimensions];
        Quantize(query, queryCodes);
        var candidates = k * Oversample;
        var parts = Count < ParallelThreshold ? 1 : Environment.ProcessorCount;
        var chunk = (Count + parts - 1) / parts;
        var heaps = new PriorityQueue<int, float>[parts];
        Parallel.For(0, parts, p => heaps[p] = ScanCodes(queryCodes, allowedArticles, candidates, p * chunk, Math.Min(Count, (p + 1) * chunk)));
        var rescored = new PriorityQueue<int, float>(k + 1);
        var threshold = float.NegativeInfinity;
        var exactQuery = query.ToArray();
        foreach (var heap in heaps)
        {
            while (heap.TryDequeue(out var row, out _))
            {
                Offer(rescored, k, row, TensorPrimitives.Dot(_matrix.AsSpan(row * Dimensions, Dimensions), exactQuery), ref threshold);
            }
        }

        return ToSortedList(rescored);
    }

    /// <summary>Builds the int8 codes once per snapshot (a quarter of the float matrix's memory).</summary>
    public void EnsureCodes()
    {
        if (_codes is not null)
        {
            return;
        }

        lock (_articleOrdinals)
        {
            if (_codes is not null)
            {
                return;
            }

            var codes = new sbyte[Count * Dimensions];
            var scales = new float[Count];
            Parallel.For(0, Count, row => scales[row] = Quantize(_matrix.AsSpan(row * Dimensions, Dimensions), codes.AsSpan(row * Dimensions, Dimensions)));
            _scales = scales;
            _codes = codes;
        }
    }

    private static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        // MaxMagnitude returns the element itself, sign included: a row whose largest element is negative needs its absolute value.
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        var scale = max > 0 ? max / 127f : 1f;
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = (sbyte)Math.Round(vector[i] / scale);
        }

        return scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PriorityQueue<int, float> ScanCodes(sbyte[] query, bool[]? allowedArticles, int k, int from, int to)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        var codes = _codes!;
        var scales = _scales!;
        var dimensions = Dimensions;
        var threshold = float.NegativeInfinity;
        for (var row = from; row < to; row++)
        {
            if (allowedArticles is not null && !allowedArticles[_rowArticle[row]])
            {
                continue;
            }

            // The query's own scale is the same for every row, so it is left out of the ranking score.
            var score = DotInt8(codes.AsSpan(row * dimensions, dimensions), query) * scales[row];
            Offer(heap, k, row, score, ref threshold);
        }

        return heap;
    }

    /// <summary>Keeps the k best rows in a min-heap; <paramref name="threshold"/> is the score a row must beat once it is full.</summary>
    private static void Offer(PriorityQueue<int, float> heap, int k, int row, float score, ref float threshold)
    {
        if (heap.Count < k)
        {
            heap.Enqueue(row, score);
            if (heap.Count == k)
            {
                heap.TryPeek(out _, out threshold);
            }
        }
        else if (score > threshold)
        {
            heap.DequeueEnqueue(row, score);
            heap.TryPeek(out _, out threshold);
        }
    }

    /// <summary>Dot product of two int8 vectors: AVX2 multiply-add of bytes into 16-bit pairs, then 32-bit sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DotInt8(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var i = 0;
        var sum = 0;
        if (Avx2.IsSupported && a.Length >= 32)
        {
            var accumulator = Vector256<int>.Zero;
            var ones = Vector256.Create((short)1);
            ref var left = ref MemoryMarshal.GetReference(a);
            ref var right = ref MemoryMarshal.GetReference(b);
            for (; i <= a.Length - 32; i += 32)
            {
                var x = Vector256.LoadUnsafe(ref left, (nuint)i);
                var y = Vector256.LoadUnsafe(ref right, (nuint)i);

                // maddubs needs an unsigned left operand: |x| with x's sign moved onto y. |x|,|y| ≤ 127 cannot saturate.
                var pairs = Avx2.MultiplyAddAdjacent(Avx2.Abs(x), Avx2.Sign(y, x));
                accumulator = Avx2.Add(accumulator, Avx2.MultiplyAddAdjacent(pairs, ones));
            }

            sum = Vector256.Sum(accumulator);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    // The scan loops are compiled fully optimized at once: under tiered JIT the first searches after a start ran
    // unoptimized code until the tier-up delay passed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PriorityQueue<int, float> ScanRange(float[] query, bool[]? allowedArticles, int k, int from, int to)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        var dimensions = Dimensions;
        var matrix = _matrix.AsSpan();
        var threshold = float.NegativeInfinity;
        var row = from;
        if (allowedArticles is null && Fma.IsSupported && dimensions % Vector256<float>.Count == 0)
        {
            // Four rows per pass share each load of the query: the scan stays bound by memory, not by loads.
            Span<float> scores = stackalloc float[4];
            for (; row + 4 <= to; row += 4)
            {
                DotFourRows(ref matrix[row * dimensions], query, dimensions, scores);
                for (var j = 0; j < 4; j++)
                {
                    Offer(heap, k, row + j, scores[j], ref threshold);
                }
            }
        }

        for (; row < to; row++)
        {
            if (allowedArticles is not null && !allowedArticles[_rowArticle[row]])
            {
                continue;
            }

            var score = TensorPrimitives.Dot(matrix.Slice(row * dimensions, dimensions), query);
            Offer(heap, k, row, score, ref threshold);
        }

        return heap;
    }

    /// <summary>Dot products of the query with four consecutive rows (AVX2 FMA, one accumulator per row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void DotFourRows(ref float rows, float[] query, int dimensions, Span<float> scores)
    {
        ref var q = ref MemoryMarshal.GetArrayDataReference(query);
        var stride = (nuint)dimensions;
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        for (nuint d = 0; d < stride; d += (nuint)Vector256<float>.Count)
        {
            var x = Vector256.LoadUnsafe(ref q, d);
            a0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref rows, d), x, a0);
            a1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref rows, d + stride), x, a1);
            a2 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref rows, d + (2 * stride)), x, a2);
            a3 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref rows, d + (3 * stride)), x, a3);
        }

        scores[0] = Vector256.Sum(a0);
        scores[1] = Vector256.Sum(a1);
        scores[2] = Vector256.Sum(a2);
        scores[3] = Vector256.Sum(a3);
    }

    private List<(long Id, double Cosine)> ToSortedList(PriorityQueue<int, float> heap)
    {
        var list = new List<(long, double)>(heap.Count);
        while (heap.TryDequeue(out var row, out var score))
        {
            list.Add((_ids[row], score));
        }

        list.Reverse();
        return list;
    }
}
