using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Clippings.Storage.Sqlite;

/// <summary>
/// An in-memory inverted index over the analyzed terms of one index snapshot, ranked with BM25 exactly as SQLite FTS5's
/// <c>bm25()</c> does (k1 = 1.2, b = 0.75, idf = ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6), so rankings match the FTS5
/// table it is loaded from. FTS5 computes bm25 through its auxiliary-function API for every matching row before sorting
/// (40–90 ms at 100k passages on 2 cores); here scoring is a pass over compact posting arrays into an accumulator.
/// Rows are the <see cref="VectorCache"/>'s rows, so the same article bitmap filters both searches.
/// </summary>
internal sealed class Bm25Index
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _rowCounts = [];
    private bool _frozen;
    private int _rowCount;
    private long _totalLength;
    private long _postingCount;
    private int[] _rowLength = [];

    // Per term: the rows containing it (ascending) and how often. Grown by doubling while building, trimmed on Freeze,
    // so loading never holds more than about twice the final postings (a flat list of (row, term, count) held 4–5×).
    private int[][] _postingRows = [];
    private ushort[][] _postingCounts = [];
    private int[] _postingLengths = [];
    private float[] _rowNorm = [];

    // Score accumulators of RowCount entries, handed back all-zero: a search clears only the entries it touched.
    // (ArrayPool.Shared cannot be used: other code returns its arrays dirty.)
    private readonly ConcurrentBag<float[]> _accumulators = [];

    public int RowCount => _rowCount;

    public int TermCount => _termIds.Count;

    public long PostingCount => _postingCount;

    /// <summary>Adds a row's space-separated analyzed terms (as stored in the FTS5 table). Rows must be added in ascending order.</summary>
    public void Add(int row, string terms)
    {
        if (_frozen)
        {
            throw new InvalidOperationException("The index is frozen.");
        }

        if (row < _rowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(row), "Rows must be added in ascending order.");
        }

        if (row >= _rowLength.Length)
        {
            Array.Resize(ref _rowLength, Math.Max(row + 1, _rowLength.Length * 2));
        }

        var lookup = _termIds.GetAlternateLookup<ReadOnlySpan<char>>();
        var text = terms.AsSpan();
        var length = 0;
        _rowCounts.Clear();
        foreach (var range in text.Split(' '))
        {
            var term = text[range];
            if (term.IsEmpty)
            {
                continue;
            }

            length++;
            if (!lookup.TryGetValue(term, out var id))
            {
                id = _termIds.Count;
                lookup[term] = id;
                if (id == _postingRows.Length)
                {
                    var capacity = Math.Max(1024, id * 2);
                    Array.Resize(ref _postingRows, capacity);
                    Array.Resize(ref _postingCounts, capacity);
                    Array.Resize(ref _postingLengths, capacity);
                }

                _postingRows[id] = new int[2];
                _postingCounts[id] = new ushort[2];
            }

            _rowCounts[id] = _rowCounts.GetValueOrDefault(id) + 1;
        }

        foreach (var (term, count) in _rowCounts)
        {
            var at = _postingLengths[term]++;
            if (at == _postingRows[term].Length)
            {
                Array.Resize(ref _postingRows[term], at * 2);
                Array.Resize(ref _postingCounts[term], at * 2);
            }

            _postingRows[term][at] = row;
            _postingCounts[term][at] = (ushort)Math.Min(count, ushort.MaxValue);
        }

        _postingCount += _rowCounts.Count;
        _rowLength[row] = length;
        _totalLength += length;
        _rowCount = row + 1;
    }

    /// <summary>Trims the posting arrays and fixes the length normalisation; the index is read-only (and safe for concurrent searches) afterwards.</summary>
    public void Freeze()
    {
        if (_frozen)
        {
            throw new InvalidOperationException("The index is already frozen.");
        }

        var terms = _termIds.Count;
        Array.Resize(ref _postingRows, terms);
        Array.Resize(ref _postingCounts, terms);
        for (var t = 0; t < terms; t++)
        {
            Array.Resize(ref _postingRows[t], _postingLengths[t]);
            Array.Resize(ref _postingCounts[t], _postingLengths[t]);
        }

        _postingLengths = [];

        // BM25's length normalisation depends on the row alone: k1 · (1 − b + b · length / average length), computed once.
        var averageLength = _rowCount == 0 ? 1 : (float)((double)_totalLength / _rowCount);
        _rowNorm = new float[_rowCount];
        for (var row = 0; row < _rowCount; row++)
        {
            _rowNorm[row] = K1 * (1 - B + (B * _rowLength[row] / averageLength));
        }

        _rowLength = [];
        _rowCounts.Clear();
        _rowCounts.TrimExcess();
        _frozen = true;
    }

    /// <summary>
    /// The k rows with the highest BM25 score for any of the terms (an OR query), best first; rows whose article is not
    /// allowed (when <paramref name="allowedArticles"/> is given) are skipped. Scores are positive (FTS5's bm25() negated).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public List<(int Row, float Score)> Search(IReadOnlyList<string> terms, ReadOnlySpan<int> rowArticle, bool[]? allowedArticles, int k)
    {
        if (!_frozen)
        {
            throw new InvalidOperationException("Freeze the index before searching it.");
        }

        if (k <= 0 || _rowCount == 0 || terms.Count == 0)
        {
            return [];
        }

        var scores = _accumulators.TryTake(out var free) ? free : new float[_rowCount];
        var touched = ArrayPool<int>.Shared.Rent(Math.Min(_rowCount, PostingsOf(terms)) + 1);
        var touchedCount = 0;
        try
        {
            foreach (var term in terms.Distinct(StringComparer.Ordinal))
            {
                if (!_termIds.TryGetValue(term, out var id))
                {
                    continue;
                }

                var rows = _postingRows[id];
                var counts = _postingCounts[id];
                var documents = rows.Length;
                var idf = MathF.Log((_rowCount - documents + 0.5f) / (documents + 0.5f));
                if (idf <= 0)
                {
                    idf = 1e-6f;
                }

                for (var p = 0; p < rows.Length; p++)
                {
                    var row = rows[p];
                    if (allowedArticles is not null && !allowedArticles[rowArticle[row]])
                    {
                        continue;
                    }

                    float count = counts[p];
                    var score = idf * count * (K1 + 1) / (count + _rowNorm[row]);
                    if (scores[row] == 0)
                    {
                        touched[touchedCount++] = row;
                    }

                    scores[row] += score;
                }
            }

            var heap = new PriorityQueue<int, (float Score, int NegativeRow)>(k + 1);
            for (var i = 0; i < touchedCount; i++)
            {
                var row = touched[i];
                var key = (scores[row], -row);
                if (heap.Count < k)
                {
                    heap.Enqueue(row, key);
                }
                else if (heap.TryPeek(out _, out var lowest) && key.CompareTo(lowest) > 0)
                {
                    heap.DequeueEnqueue(row, key);
                }
            }

            var results = new List<(int Row, float Score)>(heap.Count);
            while (heap.TryDequeue(out var row, out var key))
            {
                results.Add((row, key.Score));
            }

            results.Reverse();
            return results;
        }
        finally
        {
            // Only the touched entries were written: clearing them is cheaper than clearing the whole rented array.
            for (var i = 0; i < touchedCount; i++)
            {
                scores[touched[i]] = 0;
            }

            _accumulators.Add(scores);
            ArrayPool<int>.Shared.Return(touched);
        }
    }

    private int PostingsOf(IReadOnlyList<string> terms)
    {
        var total = 0;
        foreach (var term in terms)
        {
            if (_termIds.TryGetValue(term, out var id))
            {
                total += _postingRows[id].Length;
            }
        }

        return total;
    }
}
