using System.Diagnostics;
using System.Runtime.CompilerServices;
using Clippings.Archive;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Clippings.Storage.Qdrant.QdrantRequests;

namespace Clippings.Storage.Qdrant;

/// <summary>
/// The archive index on a Qdrant server or cluster (gRPC). Passages are points with a named dense vector (cosine, HNSW,
/// optional int8 quantization) and a named sparse vector (BM25 term weights from <see cref="LexicalSparseEncoder"/>,
/// IDF applied by the server); hybrid search is one Query API call with a dense and a sparse prefetch fused by RRF.
/// Article metadata and text, author bios and the embedding space live in the <c>{collection}_docs</c> collection.
/// </summary>
/// <remarks>
/// How a replace is never half-visible. An article's doc point names its current version (<c>content_hash</c>), and
/// passages carry the version they belong to, with point ids derived from (article, version, ordinal). A write
/// (1) upserts the new version's passages beside the old ones, (2) upserts the doc point — a single-point write, so the
/// switch from old to new is atomic — and (3) deletes the passages of every other version. Every read goes through the
/// doc points: listings and article reads use them directly, and search drops any hit whose version is not its article's
/// current one. Before (2) readers see exactly the old version, after (2) exactly the new one; there is never a moment
/// with none or two. A writer that dies midway leaves invisible orphans that the next write or delete of the article
/// removes. A delete removes the doc point first (the article disappears at once), then its passages.
/// </remarks>
public sealed class QdrantArchiveIndex : IArchiveIndex
{
    /// <summary>Points per upsert request at most: big enough to amortize round trips.</summary>
    internal const int WriteBatchSize = 256;

    /// <summary>Articles written per group at most (their doc points, with texts, go in one upsert).</summary>
    internal const int ArticleGroup = 64;

    /// <summary>Articles exported per batch (their doc points by id, then their passages in one filtered scroll).</summary>
    internal const int ExportGroup = 32;

    /// <summary>Points per scroll page at most (payload-only pages of small fields).</summary>
    internal const int ScrollPage = 512;

    /// <summary>
    /// What one request or reply should carry: pages and batches are sized so that points × estimated point size stays
    /// under it (a 3072-dimensional vector alone is 12 KB, so 512 of them would be 6 MB).
    /// </summary>
    internal const int PageBudgetBytes = 1024 * 1024;

    /// <summary>The payload estimate for a passage point (metadata plus its text) when sizing pages.</summary>
    private const int PassagePayloadBytes = 4096;

    /// <summary>Points per page when each carries a dense vector of <paramref name="dimensions"/> floats and a passage.</summary>
    internal static int VectorPage(int dimensions) => Math.Clamp(PageBudgetBytes / ((dimensions * sizeof(float)) + PassagePayloadBytes), 16, ScrollPage);

    private readonly IQdrantClient _client;
    private readonly string _url;
    private readonly string _collection;
    private readonly string _docs;
    private readonly QdrantScaleOptions _scale;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly bool _ownsClient;
    private EmbeddingSpace? _space;
    private QdrantServerVersion? _server;
    private Catalog? _catalog;
    private bool _exists;

    private readonly IDisposable? _transport;

    public QdrantArchiveIndex(IQdrantClient client, string url, string collection, QdrantScaleOptions scale, ILogger<QdrantArchiveIndex>? logger = null, bool ownsClient = true, IDisposable? transport = null)
    {
        _transport = transport;
        _client = client;
        _url = url;
        _collection = collection;
        _docs = collection + DocsSuffix;
        _scale = scale;
        _ownsClient = ownsClient;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _retry = scale.MaxRetries <= 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Every request here is idempotent (deterministic point ids, filter deletes), so any of them may be retried.
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(IsTransient),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is RpcException error ? RetryAfter(error) : null),
                MaxRetryAttempts = scale.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    _logger.LogWarning("Qdrant {Url} {Collection}: transient error {Status}, retry {Attempt} in {DelayMs} ms",
                        _url, _collection, (args.Outcome.Exception as RpcException)?.StatusCode, args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public string Description => $"qdrant:{_url.TrimEnd('/')}/{_collection}";

    /// <summary>Qdrant answers "already exists" as AlreadyExists or, in some versions, InvalidArgument with that text.</summary>
    private static bool IsAlreadyExists(RpcException error) =>
        error.StatusCode == StatusCode.AlreadyExists
        || (error.StatusCode == StatusCode.InvalidArgument && error.Status.Detail.Contains("already exists", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Worth retrying: the server or the network may be fine a moment later. ResourceExhausted only when the server says
    /// when (its rate limiter sends <c>retry-after</c>); otherwise it is a size limit (a reply larger than the channel takes,
    /// a strict-mode limit) that fails the same way every time.
    /// </summary>
    internal static bool IsTransient(RpcException error) =>
        error.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted
        || (error.StatusCode == StatusCode.ResourceExhausted && RetryAfter(error) is not null);

    /// <summary>The server's <c>retry-after</c> (seconds) from the reply's trailers or headers, capped at a minute.</summary>
    internal static TimeSpan? RetryAfter(RpcException error)
    {
        var entry = error.Trailers.Get("retry-after");
        return entry is { IsBinary: false } && double.TryParse(entry.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, 60))
            : null;
    }

    public async Task OpenAsync(EmbeddingSpace space, CancellationToken cancellationToken)
    {
        await ServerAsync(cancellationToken).ConfigureAwait(false);
        if (!await CallAsync("check collection", ct => _client.CollectionExistsAsync(_collection, ct), cancellationToken).ConfigureAwait(false))
        {
            await CreateCollectionsAsync(space, cancellationToken).ConfigureAwait(false);
        }

        var info = await CallAsync("read collection", ct => _client.GetCollectionInfoAsync(_collection, ct), cancellationToken).ConfigureAwait(false);
        var map = info.Config?.Params?.VectorsConfig?.ParamsMap?.Map;
        if (map is null || !map.TryGetValue(DenseName, out var dense))
        {
            throw new IndexMismatchException($"The Qdrant collection '{_collection}' at {_url} was not created by Clippings (it has no '{DenseName}' vector). Set Clippings:Index:Collection to a new name.");
        }

        var existing = await GetEmbeddingSpaceAsync(cancellationToken).ConfigureAwait(false);
        if ((int)dense.Size != space.Dimensions || (existing is not null && !string.Equals(existing.EmbedderId, space.EmbedderId, StringComparison.Ordinal)))
        {
            var built = existing ?? new EmbeddingSpace("an unknown embedder", (int)dense.Size);
            throw new IndexMismatchException(
                $"The Qdrant collection '{_collection}' at {_url} holds {(int)dense.Size}-dimensional vectors from {built.EmbedderId} but the configured embedder is {space.EmbedderId} ({space.Dimensions} dimensions). " +
                $"Ingest into another collection (Clippings:Index:Collection), delete this one (DELETE /collections/{_collection} and /collections/{_docs}) and re-ingest, or set Clippings:Embeddings back to the embedder it was built with.");
        }

        // On every open, not only at creation: a create retried after it had succeeded, or a process that died between
        // creating and indexing, would otherwise leave filters on full scans for good (and strict mode refusing them).
        await EnsurePayloadIndexesAsync(_collection, info, cancellationToken).ConfigureAwait(false);
        var docsInfo = await CallAsync("read collection", ct => _client.GetCollectionInfoAsync(_docs, ct), cancellationToken).ConfigureAwait(false);
        await EnsurePayloadIndexesAsync(_docs, docsInfo, cancellationToken).ConfigureAwait(false);

        if (existing is null)
        {
            await WriteAsync(_docs, [MetaPoint(space)], cancellationToken).ConfigureAwait(false);
        }

        _space = space;
        _exists = true;
        if (await ReadGenerationAsync(cancellationToken).ConfigureAwait(false) == "")
        {
            // A collection from before the generation token: give it one, so readers can cache from now on.
            await BumpGenerationAsync(cancellationToken).ConfigureAwait(false);
        }

        await SweepFlaggedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates each payload index the collection lacks (the collection info lists those it has).</summary>
    private async Task EnsurePayloadIndexesAsync(string collection, CollectionInfo info, CancellationToken cancellationToken)
    {
        foreach (var (field, type) in PayloadIndexes(collection == _docs))
        {
            if (info.PayloadSchema.TryGetValue(field, out var present) && present.DataType == type)
            {
                continue;
            }

            await UpdateAsync("create payload index", ct => _client.CreatePayloadIndexAsync(collection, field, type, wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Qdrant {Collection}: created the {Type} payload index on {Field}", collection, type, field);
        }
    }

    /// <summary>Reads before the first ingest (no collections yet) see an empty index rather than a "not found" error.</summary>
    private async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        // The passage collection is created after the docs collection, so when it exists both do.
        _exists = _exists || await CallAsync("check collection", ct => _client.CollectionExistsAsync(_collection, ct), cancellationToken).ConfigureAwait(false);
        return _exists;
    }

    /// <summary>The dense vector size: from the open space, else the meta point (read once).</summary>
    private async Task<int> DimensionsAsync(CancellationToken cancellationToken)
    {
        _space ??= await GetEmbeddingSpaceAsync(cancellationToken).ConfigureAwait(false);
        return _space?.Dimensions ?? 1536;
    }

    private async Task CreateCollectionsAsync(EmbeddingSpace space, CancellationToken cancellationToken)
    {
        // Docs first: once the passage collection exists, its docs collection and meta point do too.
        foreach (var request in new[] { DocsCollection(_collection, _scale), PassageCollection(_collection, space.Dimensions, _scale) })
        {
            try
            {
                await CallAsync("create collection", ct => _client.CreateCollectionAsync(request, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (IndexUnavailableException ex) when (ex.InnerException is RpcException created && IsAlreadyExists(created))
            {
                // Another process created it first: fine, the checks and payload indexes after creation still run.
                continue;
            }

            if (request.CollectionName == _docs)
            {
                await WriteAsync(_docs, [MetaPoint(space)], cancellationToken).ConfigureAwait(false);
            }

            _logger.LogInformation("Created Qdrant collection {Collection} at {Url}", request.CollectionName, _url);
        }
    }

    public async Task<EmbeddingSpace?> GetEmbeddingSpaceAsync(CancellationToken cancellationToken)
    {
        if (!await CallAsync("check collection", ct => _client.CollectionExistsAsync(_docs, ct), cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var points = await CallAsync("read meta", ct => _client.RetrieveAsync(_docs, [MetaPointId], true, false, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (points.Count == 0 || GetString(points[0].Payload, Embedder) is not { } embedder)
        {
            return null;
        }

        return new EmbeddingSpace(embedder, (int)(GetLong(points[0].Payload, Dimensions) ?? 0));
    }

    public async Task<IReadOnlyDictionary<string, string>> GetContentHashesAsync(CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var point in ScrollAsync(_docs, BuildFilter(SearchFilter.None, ArticleKind), new[] { ArticleId, ContentHash }, false, cancellationToken).ConfigureAwait(false))
        {
            hashes[GetString(point.Payload, ArticleId)!] = GetString(point.Payload, ContentHash)!;
        }

        return hashes;
    }

    public Task UpsertArticleAsync(IndexedArticle article, CancellationToken cancellationToken) =>
        UpsertArticlesAsync([article], cancellationToken);

    /// <summary>
    /// Writes articles in groups (<see cref="ArticleGroup"/>), each group with a handful of requests whatever its size:
    /// the passages of all its articles (in byte-sized batches), then all their doc points in one upsert (each point
    /// switch is atomic, so each article is still replaced atomically), then one filtered delete of every other version,
    /// then the flags cleared and the generation bumped. Where the server has conditional upserts, a doc point is only
    /// overwritten if it still names the version read before the write, so a concurrent writer's newer switch is never
    /// undone; the loser then deletes its own passages.
    /// </summary>
    public async Task UpsertArticlesAsync(IReadOnlyList<IndexedArticle> articles, CancellationToken cancellationToken)
    {
        var space = _space ?? await GetEmbeddingSpaceAsync(cancellationToken).ConfigureAwait(false);
        foreach (var article in articles)
        {
            foreach (var passage in article.Passages)
            {
                if (space is not null && passage.Vector.Length != space.Dimensions)
                {
                    throw new IndexMismatchException($"Passage {passage.Ordinal} of {article.Article.Id} has a {passage.Vector.Length}-dimensional vector; the Qdrant collection '{_collection}' holds {space.Dimensions}-dimensional vectors.");
                }
            }
        }

        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        var vectorPage = Math.Min(WriteBatchSize, VectorPage(space?.Dimensions ?? articles.FirstOrDefault()?.Passages.FirstOrDefault()?.Vector.Length ?? 1536));
        foreach (var group in ArticleGroups(articles))
        {
            await WriteGroupAsync(group, server.ConditionalUpsert, vectorPage, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>At most <see cref="ArticleGroup"/> articles or about <see cref="PageBudgetBytes"/> of article text a group.</summary>
    private static IEnumerable<List<IndexedArticle>> ArticleGroups(IReadOnlyList<IndexedArticle> articles)
    {
        var group = new List<IndexedArticle>();
        var bytes = 0;
        foreach (var article in articles.DistinctBy(a => a.Article.Id, StringComparer.Ordinal))
        {
            var size = (article.Article.Text.Length * 2) + 1024;
            if (group.Count > 0 && (group.Count == ArticleGroup || bytes + size > PageBudgetBytes))
            {
                yield return group;
                group = [];
                bytes = 0;
            }

            group.Add(article);
            bytes += size;
        }

        if (group.Count > 0)
        {
            yield return group;
        }
    }

    private async Task WriteGroupAsync(List<IndexedArticle> group, bool conditional, int vectorPage, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var ids = group.Select(a => a.Article.Id).ToList();
        var before = conditional ? await CurrentVersionsAsync(ids, cancellationToken).ConfigureAwait(false) : null;

        var passages = group.SelectMany(a => a.Passages.Select(p => PassagePoint(a.Article, p))).ToList();
        var batches = 0;
        foreach (var batch in passages.Chunk(vectorPage))
        {
            await WriteAsync(_collection, batch, cancellationToken).ConfigureAwait(false);
            batches++;
        }

        var docs = group.Select(a => ArticlePoint(a.Article, a.Passages.Count)).ToList();
        var condition = before is { Count: > 0 } ? AtVersions(before.Select(b => (b.Key, b.Value))) : null;
        if (condition is null)
        {
            await WriteAsync(_docs, docs, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // IQdrantClient has no conditional upsert overload; the batch update carries the same PointStructList.
            var operation = new PointsUpdateOperation { Upsert = new PointsUpdateOperation.Types.PointStructList { Points = { docs }, UpdateFilter = condition } };
            await UpdateAsync("conditional upsert", async ct =>
            {
                var results = await _client.UpdateBatchAsync(_docs, [operation], wait: true, cancellationToken: ct).ConfigureAwait(false);
                return results.Count == 1 ? results[0] : new UpdateResult { Status = UpdateStatus.UnknownUpdateStatus };
            }, cancellationToken).ConfigureAwait(false);
        }

        // Which switches happened: all of them, unless a conditional one found another writer's version in place.
        var won = group.Select(a => (a.Article.Id, a.Article.ContentHash)).ToList();
        var lost = new List<(string, string)>();
        if (condition is not null)
        {
            var after = await CurrentVersionsAsync(ids, cancellationToken).ConfigureAwait(false);
            lost = won.Where(w => after.GetValueOrDefault(w.Id) != w.ContentHash).ToList();
            won = won.Except(lost).ToList();
            foreach (var (id, hash) in lost)
            {
                _logger.LogWarning("Qdrant {Collection}: {ArticleId} was switched to version {Theirs} by another writer while this one wrote {Ours}; keeping theirs",
                    _collection, id, after.GetValueOrDefault(id), hash);
            }
        }

        await UpdateAsync("delete old versions", ct => _client.DeleteAsync(_collection, VersionsToDelete(won, lost), wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        if (won.Count > 0)
        {
            var switched = won.Select(w => ArticlePointId(w.Id)).ToList();
            await UpdateAsync("clear sweep flags", ct => _client.SetPayloadAsync(_docs, new Dictionary<string, Value> { [SweepPending] = false }, switched, wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        await BumpGenerationAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Qdrant {Collection}: stored {Articles} articles ({Lost} kept another writer's version) with {Passages} passages in {Batches} batches in {ElapsedMs} ms",
            _collection, group.Count, lost.Count, passages.Count, batches, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>
    /// Deletes what a crashed write left: for every article still flagged (its doc switched, its other versions maybe not
    /// deleted), the passages of every version but the current one, with one filtered delete per group of articles.
    /// </summary>
    private async Task SweepFlaggedAsync(CancellationToken cancellationToken)
    {
        var flagged = new List<(string Id, string ContentHash)>();
        var filter = new Filter { Must = { Conditions.MatchKeyword(Kind, ArticleKind), Conditions.Match(SweepPending, true) } };
        await foreach (var point in ScrollAsync(_docs, filter, new[] { ArticleId, ContentHash }, false, cancellationToken).ConfigureAwait(false))
        {
            flagged.Add((GetString(point.Payload, ArticleId)!, GetString(point.Payload, ContentHash)!));
        }

        foreach (var chunk in flagged.Chunk(WriteBatchSize))
        {
            await UpdateAsync("sweep old versions", ct => _client.DeleteAsync(_collection, VersionsToDelete(chunk, []), wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            var ids = chunk.Select(c => ArticlePointId(c.Id)).ToList();
            await UpdateAsync("clear sweep flags", ct => _client.SetPayloadAsync(_docs, new Dictionary<string, Value> { [SweepPending] = false }, ids, wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }

        if (flagged.Count > 0)
        {
            _logger.LogInformation("Qdrant {Collection}: swept the old versions of {Articles} articles an earlier write left flagged", _collection, flagged.Count);
        }
    }

    /// <summary>
    /// For articles the caller saw unchanged (same content hash): deletes any passages of other versions, which a write
    /// that died after its passages but before its switch leaves behind, one filtered delete per group of articles.
    /// </summary>
    public async Task SweepAsync(IReadOnlyDictionary<string, string> currentVersions, CancellationToken cancellationToken)
    {
        if (currentVersions.Count == 0 || !await ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        foreach (var chunk in currentVersions.Select(v => (v.Key, v.Value)).Chunk(WriteBatchSize))
        {
            await UpdateAsync("sweep old versions", ct => _client.DeleteAsync(_collection, VersionsToDelete(chunk, []), wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeleteArticleAsync(string articleId, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await UpdateAsync("delete article", ct => _client.DeleteAsync(_docs, ArticlePointId(articleId), wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        await UpdateAsync("delete passages", ct => _client.DeleteAsync(_collection, OtherVersions(articleId, null), wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        await BumpGenerationAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Qdrant {Collection}: deleted {ArticleId} in {ElapsedMs} ms", _collection, articleId, stopwatch.ElapsedMilliseconds);
    }

    public async Task UpsertAuthorAsync(AuthorProfile author, CancellationToken cancellationToken)
    {
        await WriteAsync(_docs, [AuthorPoint(author)], cancellationToken).ConfigureAwait(false);
        await BumpGenerationAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A new random token (not a counter: two writers incrementing one would both write the same number, and a reader
    /// would miss the second write). Written after the write it announces, so a reader that sees it sees the write.
    /// </summary>
    private Task BumpGenerationAsync(CancellationToken cancellationToken) =>
        WriteAsync(_docs, [GenerationPoint(Guid.NewGuid().ToString("N"))], cancellationToken);

    private async Task<string?> ReadGenerationAsync(CancellationToken cancellationToken)
    {
        var points = await CallAsync("read generation", ct => _client.RetrieveAsync(_docs, [GenerationPointId], new WithPayloadSelector { Include = new PayloadIncludeSelector { Fields = { GenerationField } } }, false, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return points.Count == 0 ? "" : GetString(points[0].Payload, GenerationField) ?? "";
    }

    public async Task<Article?> GetArticleAsync(string articleId, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var points = await CallAsync("read article", ct => _client.RetrieveAsync(_docs, [ArticlePointId(articleId)], true, false, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return points.Count == 0 ? null : ReadArticle(points[0].Payload);
    }

    private static Article ReadArticle(Google.Protobuf.Collections.MapField<string, Value> payload) =>
        ReadSummary(payload).ToArticle(GetString(payload, TextField) ?? "", GetString(payload, SourcePath));

    public async Task<IReadOnlyList<ArticleSummary>> ListArticlesAsync(SearchFilter filter, CancellationToken cancellationToken)
    {
        var list = new List<ArticleSummary>();
        await foreach (var point in ScrollAsync(_docs, BuildFilter(filter, ArticleKind), SummaryFields, false, cancellationToken).ConfigureAwait(false))
        {
            list.Add(ReadSummary(point.Payload));
        }

        return list.OrderBy(a => a.Published is null).ThenByDescending(a => a.Published).ThenBy(a => a.Title, StringComparer.Ordinal).ToList();
    }

    private static readonly string[] SummaryFields = [ArticleId, Title, Authors, Publication, Section, Published, DatePrecisionField, Url];

    public async Task<IReadOnlyList<AuthorSummary>> ListAuthorsAsync(CancellationToken cancellationToken) =>
        (await ReadCatalogAsync(cancellationToken).ConfigureAwait(false)).Authors;

    /// <summary>Articles and passages by the Count API (exact), authors from the cached catalog.</summary>
    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        var catalog = await ReadCatalogAsync(cancellationToken).ConfigureAwait(false);
        return new IndexStats(catalog.Articles, catalog.Passages, catalog.Authors.Count);
    }

    /// <summary>What listings of authors and the stats need, valid while the generation token is <see cref="Generation"/>.</summary>
    private sealed record Catalog(string Generation, IReadOnlyList<AuthorSummary> Authors, int Articles, int Passages);

    private static readonly Catalog EmptyCatalog = new("", [], 0, 0);

    /// <summary>
    /// The catalog, re-read only when the generation token changed since the cached one (one small read otherwise). The
    /// token is read before the scan, so a write during the scan makes the next call re-read.
    /// </summary>
    private async Task<Catalog> ReadCatalogAsync(CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return EmptyCatalog;
        }

        var generation = await ReadGenerationAsync(cancellationToken).ConfigureAwait(false);
        if (_catalog is { } cached && cached.Generation == generation && generation != "")
        {
            return cached;
        }

        var catalog = await ScanCatalogAsync(generation ?? "", cancellationToken).ConfigureAwait(false);
        _catalog = catalog;
        return catalog;
    }

    /// <summary>One pass over the doc points: authors with counts and dates (grouped like the SQLite index); totals counted.</summary>
    private async Task<Catalog> ScanCatalogAsync(string generation, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<string, (string Name, int Count, DateOnly? First, DateOnly? Last)>(StringComparer.Ordinal);
        await foreach (var point in ScrollAsync(_docs, BuildFilter(SearchFilter.None, ArticleKind), new[] { Authors, Published }, false, cancellationToken).ConfigureAwait(false))
        {
            var published = ParsePublished(GetString(point.Payload, Published));
            foreach (var name in GetStrings(point.Payload, Authors).DistinctBy(AuthorNames.Key))
            {
                var key = AuthorNames.Key(name);
                groups[key] = groups.TryGetValue(key, out var g)
                    ? (string.CompareOrdinal(name, g.Name) < 0 ? name : g.Name, g.Count + 1, Min(g.First, published), Max(g.Last, published))
                    : (name, 1, published, published);
            }
        }

        var bios = new Dictionary<string, (string Name, string? Bio)>(StringComparer.Ordinal);
        await foreach (var point in ScrollAsync(_docs, new Filter { Must = { Conditions.MatchKeyword(Kind, AuthorKind) } }, new[] { Name, NameKey, Bio }, false, cancellationToken).ConfigureAwait(false))
        {
            bios[GetString(point.Payload, NameKey)!] = (GetString(point.Payload, Name)!, GetString(point.Payload, Bio));
        }

        var authors = groups.Select(g => new AuthorSummary(g.Value.Name, bios.GetValueOrDefault(g.Key).Bio, g.Value.Count, g.Value.First, g.Value.Last))
            .Concat(bios.Where(b => !groups.ContainsKey(b.Key)).Select(b => new AuthorSummary(b.Value.Name, b.Value.Bio, 0, null, null)))
            .OrderByDescending(a => a.ArticleCount).ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
        var articles = await CallAsync("count", ct => _client.CountAsync(_docs, BuildFilter(SearchFilter.None, ArticleKind), exact: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var passages = await CallAsync("count", ct => _client.CountAsync(_collection, null, exact: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return new Catalog(generation, authors, (int)articles, (int)passages);
    }

    private static DateOnly? Min(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private static DateOnly? Max(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    public async Task<IReadOnlyList<PassageHit>> SearchAsync(PassageQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit <= 0)
        {
            return [];
        }

        if (_space is { } space && !query.Vector.IsEmpty && query.Vector.Length != space.Dimensions)
        {
            throw new IndexMismatchException($"The query vector has {query.Vector.Length} dimensions but the Qdrant collection '{_collection}' holds {space.Dimensions}-dimensional vectors. Use the embedder the index was built with.");
        }

        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        // Twice the limit (at least 8 more) makes up for hits dropped because their article is being replaced right now
        // or a crashed write left a stale version behind.
        var fetch = Math.Max(query.Limit * 2, query.Limit + 8);
        var candidates = Math.Max(query.Limit * 3, 60);
        var stopwatch = Stopwatch.StartNew();
        var server = await ServerAsync(cancellationToken).ConfigureAwait(false);
        List<PassageHit> hits;
        IReadOnlyList<QdrantFusion.Candidate> ranked;
        var attempt = 0;
        while (true)
        {
            ranked = query.Mode == SearchMode.Hybrid && (!server.ParameterisedRrf || query.WithLegRanks)
                ? await FuseOnClientAsync(query, candidates, cancellationToken).ConfigureAwait(false)
                : await QueryServerAsync(query, fetch, candidates, cancellationToken).ConfigureAwait(false);
            (hits, var overtaken) = await KeepCurrentAsync(query, ranked.Take(fetch).ToList(), cancellationToken).ConfigureAwait(false);

            // The passages and the doc points are two reads: an article whose doc switched between them shows only the
            // old version's passages, all dropped. Its new passages were stored before the switch, so asking again finds them.
            if (!overtaken || ++attempt == 3)
            {
                break;
            }
        }

        _logger.LogInformation("Qdrant {Collection}: {Mode} search returned {Hits} of {Points} points in {ElapsedMs} ms (fused by the {Fusion})",
            _collection, query.Mode, hits.Count, ranked.Count, stopwatch.ElapsedMilliseconds, query.Mode == SearchMode.Hybrid && (!server.ParameterisedRrf || query.WithLegRanks) ? "client" : "server");
        return hits;
    }

    /// <summary>
    /// The candidates whose passages belong to their article's current version, as hits; <c>Overtaken</c> when some
    /// article's current version had no candidate at all while an older one did (its doc switched mid-search).
    /// </summary>
    private async Task<(List<PassageHit> Hits, bool Overtaken)> KeepCurrentAsync(PassageQuery query, IReadOnlyList<QdrantFusion.Candidate> ranked, CancellationToken cancellationToken)
    {
        var current = await CurrentVersionsAsync(ranked.Select(c => GetString(c.Point.Payload, ArticleId)!).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var hits = new List<PassageHit>(query.Limit);
        var seenCurrent = new HashSet<string>(StringComparer.Ordinal);
        var stale = new HashSet<string>(StringComparer.Ordinal);
        var rank = 0;
        foreach (var candidate in ranked)
        {
            var payload = candidate.Point.Payload;
            var articleId = GetString(payload, ArticleId)!;
            if (!current.TryGetValue(articleId, out var hash) || hash != GetString(payload, ContentHash))
            {
                if (hash is not null)
                {
                    stale.Add(articleId);
                }

                continue;
            }

            seenCurrent.Add(articleId);
            if (hits.Count == query.Limit)
            {
                continue;
            }

            rank++;
            hits.Add(new PassageHit(
                ReadSummary(payload),
                (int)(GetLong(payload, Ordinal) ?? 0),
                (int)(GetLong(payload, Start) ?? 0),
                (int)(GetLong(payload, End) ?? 0),
                GetString(payload, TextField) ?? "",
                candidate.Score,
                candidate.Cosine ?? Cosine(query.Vector.Span, ReadDense(candidate.Point.Vectors)),
                query.Mode == SearchMode.Dense ? rank : candidate.DenseRank,
                query.Mode == SearchMode.Lexical ? rank : candidate.LexicalRank));
        }

        return (hits, stale.Any(id => !seenCurrent.Contains(id)));
    }

    /// <summary>One Query API call; the server ranks (and for hybrid, fuses with RRF at the SQLite index's k).</summary>
    private async Task<IReadOnlyList<QdrantFusion.Candidate>> QueryServerAsync(PassageQuery query, int fetch, int candidates, CancellationToken cancellationToken)
    {
        var request = BuildSearch(query, fetch, candidates);
        if (request is null)
        {
            return [];
        }

        var wantVectors = query.Mode != SearchMode.Dense && !query.Vector.IsEmpty;
        var points = await CallAsync("search", ct => _client.QueryAsync(
            _collection, request.Query, request.Prefetch, request.Using, request.Filter, limit: request.Limit,
            payloadSelector: true, vectorsSelector: wantVectors ? new WithVectorsSelector { Include = new VectorsSelector { Names = { DenseName } } } : false,
            cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return points.Select(p => new QdrantFusion.Candidate(p, p.Score, query.Mode == SearchMode.Dense ? p.Score : null, null, null)).ToList();
    }

    /// <summary>Both legs of a hybrid search in one batch request, fused here exactly as the SQLite index fuses.</summary>
    private async Task<IReadOnlyList<QdrantFusion.Candidate>> FuseOnClientAsync(PassageQuery query, int candidates, CancellationToken cancellationToken)
    {
        var legs = BuildFusionLegs(query, candidates);
        if (legs.Count == 0)
        {
            return [];
        }

        foreach (var leg in legs)
        {
            leg.CollectionName = _collection;
        }

        var results = await CallAsync("search", ct => _client.QueryBatchAsync(_collection, legs, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ScoredPoint> Leg(string name) =>
            legs.Select((leg, i) => (leg, i)).FirstOrDefault(l => l.leg.Using == name) is { leg: not null } found && found.i < results.Count ? results[found.i].Result : [];
        return QdrantFusion.Fuse(Leg(DenseName), Leg(SparseName));
    }

    /// <summary>
    /// The server's version, read once from its health check: which request variants it understands. A server older than
    /// the oldest supported one is refused with what to do; an unreadable version is taken as the oldest.
    /// </summary>
    internal async Task<QdrantServerVersion> ServerAsync(CancellationToken cancellationToken)
    {
        if (_server is { } known)
        {
            return known;
        }

        var reply = await CallAsync("health check", ct => _client.HealthAsync(ct), cancellationToken).ConfigureAwait(false);
        var version = QdrantServerVersion.Parse(reply?.Version);
        if (version is null)
        {
            _logger.LogWarning("Qdrant {Url} reported no readable version ({Version}); using requests for {Oldest}", _url, reply?.Version, QdrantServerVersion.Oldest);
            version = new QdrantServerVersion(QdrantServerVersion.Oldest);
        }
        else if (!version.Supported)
        {
            throw new IndexUnavailableException($"Qdrant at {_url} is version {version}; Clippings needs {QdrantServerVersion.Oldest.ToString(2)} or newer. Upgrade the server (docker pull qdrant/qdrant) or use the SQLite index (Clippings:Index:Provider = sqlite).");
        }
        else if (version.Version > QdrantServerVersion.NewestChecked)
        {
            _logger.LogInformation("Qdrant {Url} is {Version}, newer than the newest checked ({Newest}): using the same requests", _url, version.ToString(), QdrantServerVersion.NewestChecked);
        }

        _logger.LogDebug("Qdrant {Url} is {Version}: parameterised RRF {Rrf}, conditional upsert {Conditional}", _url, version.ToString(), version.ParameterisedRrf, version.ConditionalUpsert);
        _server = version;
        return version;
    }

    /// <summary>Article id → current version, read from the doc points (one request for all the hits' articles).</summary>
    private async Task<Dictionary<string, string>> CurrentVersionsAsync(IReadOnlyList<string> articleIds, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (articleIds.Count == 0)
        {
            return versions;
        }

        var ids = articleIds.Select(id => (PointId)ArticlePointId(id)).ToList();
        var docs = await CallAsync("read versions", ct => _client.RetrieveAsync(_docs, ids, new WithPayloadSelector { Include = new PayloadIncludeSelector { Fields = { ArticleId, ContentHash } } }, false, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        foreach (var doc in docs)
        {
            versions[GetString(doc.Payload, ArticleId)!] = GetString(doc.Payload, ContentHash)!;
        }

        return versions;
    }

    private static double? Cosine(ReadOnlySpan<float> query, float[]? vector)
    {
        if (vector is null || query.IsEmpty || vector.Length != query.Length)
        {
            return null;
        }

        double dot = 0, a = 0, b = 0;
        for (var i = 0; i < query.Length; i++)
        {
            dot += query[i] * vector[i];
            a += query[i] * query[i];
            b += vector[i] * vector[i];
        }

        return a == 0 || b == 0 ? 0 : dot / Math.Sqrt(a * b);
    }

    /// <summary>
    /// Every article in id order, in batches of <see cref="ExportGroup"/>: their doc points in one read by id, then the
    /// passages of all of them in one filtered scroll (byte-sized pages), keeping each article's current version only.
    /// </summary>
    public async IAsyncEnumerable<IndexedArticle> ExportAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var hashes = await GetContentHashesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in hashes.Keys.Order(StringComparer.Ordinal).Chunk(ExportGroup))
        {
            var ids = batch.Select(id => (PointId)ArticlePointId(id)).ToList();
            var docs = await CallAsync("read articles", ct => _client.RetrieveAsync(_docs, ids, true, false, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            var articles = docs.Select(d => ReadArticle(d.Payload)).ToDictionary(a => a.Id, StringComparer.Ordinal);
            var passages = batch.ToDictionary(id => id, _ => new List<IndexedPassage>(), StringComparer.Ordinal);
            var filter = new Filter { Must = { Conditions.Match(ArticleId, batch.ToList()) } };
            await foreach (var point in ScrollAsync(_collection, filter, new[] { ArticleId, ContentHash, Ordinal, Start, End, TextField }, true, cancellationToken).ConfigureAwait(false))
            {
                var articleId = GetString(point.Payload, ArticleId)!;
                if (articles.TryGetValue(articleId, out var article) && article.ContentHash == GetString(point.Payload, ContentHash))
                {
                    passages[articleId].Add(new IndexedPassage(
                        (int)(GetLong(point.Payload, Ordinal) ?? 0), (int)(GetLong(point.Payload, Start) ?? 0), (int)(GetLong(point.Payload, End) ?? 0),
                        GetString(point.Payload, TextField) ?? "", ReadDense(point.Vectors) ?? []));
                }
            }

            foreach (var id in batch)
            {
                if (articles.TryGetValue(id, out var article))
                {
                    yield return new IndexedArticle(article, passages[id].OrderBy(p => p.Ordinal).ToList());
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_ownsClient && _client is IDisposable disposable)
        {
            disposable.Dispose();
        }

        _transport?.Dispose();

        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<RetrievedPoint> ScrollAsync(string collection, Filter filter, string[] fields, bool withDense, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield break;
        }

        var pageSize = (uint)(withDense ? VectorPage(await DimensionsAsync(cancellationToken).ConfigureAwait(false)) : ScrollPage);

        PointId? offset = null;
        do
        {
            var from = offset;
            var page = await CallAsync("scroll", ct => _client.ScrollAsync(collection, filter, pageSize, from!,
                new WithPayloadSelector { Include = new PayloadIncludeSelector { Fields = { fields } } },
                withDense ? new WithVectorsSelector { Include = new VectorsSelector { Names = { DenseName } } } : false,
                cancellationToken: ct), cancellationToken).ConfigureAwait(false);
            foreach (var point in page.Result)
            {
                yield return point;
            }

            offset = page.NextPageOffset;
        }
        while (offset is not null);
    }

    private async Task WriteAsync(string collection, IReadOnlyList<PointStruct> points, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await UpdateAsync("upsert", ct => _client.UpsertAsync(collection, points, wait: true, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Qdrant {Collection}: upserted {Points} points in {ElapsedMs} ms", collection, points.Count, stopwatch.ElapsedMilliseconds);
    }

    /// <summary>
    /// A write sent with <c>wait=true</c>, which must come back <c>Completed</c>: from 1.17 a server that could not apply
    /// it within its wait timeout answers <c>WaitTimeout</c> as a success, and the next step (the doc switch after the
    /// passages, the delete after the switch) must not run on a write that may not be visible yet.
    /// </summary>
    private async Task UpdateAsync(string operation, Func<CancellationToken, Task<UpdateResult>> call, CancellationToken cancellationToken)
    {
        var result = await CallAsync(operation, call, cancellationToken).ConfigureAwait(false);
        if (result?.Status != UpdateStatus.Completed)
        {
            throw new IndexUnavailableException(
                $"Qdrant at {_url} accepted '{operation}' on collection '{_collection}' but did not finish it (status {result?.Status.ToString() ?? "none"}). The server is overloaded or its optimizer is behind: wait and run the command again (every write is idempotent), or raise Clippings:Index:Qdrant:TimeoutSeconds.");
        }
    }

    /// <summary>Runs one request with retries on transient errors, and turns what remains into an error a user can act on.</summary>
    private async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Translate(operation, ex);
        }
        catch (QdrantException ex)
        {
            // The client's own error for a reply that says "not done" (e.g. a create answered result=false).
            throw new IndexUnavailableException($"Qdrant at {_url} refused '{operation}' on collection '{_collection}': {ex.Message}. Check the server's log for why, fix it, and run the command again.", ex);
        }
    }

    private Task CallAsync(string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync(operation, async ct =>
        {
            await call(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    internal ClippingsException Translate(string operation, RpcException error) => error.StatusCode switch
    {
        StatusCode.Unavailable => new IndexUnavailableException(
            $"Cannot reach Qdrant at {_url} ({error.Status.Detail}). Start it (docker run -p 6333:6333 -p 6334:6334 qdrant/qdrant) or fix Clippings:Index:Url: it is the gRPC port, 6334 by default.", error),
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => new IndexUnavailableException(
            $"Qdrant at {_url} refused the request ({error.Status.Detail}): the API key is missing or wrong. Set Clippings:Index:ApiKey (or the Clippings__Index__ApiKey environment variable) to the server's key.", error),
        StatusCode.DeadlineExceeded => new IndexUnavailableException(
            $"Qdrant at {_url} did not finish '{operation}' within {_scale.TimeoutSeconds} s (after {_scale.MaxRetries} retries). Check the server's load, or raise Clippings:Index:Qdrant:TimeoutSeconds.", error),
        StatusCode.ResourceExhausted when RetryAfter(error) is not null => new IndexUnavailableException(
            $"Qdrant at {_url} is rate-limiting '{operation}' on collection '{_collection}' ({error.Status.Detail}) and still was after {_scale.MaxRetries} retries. Run fewer writers at once, or raise the server's rate limits.", error),
        StatusCode.ResourceExhausted => new IndexUnavailableException(
            $"Qdrant at {_url}: '{operation}' on collection '{_collection}' hit a size limit ({error.Status.Detail}). Pages are kept near {PageBudgetBytes / 1024 / 1024} MB; an article or passage far larger than that, or a strict-mode limit on the server, does this: check the server's strict-mode settings and the largest articles.", error),
        StatusCode.InvalidArgument when error.Status.Detail.Contains("dimension", StringComparison.OrdinalIgnoreCase) => new IndexMismatchException(
            $"Qdrant collection '{_collection}' at {_url} rejected a vector: {error.Status.Detail}. The collection was built for another embedder: use another Clippings:Index:Collection or re-create it."),
        _ => new IndexUnavailableException($"Qdrant at {_url} failed '{operation}' on collection '{_collection}': {error.StatusCode}: {error.Status.Detail}", error),
    };
}
