using Clippings.Archive;
using Clippings.Storage;
using Clippings.Storage.Qdrant;
using Grpc.Core;
using Clippings.Cli.Benchmarks;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Clippings.Tests.Storage;

/// <summary>
/// The Qdrant index's behaviour against a recording client (no server): what it creates, the order of a replace's writes,
/// batching, retries, errors, and the current-version check on search hits.
/// </summary>
public sealed class QdrantArchiveIndexTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const string Collection = "clip";
    private const string Docs = "clip_docs";

    /// <summary>The in-memory server answers; a test overrides the calls it wants to fail or shape.</summary>
    private sealed class Server
    {
        public required InMemoryQdrant Memory { get; init; }
        public required IQdrantClient Client { get; init; }
        public Func<string, Dictionary<string, object?>, object?>? Override { get; set; }

        public object? Respond(string method, Dictionary<string, object?> args) => Override?.Invoke(method, args);
    }

    private static (QdrantArchiveIndex Index, RecordingQdrantClient Recorder, Server Server) Create(int maxRetries = 2, string version = "1.16.0")
    {
        var (client, recorder) = RecordingQdrantClient.Create();
        var (memoryClient, memory) = InMemoryQdrant.Create();
        memory.Version = version;
        var server = new Server { Memory = memory, Client = memoryClient };
        recorder.Respond = server.Respond;
        recorder.Fallback = memoryClient;
        var index = new QdrantArchiveIndex(client, "http://qdrant.test:6334", Collection, new QdrantScaleOptions { MaxRetries = maxRetries, ShardNumber = 3 });
        return (index, recorder, server);
    }

    private static IndexedArticle LongArticle(int passages)
    {
        var text = string.Join("\n\n", Enumerable.Range(0, passages).Select(i => $"Paragraph {i} about the harbour."));
        return ArchiveIndexContract.Make(new Article { Id = "long", Title = "Long", Authors = ["Mara Quinn"], Published = new DateOnly(2021, 1, 1), Text = text }, [1, 0, 0, 0]);
    }

    private static RpcException Error(StatusCode code, string detail = "test") => new(new Status(code, detail));

    [Fact]
    public async Task OpeningAnEmptyServerCreatesDocsThenPassagesWithPayloadIndexesAndTheMetaPoint()
    {
        var (index, recorder, _) = Create();
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);

        var created = recorder.CallsTo("CreateCollectionAsync").Select(a => a.Values.OfType<CreateCollection>().Single()).ToList();
        Assert.Equal([Docs, Collection], created.Select(c => c.CollectionName));
        Assert.Equal(4ul, created[1].VectorsConfig.ParamsMap.Map["dense"].Size);
        Assert.All(created, c => Assert.Equal(3u, c.ShardNumber));

        var indexes = recorder.CallsTo("CreatePayloadIndexAsync").Select(a => ((string)a["collectionName"]!, (string)a["fieldName"]!, (PayloadSchemaType)a["schemaType"]!)).ToList();
        foreach (var collection in new[] { Collection, Docs })
        {
            Assert.Contains((collection, "published", PayloadSchemaType.Datetime), indexes);
            foreach (var field in new[] { "author_keys", "section_key", "publication_key", "article_id", "content_hash" })
            {
                Assert.Contains((collection, field, PayloadSchemaType.Keyword), indexes);
            }
        }

        Assert.Equal(new EmbeddingSpace("test-embedder", 4), await index.GetEmbeddingSpaceAsync(None));
    }

    [Fact]
    public async Task ReadsBeforeTheFirstIngestSeeAnEmptyIndex()
    {
        var (index, recorder, _) = Create();
        Assert.Equal(new IndexStats(0, 0, 0), await index.GetStatsAsync(None));
        Assert.Empty(await index.GetContentHashesAsync(None));
        Assert.Null(await index.GetArticleAsync("a", None));
        Assert.Empty(await index.SearchAsync(new PassageQuery("harbour", new float[] { 1, 0, 0, 0 }, SearchFilter.None, SearchMode.Hybrid, 5), None));
        Assert.Null(await index.GetEmbeddingSpaceAsync(None));
        Assert.All(recorder.Calls, c => Assert.Equal("CollectionExistsAsync", c.Method));
    }

    [Fact]
    public async Task ACollectionWithAnotherVectorSizeIsRefusedWithWhatToDo()
    {
        var (index, _, server) = Create();
        await server.Client.CreateCollectionAsync(QdrantRequests.DocsCollection(Collection, new QdrantScaleOptions()));
        await server.Client.CreateCollectionAsync(QdrantRequests.PassageCollection(Collection, 768, new QdrantScaleOptions()));
        var error = await Assert.ThrowsAsync<IndexMismatchException>(() => index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None));
        Assert.Contains("768-dimensional", error.Message, StringComparison.Ordinal);
        Assert.Contains("Clippings:Index:Collection", error.Message, StringComparison.Ordinal);
        Assert.Contains("DELETE /collections/clip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplaceWritesPassagesInBatchesThenSwitchesTheDocThenDeletesOtherVersions()
    {
        var (index, recorder, _) = Create();
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        recorder.Calls.Clear();
        var article = LongArticle(600);
        await index.UpsertArticleAsync(article, None);

        var writes = recorder.Calls.Where(c => c.Method is "UpsertAsync" or "DeleteAsync" or "SetPayloadAsync").ToList();
        Assert.Equal(
            [("UpsertAsync", Collection), ("UpsertAsync", Collection), ("UpsertAsync", Collection), ("UpsertAsync", Docs), ("DeleteAsync", Collection), ("SetPayloadAsync", Docs), ("UpsertAsync", Docs)],
            writes.Select(w => (w.Method, (string)w.Args["collectionName"]!)));

        // 4-dimensional vectors and 4 KB of payload a point: 255 points make the 1 MB budget.
        Assert.Equal([255, 255, 90], writes.Take(3).Select(w => ((IReadOnlyList<PointStruct>)w.Args["points"]!).Count));
        Assert.All(writes.Take(4), w => Assert.True((bool)w.Args["wait"]!));

        var hash = article.Article.ContentHash;
        var ids = writes.Take(3).SelectMany(w => (IReadOnlyList<PointStruct>)w.Args["points"]!).Select(p => p.Id.Uuid).ToList();
        Assert.Equal(Enumerable.Range(0, 600).Select(i => QdrantRequests.PassagePointId("long", hash, i).ToString()), ids);

        var doc = Assert.Single((IReadOnlyList<PointStruct>)writes[3].Args["points"]!);
        Assert.Equal((hash, 600L, "article"), (doc.Payload["content_hash"].StringValue, doc.Payload["passage_count"].IntegerValue, doc.Payload["kind"].StringValue));
        Assert.Equal([1f], doc.Vectors.Vectors_.Vectors["unit"].Dense.Data);

        var delete = ((Filter)writes[4].Args["filter"]!).Should.Single().Filter;
        Assert.Equal(("article_id", "long"), (delete.Must.Single().Field.Key, delete.Must.Single().Field.Match.Keyword));
        Assert.Equal(("content_hash", hash), (delete.MustNot.Single().Field.Key, delete.MustNot.Single().Field.Match.Keyword));
        Assert.Equal("generation", ((IReadOnlyList<PointStruct>)writes[6].Args["points"]!).Single().Payload["kind"].StringValue);
    }

    [Fact]
    public async Task APassageWriteThatKeepsFailingNeverSwitchesTheDocAndSaysSo()
    {
        var (index, recorder, server) = Create(maxRetries: 1);
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        recorder.Calls.Clear();
        server.Override = (method, args) => method == "UpsertAsync" && (string)args["collectionName"]! == Collection ? throw Error(StatusCode.Unavailable, "connection reset") : null;

        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => index.UpsertArticleAsync(LongArticle(3), None));
        Assert.Contains("Cannot reach Qdrant at http://qdrant.test:6334", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, recorder.CallsTo("UpsertAsync").Count());
        Assert.DoesNotContain(recorder.Calls, c => c.Method == "DeleteAsync" || (c.Method == "UpsertAsync" && (string)c.Args["collectionName"]! == Docs));
    }

    [Fact]
    public async Task TransientErrorsAreRetriedWithBackoff()
    {
        var (index, recorder, server) = Create(maxRetries: 2);
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        recorder.Calls.Clear();
        var failures = 1;
        server.Override = (method, _) => method == "UpsertAsync" && failures-- > 0 ? throw Error(StatusCode.Unavailable) : null;

        await index.UpsertArticleAsync(LongArticle(2), None);
        Assert.Equal([Collection, Collection, Docs, Docs], recorder.CallsTo("UpsertAsync").Select(a => (string)a["collectionName"]!));
        Assert.Single(recorder.CallsTo("DeleteAsync"));
    }

    [Theory]
    [InlineData(StatusCode.Unauthenticated, "Clippings:Index:ApiKey")]
    [InlineData(StatusCode.PermissionDenied, "Clippings:Index:ApiKey")]
    [InlineData(StatusCode.DeadlineExceeded, "Clippings:Index:Qdrant:TimeoutSeconds")]
    [InlineData(StatusCode.Internal, "failed 'health check' on collection 'clip'")]
    public async Task ServerErrorsBecomeOneMessageWithWhatToDo(StatusCode status, string expected)
    {
        var (index, recorder, server) = Create(maxRetries: 0);
        server.Override = (_, _) => throw Error(status);
        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => index.OpenAsync(new EmbeddingSpace("e", 4), None));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Single(recorder.Calls);
    }

    [Fact]
    public async Task SearchKeepsOnlyHitsOfEachArticlesCurrentVersionAndScoresTheirCosine()
    {
        var (index, recorder, server) = Create();
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        recorder.Calls.Clear();

        var current = ArchiveIndexContract.Tides();
        await index.UpsertArticleAsync(current, None);
        var hash = current.Article.ContentHash;
        ScoredPoint Hit(string articleId, string contentHash, int ordinal, float score, float[] vector)
        {
            var point = QdrantRequests.PassagePoint(current.Article with { Id = articleId }, current.Passages[ordinal]);
            point.Payload["content_hash"] = contentHash;
            return new ScoredPoint
            {
                Id = point.Id, Score = score, Payload = { point.Payload },
                Vectors = new VectorsOutput { Vectors = new NamedVectorsOutput { Vectors = { ["dense"] = new VectorOutput { Dense = new DenseVector { Data = { vector } } } } } },
            };
        }

        server.Override = (method, _) => method == "QueryAsync"
            ? new List<ScoredPoint>
            {
                Hit("tide-tables", "older-version", 0, 0.9f, [1, 0, 0, 0]),
                Hit("tide-tables", hash, 1, 0.5f, [0, 0.6f, 0.8f, 0]),
                Hit("being-written", "new", 0, 0.4f, [1, 0, 0, 0]),
            }
            : null;

        var hits = await index.SearchAsync(new PassageQuery("neap tides", new float[] { 0, 0, 2, 0 }, SearchFilter.None, SearchMode.Hybrid, 10), None);

        var hit = Assert.Single(hits);
        Assert.Equal(("tide-tables", 1, 0.5), (hit.Article.Id, hit.Ordinal, hit.Score));
        Assert.Equal(0.8, hit.DenseScore!.Value, 5);
        Assert.Equal(current.Passages[1].Text, hit.Text);

        var query = recorder.CallsTo("QueryAsync").Single();
        Assert.Equal(Query.VariantOneofCase.Rrf, ((Query)query["query"]!).VariantCase);
        Assert.Equal(["dense", "lexical"], ((IReadOnlyList<PrefetchQuery>)query["prefetch"]!).Select(p => p.Using));
        Assert.Equal(["dense"], ((WithVectorsSelector)query["vectorsSelector"]!).Include.Names);
        var versions = recorder.CallsTo("RetrieveAsync").Last();
        Assert.Equal(Docs, (string)versions["collectionName"]!);
    }

    [Fact]
    public async Task ResourceExhaustedIsRetriedOnlyWhenTheServerSaysWhen()
    {
        var (index, recorder, server) = Create(maxRetries: 3);
        await index.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        recorder.Calls.Clear();
        server.Override = (method, _) => method == "UpsertAsync" ? throw Error(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.") : null;
        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => index.UpsertArticleAsync(LongArticle(2), None));
        Assert.Contains("hit a size limit", error.Message, StringComparison.Ordinal);
        Assert.Single(recorder.CallsTo("UpsertAsync"));

        var (limited, limitedCalls, limitedServer) = Create(maxRetries: 3);
        await limited.OpenAsync(new EmbeddingSpace("test-embedder", 4), None);
        limitedCalls.Calls.Clear();
        var failures = 2;
        limitedServer.Override = (method, _) => method == "UpsertAsync" && failures-- > 0
            ? throw new RpcException(new Status(StatusCode.ResourceExhausted, "Rate limiting exceeded: Write rate limit exceeded"), new Metadata { { "retry-after", "0.01" } })
            : null;
        await limited.UpsertArticleAsync(LongArticle(2), None);
        Assert.Equal(5, limitedCalls.CallsTo("UpsertAsync").Count());
        Assert.Equal(TimeSpan.FromSeconds(0.01), QdrantArchiveIndex.RetryAfter(new RpcException(new Status(StatusCode.ResourceExhausted, ""), new Metadata { { "retry-after", "0.01" } })));
    }

    [Theory]
    [InlineData(3072, 64)]
    [InlineData(1536, 102)]
    [InlineData(384, 186)]
    public void PagesWithVectorsStayNearOneMegabyte(int dimensions, int expected)
    {
        var page = QdrantArchiveIndex.VectorPage(dimensions);
        Assert.Equal(expected, page);
        Assert.True(page * dimensions * sizeof(float) <= QdrantArchiveIndex.PageBudgetBytes);
        Assert.True(QdrantIndexFactory.MaxReceiveBytes >= 16 * QdrantArchiveIndex.PageBudgetBytes);
    }
}
