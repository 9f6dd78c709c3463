using Clippings.Storage.Sqlite;
using Qdrant.Client.Grpc;

namespace Clippings.Storage.Qdrant;

/// <summary>
/// Reciprocal rank fusion of a hybrid search's legs on the client, for servers without parameterised RRF (their fixed
/// k is 2, which would rank differently from the SQLite index). The formula is the SQLite index's exactly: a passage at
/// rank r (from 1) in a leg adds 1 / (k + r) with k = <see cref="SqliteArchiveIndex.RrfK"/>. Qdrant's own RRF adds
/// 1 / (k + position) with positions from 0, so the server is sent k + 1 (<see cref="ServerK"/>) for the same scores.
/// </summary>
internal static class QdrantFusion
{
    public const int K = SqliteArchiveIndex.RrfK;

    /// <summary>The k that makes the server's RRF (positions from 0) score like the SQLite index (ranks from 1).</summary>
    public const uint ServerK = K + 1;

    /// <summary>One fused candidate: its point (payload, maybe vectors), fused score, cosine when known, rank in each leg.</summary>
    public sealed record Candidate(ScoredPoint Point, double Score, double? Cosine, int? DenseRank, int? LexicalRank);

    /// <summary>
    /// Fuses the legs' ranked points (either may be empty), best first; equal scores keep the order in which the passages
    /// first appeared (the dense leg first), so the result is deterministic.
    /// </summary>
    public static IReadOnlyList<Candidate> Fuse(IReadOnlyList<ScoredPoint> dense, IReadOnlyList<ScoredPoint> lexical)
    {
        var byId = new Dictionary<PointId, (int Order, Candidate Candidate)>();
        for (var i = 0; i < dense.Count; i++)
        {
            var point = dense[i];
            byId.TryAdd(point.Id, (byId.Count, new Candidate(point, Contribution(i), point.Score, i + 1, null)));
        }

        for (var i = 0; i < lexical.Count; i++)
        {
            var point = lexical[i];
            if (byId.TryGetValue(point.Id, out var known))
            {
                var c = known.Candidate;
                byId[point.Id] = (known.Order, c with { Score = c.Score + Contribution(i), LexicalRank = i + 1 });
            }
            else
            {
                byId[point.Id] = (byId.Count, new Candidate(point, Contribution(i), null, null, i + 1));
            }
        }

        return byId.Values.OrderByDescending(v => v.Candidate.Score).ThenBy(v => v.Order).Select(v => v.Candidate).ToList();
    }

    private static double Contribution(int position) => 1.0 / (K + position + 1);
}
