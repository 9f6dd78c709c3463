using Clippings.Archive;
using Clippings.Cli.Benchmarks;
using Clippings.Storage;
using Clippings.Storage.Qdrant;
using Grpc.Core;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Clippings.Tests.Storage;

/// <summary>
/// The Qdrant index's write and read protocol over the in-memory server: payload indexes on every open, the sweep of
/// what interrupted writes leave, the conditional doc switch, the generation-cached catalog, counts, batched export, and
/// the errors a user sees.
/// </summary>
public sealed class QdrantProtocolTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly EmbeddingSpace Space = new("test-embedder", 4);
    private const string Collection = "clip";
    private const string Docs = "clip_docs";

    private static QdrantArchiveIndex Index(IQdrantClient client, int maxRetries = 0) =>
        new(client, "http://qdrant.test:6334", Collection, new QdrantScaleOptions { MaxRetries = maxRetries }, ownsClient: false);

    private static async Task<(QdrantArchiveIndex Index, InMemoryQdrant Server, IQdrantClient Client)> OpenAsync(string version = "1.16.0")
    {
        var (client, server) = InMemoryQdrant.Create();
        server.Version = version;
        var index = Index(client);
        await index.OpenAsync(Space, None);
        return (index, server, client);
    }

    private static IndexedArticle Edition(string id, string edition, int passages = 3) => ArchiveIndexContract.Make(
        new Article { Id = id, Title = $"{id} ({edition})", Authors = ["Mara Quinn"], Published = new DateOnly(2021, 5, 1), Text = string.Join("\n\n", Enumerable.Range(0, passages).Select(i => $"The {edition} edition, paragraph {i} on the harbour.")) },
        Enumerable.Range(0, passages).Select(i => new float[] { 1, i, 0, 0 }).ToArray());

    private static List<string> VersionsStored(InMemoryQdrant server, string articleId) =>
        server.Points(Collection).Values.Where(p => p.Payload["article_id"].StringValue == articleId).Select(p => p.Payload["content_hash"].StringValue).Distinct().ToList();

    [Fact]
    public async Task EveryOpenEnsuresThePayloadIndexesAndCreatesOnlyMissingOnes()
    {
        var (_, server, client) = await OpenAsync();
        var first = server.Calls.Count(c => c.Method == "CreatePayloadIndexAsync");
        Assert.Equal(7 + 8, first);

        // A process that died between creating the collections and indexing them (or a retried create) left none on
        // the docs collection: the next open creates them, and only them.
        var before = server.Calls.Count;
        var info = await client.GetCollectionInfoAsync(Docs);
        Assert.Equal(8, info.PayloadSchema.Count);
        var reopened = Index(client);
        server.BeforeCall = (method, args) =>
        {
            if (method == "GetCollectionInfoAsync" && (string)args["collectionName"]! == Docs)
            {
                server.BeforeCall = null;
                throw new RpcException(new Status(StatusCode.Unavailable, "restarting"));
            }
        };
        await Assert.ThrowsAsync<IndexUnavailableException>(() => reopened.OpenAsync(Space, None));
        await reopened.OpenAsync(Space, None);
        Assert.Equal(0, server.Calls.Skip(before).Count(c => c.Method == "CreatePayloadIndexAsync"));
        Assert.Contains(server.Calls, c => c.Method == "GetCollectionInfoAsync" && (string)c.Args["collectionName"]! == Docs);
    }

    [Fact]
    public async Task ACreateThatAlreadyHappenedStillGetsItsPayloadIndexes()
    {
        var (client, server) = InMemoryQdrant.Create();
        await client.CreateCollectionAsync(QdrantRequests.DocsCollection(Collection, new QdrantScaleOptions()));
        await client.CreateCollectionAsync(QdrantRequests.PassageCollection(Collection, 4, new QdrantScaleOptions()));
        await Index(client).OpenAsync(Space, None);

        var created = server.Calls.Where(c => c.Method == "CreatePayloadIndexAsync").Select(c => ((string)c.Args["collectionName"]!, (string)c.Args["fieldName"]!)).ToList();
        Assert.Contains((Collection, "article_id"), created);
        Assert.Contains((Docs, "sweep_pending"), created);
        Assert.Contains((Collection, "published"), created);
    }

    [Fact]
    public async Task ADeleteStepThatFailedIsSweptAtTheNextOpen()
    {
        var (index, server, client) = await OpenAsync();
        await index.UpsertArticleAsync(Edition("piece", "first"), None);
        server.BeforeCall = (method, args) =>
        {
            if (method == "DeleteAsync" && (string)args["collectionName"]! == Collection)
            {
                throw new RpcException(new Status(StatusCode.Internal, "disk full"));
            }
        };
        var second = Edition("piece", "second");
        await Assert.ThrowsAsync<IndexUnavailableException>(() => index.UpsertArticleAsync(second, None));
        server.BeforeCall = null;

        // The switch happened (readers see the second edition only), the first edition's passages are still there.
        Assert.Equal(2, VersionsStored(server, "piece").Count);
        Assert.Equal(second.Article.ContentHash, (await index.GetArticleAsync("piece", None))!.ContentHash);

        var before = server.Calls.Count;
        await Index(client).OpenAsync(Space, None);
        Assert.Equal([second.Article.ContentHash], VersionsStored(server, "piece"));
        var sweep = server.Calls.Skip(before).Single(c => c.Method == "DeleteAsync");
        Assert.Single(((Filter)sweep.Args["filter"]!).Should);
        Assert.False(server.Points(Docs)[QdrantRequests.ArticlePointId("piece").ToString()].Payload["sweep_pending"].BoolValue);
    }

    [Fact]
    public async Task PassagesOfAWriteThatDiedBeforeItsSwitchAreSweptWhenTheArticleIsSeenUnchanged()
    {
        var (index, server, _) = await OpenAsync();
        var first = Edition("piece", "first");
        await index.UpsertArticleAsync(first, None);
        server.BeforeCall = (method, args) =>
        {
            if (method is "UpsertAsync" or "UpdateBatchAsync" && (string)args["collectionName"]! == Docs)
            {
                throw new RpcException(new Status(StatusCode.Internal, "killed"));
            }
        };
        await Assert.ThrowsAsync<IndexUnavailableException>(() => index.UpsertArticleAsync(Edition("piece", "second"), None));
        server.BeforeCall = null;
        Assert.Equal(2, VersionsStored(server, "piece").Count);

        // The source went back to the first edition: the next ingest sees it unchanged and sweeps.
        await ((IArchiveIndex)index).SweepAsync(new Dictionary<string, string> { ["piece"] = first.Article.ContentHash }, None);
        Assert.Equal([first.Article.ContentHash], VersionsStored(server, "piece"));
    }

    [Fact]
    public async Task AConditionalSwitchNeverUndoesAnotherWritersNewerVersion()
    {
        var (index, server, client) = await OpenAsync("1.16.0");
        await index.UpsertArticleAsync(Edition("piece", "first"), None);

        // While this writer writes "mine", another one switches the article to "theirs" just before this switch.
        var theirs = Edition("piece", "theirs");
        server.BeforeCall = (method, _) =>
        {
            if (method == "UpdateBatchAsync")
            {
                server.BeforeCall = null;
                var other = Index(client);
                other.UpsertArticleAsync(theirs, None).GetAwaiter().GetResult();
            }
        };
        var mine = Edition("piece", "mine");
        await index.UpsertArticleAsync(mine, None);

        Assert.Equal(theirs.Article.ContentHash, (await index.GetArticleAsync("piece", None))!.ContentHash);
        Assert.Equal([theirs.Article.ContentHash], VersionsStored(server, "piece"));
        var hits = await index.SearchAsync(new PassageQuery("harbour", new float[] { 1, 0, 0, 0 }, SearchFilter.None, SearchMode.Dense, 10), None);
        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.Contains("theirs", h.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BeforeConditionalUpsertsTheSwitchIsPlainAndTheLastWriterWins()
    {
        var (index, server, _) = await OpenAsync("1.15.4");
        await index.UpsertArticleAsync(Edition("piece", "first"), None);
        await index.UpsertArticleAsync(Edition("piece", "second"), None);
        Assert.DoesNotContain(server.Calls, c => c.Method == "UpdateBatchAsync");
        Assert.Single(VersionsStored(server, "piece"));
    }

    [Fact]
    public async Task WritesAreBatchedAcrossArticles()
    {
        var (index, server, _) = await OpenAsync();
        var before = server.Calls.Count;
        await ((IArchiveIndex)index).UpsertArticlesAsync(Enumerable.Range(0, 64).Select(i => Edition($"a{i:00}", "one", 3)).ToList(), None);
        var calls = server.Calls.Skip(before).Select(c => c.Method).ToList();

        // 192 passages: one passage batch, one doc upsert, one delete, one flag clear, one generation bump, one version read.
        Assert.Equal(["RetrieveAsync", "UpsertAsync", "UpsertAsync", "DeleteAsync", "SetPayloadAsync", "UpsertAsync"], calls);
        Assert.Equal(64, server.Points(Docs).Values.Count(p => p.Payload["kind"].StringValue == "article"));
    }

    [Fact]
    public async Task TheCatalogIsReadAgainOnlyAfterAWrite()
    {
        var (index, server, _) = await OpenAsync();
        await index.UpsertArticleAsync(Edition("piece", "first"), None);
        Assert.Equal("Mara Quinn", Assert.Single(await index.ListAuthorsAsync(None)).Name);

        var before = server.Calls.Count;
        var stats = await index.GetStatsAsync(None);
        await index.ListAuthorsAsync(None);
        Assert.Equal(new IndexStats(1, 3, 1), stats);
        Assert.Equal(["RetrieveAsync", "RetrieveAsync"], server.Calls.Skip(before).Select(c => c.Method));

        await index.UpsertAuthorAsync(new AuthorProfile("Tom Reed", "Writes on tides."), None);
        before = server.Calls.Count;
        Assert.Equal(2, (await index.ListAuthorsAsync(None)).Count);
        Assert.Contains(server.Calls.Skip(before), c => c.Method == "ScrollAsync");
        Assert.Equal(2, server.Calls.Skip(before).Count(c => c.Method == "CountAsync"));
    }

    [Fact]
    public async Task ExportReadsArticlesInBatches()
    {
        var (index, server, _) = await OpenAsync();
        var articles = Enumerable.Range(0, 70).Select(i => Edition($"a{i:00}", "one", 2)).ToList();
        await ((IArchiveIndex)index).UpsertArticlesAsync(articles, None);

        var before = server.Calls.Count;
        var exported = await index.ExportAsync(None).ToListAsync();
        Assert.Equal(articles.Select(a => a.Article.Id), exported.Select(a => a.Article.Id));
        Assert.All(exported, a => Assert.Equal(2, a.Passages.Count));
        Assert.Equal(articles[0].Passages[1].Vector.ToArray(), exported[0].Passages[1].Vector.ToArray());

        // 70 articles: the hash scroll, then 3 batches of (docs by id + one passage scroll).
        var calls = server.Calls.Skip(before).Select(c => c.Method).Where(m => m != "CollectionExistsAsync").ToList();
        Assert.Equal(7, calls.Count);
        Assert.Equal(3, calls.Count(m => m == "RetrieveAsync"));
    }

    [Fact]
    public async Task AWriteTheServerDidNotFinishStopsTheReplaceAndSaysWhatToDo()
    {
        var (index, server, _) = await OpenAsync();
        server.WriteStatus = UpdateStatus.WaitTimeout;
        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => index.UpsertArticleAsync(Edition("piece", "first"), None));
        Assert.Contains("did not finish it (status WaitTimeout)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Calls, c => c.Method == "UpsertAsync" && (string)c.Args["collectionName"]! == Docs && ((IReadOnlyList<PointStruct>)c.Args["points"]!).Any(p => p.Payload["kind"].StringValue == "article"));
    }

    [Fact]
    public async Task TheClientsOwnErrorsBecomeOneMessage()
    {
        var (client, server) = InMemoryQdrant.Create();
        server.BeforeCall = (method, _) =>
        {
            if (method == "CreateCollectionAsync")
            {
                throw new QdrantException("Collection 'clip_docs' could not be created");
            }
        };
        var error = await Assert.ThrowsAsync<IndexUnavailableException>(() => Index(client).OpenAsync(Space, None));
        Assert.Equal("Qdrant at http://qdrant.test:6334 refused 'create collection' on collection 'clip': Collection 'clip_docs' could not be created. Check the server's log for why, fix it, and run the command again.", error.Message);
    }

    [Theory]
    [InlineData("a:b", "':'")]
    [InlineData("what?", "'?'")]
    [InlineData("tab\there", "U+0009")]
    [InlineData("", "empty")]
    public void CollectionNamesTheServerRefusesAreRefusedAtStartWithWhy(string name, string expected)
    {
        var error = Assert.Throws<ClippingsException>(() => QdrantIndexFactory.Create("http://localhost:6334", name, new IndexOptions(), null));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Null(QdrantRequests.CollectionNameProblem("clippings-2026_v2"));
        Assert.NotNull(QdrantRequests.CollectionNameProblem(new string('a', 251)));
    }
}
