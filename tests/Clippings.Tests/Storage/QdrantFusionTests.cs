using Clippings.Archive;
using Clippings.Storage;
using Clippings.Storage.Qdrant;
using Clippings.Cli.Benchmarks;
using Qdrant.Client.Grpc;

namespace Clippings.Tests.Storage;

/// <summary>
/// Hybrid search on every supported server: from 1.15.4 the server fuses (RRF with k sent), before that the client fuses
/// the two legs itself. Both must rank exactly as the SQLite index ranks (1 / (60 + rank), ranks from 1).
/// </summary>
public sealed class QdrantFusionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Six one-passage articles; the legs' orders are fixed by the fake server below.
    private static readonly string[] Ids = ["a", "b", "c", "d", "e", "f"];
    private static readonly string[] DenseLeg = ["a", "b", "c", "d", "e"];
    private static readonly string[] LexicalLeg = ["c", "a", "f", "b"];

    private static IndexedArticle Piece(string id) =>
        ArchiveIndexContract.Make(new Article { Id = id, Title = "Piece " + id, Authors = ["Mara Quinn"], Published = new DateOnly(2022, 1, 1), Text = $"Harbour notes {id}." }, [1, 0, 0, 0]);

    /// <summary>A server that answers the hybrid legs with the fixed orders, fusing as Qdrant's rrf_scoring does when asked.</summary>
    private static async Task<(QdrantArchiveIndex Index, RecordingQdrantClient Recorder)> CreateAsync(string version)
    {
        var (client, recorder) = RecordingQdrantClient.Create();
        ScoredPoint Scored(string id, float score)
        {
            var point = QdrantRequests.PassagePoint(Piece(id).Article, Piece(id).Passages[0]);
            return new ScoredPoint
            {
                Id = point.Id, Score = score, Payload = { point.Payload },
                Vectors = new VectorsOutput { Vectors = new NamedVectorsOutput { Vectors = { ["dense"] = new VectorOutput { Dense = new DenseVector { Data = { 0.6f, 0.8f, 0, 0 } } } } } },
            };
        }

        List<ScoredPoint> Leg(string? name) => (name == "dense" ? DenseLeg : LexicalLeg).Select((id, i) => Scored(id, 1f - (i * 0.1f))).ToList();
        var (memoryClient, memory) = InMemoryQdrant.Create();
        memory.Version = version;
        recorder.Fallback = memoryClient;
        recorder.Respond = (method, args) => method switch
        {
            "QueryBatchAsync" => ((IReadOnlyList<QueryPoints>)args["queries"]!).Select(q => new BatchResult { Result = { Leg(q.Using) } }).ToList(),
            "QueryAsync" => ServerRrf((Query)args["query"]!, (IReadOnlyList<PrefetchQuery>)args["prefetch"]!, Leg, (ulong)args["limit"]!),
            _ => null,
        };
        var index = new QdrantArchiveIndex(client, "http://qdrant.test:6334", "clip", new QdrantScaleOptions());
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        await ((IArchiveIndex)index).UpsertArticlesAsync(Ids.Select(Piece).ToList(), None);
        return (index, recorder);
    }

    /// <summary>Qdrant's RRF (lib/segment/src/common/reciprocal_rank_fusion.rs): 1 / (position + k) in f32, positions from 0.</summary>
    private static List<ScoredPoint> ServerRrf(Query query, IReadOnlyList<PrefetchQuery> prefetch, Func<string?, List<ScoredPoint>> leg, ulong limit)
    {
        Assert.Equal(Query.VariantOneofCase.Rrf, query.VariantCase);
        var k = (int)query.Rrf.K;
        var fused = new Dictionary<PointId, ScoredPoint>();
        foreach (var points in prefetch.Select(p => leg(p.Using).Take((int)p.Limit)))
        {
            foreach (var (point, position) in points.Select((p, i) => (p, i)))
            {
                var score = 1f / (position + k);
                if (fused.TryGetValue(point.Id, out var known))
                {
                    known.Score += score;
                }
                else
                {
                    var copy = point.Clone();
                    copy.Score = score;
                    fused[point.Id] = copy;
                }
            }
        }

        return fused.Values.OrderByDescending(p => p.Score).Take((int)limit).ToList();
    }

    private static PassageQuery Hybrid(int limit) => new("harbour notes", new float[] { 0.6f, 0.8f, 0, 0 }, SearchFilter.None, SearchMode.Hybrid, limit);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(59)]
    public void TheServersKCountedFromZeroScoresLikeTheSqliteIndexCountingFromOne(int position)
    {
        Assert.Equal(1.0 / (60 + position + 1), 1.0 / (QdrantFusion.ServerK + position), 12);
    }

    [Fact]
    public async Task OldAndNewServersRankAHybridSearchTheSameAndAsTheSqliteIndexWould()
    {
        var (modern, modernCalls) = await CreateAsync("1.16.0");
        var (old, oldCalls) = await CreateAsync("1.14.1");

        var byServer = await modern.SearchAsync(Hybrid(6), None);
        var byClient = await old.SearchAsync(Hybrid(6), None);

        // SQLite's fusion by hand: a = 1/61 + 1/62, c = 1/63 + 1/61, b = 1/62 + 1/64, f = 1/63, d = 1/64, e = 1/65.
        string[] expected = ["a", "c", "b", "f", "d", "e"];
        Assert.Equal(expected, byServer.Select(h => h.Article.Id));
        Assert.Equal(expected, byClient.Select(h => h.Article.Id));
        Assert.Equal((1.0 / 61) + (1.0 / 62), byClient[0].Score, 12);
        Assert.Equal(byServer.Select(h => h.Score), byClient.Select(h => h.Score), new ToleranceComparer(1e-6));

        // The client path carries each leg's rank (what the lexical re-weighting reads), like the SQLite index.
        Assert.Equal((1, 2), (byClient[0].DenseRank, byClient[0].LexicalRank));
        Assert.Equal((null, 3), (byClient[3].DenseRank, byClient[3].LexicalRank));
        // The cosine is the dense leg's score, or computed from the vector the lexical leg brought (f is lexical only).
        Assert.Equal([1.0, 0.8, 0.9, 1.0, 0.7, 0.6], byClient.Select(h => Math.Round(h.DenseScore!.Value, 5)));

        var sent = modernCalls.CallsTo("QueryAsync").Single();
        Assert.Equal(61u, ((Query)sent["query"]!).Rrf.K);
        Assert.Empty(modernCalls.CallsTo("QueryBatchAsync"));

        Assert.Empty(oldCalls.CallsTo("QueryAsync"));
        var legs = (IReadOnlyList<QueryPoints>)oldCalls.CallsTo("QueryBatchAsync").Single()["queries"]!;
        Assert.Equal(["dense", "lexical"], legs.Select(l => l.Using));
        Assert.All(legs, l => Assert.Equal(60ul, l.Limit));
        Assert.Single(oldCalls.CallsTo("HealthAsync"));
    }

    [Fact]
    public async Task ASearchThatNeedsEachLegsRankIsFusedOnTheClientEvenWhereTheServerCouldFuse()
    {
        // The retriever re-weighs the lexical leg from the legs' ranks; server-fused hits carry none.
        var (modern, calls) = await CreateAsync("1.16.0");
        var hits = await modern.SearchAsync(Hybrid(6) with { WithLegRanks = true }, None);
        Assert.Equal(["a", "c", "b", "f", "d", "e"], hits.Select(h => h.Article.Id));
        Assert.Equal((1, 2), (hits[0].DenseRank, hits[0].LexicalRank));
        Assert.Empty(calls.CallsTo("QueryAsync"));
        Assert.Single(calls.CallsTo("QueryBatchAsync"));
    }

    [Fact]
    public async Task TheVersionIsReadOnceAndAServerOlderThanSupportedIsRefusedWithWhatToDo()
    {
        var (index, recorder) = await CreateAsync("1.16.0");
        await index.SearchAsync(Hybrid(3), None);
        await index.SearchAsync(Hybrid(3), None);
        Assert.Single(recorder.CallsTo("HealthAsync"));

        var (client, old) = InMemoryQdrant.Create();
        old.Version = "1.9.2";
        var refused = new QdrantArchiveIndex(client, "http://qdrant.test:6334", "clip", new QdrantScaleOptions());
        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => refused.OpenAsync(new EmbeddingSpace("e", 4), None));
        Assert.Contains("version 1.9.2; Clippings needs 1.12 or newer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.15.4", true, false)]
    [InlineData("v1.15.3", false, false)]
    [InlineData("1.16.0-dev", true, true)]
    [InlineData("1.12.6", false, false)]
    public void VersionsAreReadFromTheHealthCheck(string text, bool rrf, bool conditional)
    {
        var version = QdrantServerVersion.Parse(text)!;
        Assert.Equal((rrf, conditional, true), (version.ParameterisedRrf, version.ConditionalUpsert, version.Supported));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
