using System.Globalization;
using System.Text;
using Clippings.Archive;
using Clippings.Storage;
using Clippings.Storage.Qdrant;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Clippings.Storage.Qdrant.QdrantRequests;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// <c>bench qdrant</c>: round trips and protobuf bytes per index operation against the in-memory server, for the
/// current Qdrant index ("after") and for the request sequence the index sent before issue 12 ("before": replayed here
/// request by request, on the same points), measured in the same run at two archive sizes; each operation's figures are
/// fitted as a + b·N through the two sizes and extrapolated to 100k and 1M articles.
/// </summary>
internal sealed class QdrantBenchmark(TextWriter log)
{
    private const int Dimensions = 384;
    private const int PassagesPerArticle = 3;
    private const int AuthorsCount = 200;

    public sealed record Cost(long RoundTrips, long Bytes);

    public sealed record Row(string Operation, Cost Before, Cost After, Cost BeforeSmall, Cost AfterSmall, int Articles, int Small)
    {
        /// <summary>Searches cost what their limit asks for, whatever the archive's size: not extrapolated.</summary>
        public bool Scales => !Operation.Contains("search", StringComparison.Ordinal);

        /// <summary>a + b·N through the two measured sizes.</summary>
        public static Cost Fit(Cost small, Cost large, int smallN, int largeN, int n)
        {
            double Line(long a, long b) => a + ((double)(b - a) / (largeN - smallN) * (n - smallN));
            return new Cost((long)Math.Round(Line(small.RoundTrips, large.RoundTrips)), (long)Math.Round(Line(small.Bytes, large.Bytes)));
        }
    }

    public async Task<IReadOnlyList<Row>> MeasureAsync(int articles, CancellationToken cancellationToken)
    {
        var small = Math.Max(100, articles / 4);
        var large = await MeasureSizeAsync(articles, cancellationToken);
        var smaller = await MeasureSizeAsync(small, cancellationToken);
        return large.Select(l =>
        {
            var s = smaller.Single(x => x.Operation == l.Operation);
            return new Row(l.Operation, l.Before, l.After, s.Before, s.After, articles, small);
        }).ToList();
    }

    private async Task<List<(string Operation, Cost Before, Cost After)>> MeasureSizeAsync(int count, CancellationToken cancellationToken)
    {
        log.WriteLine($"bench qdrant: {count} articles of {PassagesPerArticle} passages, {Dimensions}-dimensional vectors");
        var articles = Enumerable.Range(0, count).Select(Article).ToList();
        var (afterClient, after) = InMemoryQdrant.Create();
        var (beforeClient, before) = InMemoryQdrant.Create();
        var index = new QdrantArchiveIndex(afterClient, "http://in-memory:6334", "bench", new QdrantScaleOptions(), ownsClient: false);
        await index.OpenAsync(new EmbeddingSpace("bench-embedder", Dimensions), cancellationToken);
        var legacy = new LegacyRequests(beforeClient);
        await legacy.CreateAsync(cancellationToken);
        var rows = new List<(string, Cost, Cost)>();

        async Task Measure(string operation, Func<Task> old, Func<Task> current)
        {
            var b = Mark(before);
            await old();
            var a = Mark(after);
            await current();
            rows.Add((operation, Since(before, b), Since(after, a)));
        }

        // Ingest as the ingestor calls it: batches of articles.
        await Measure("ingest (all articles)",
            async () =>
            {
                foreach (var article in articles)
                {
                    await legacy.UpsertArticleAsync(article, cancellationToken);
                }
            },
            async () =>
            {
                foreach (var batch in articles.Chunk(256))
                {
                    await ((IArchiveIndex)index).UpsertArticlesAsync(batch, cancellationToken);
                }
            });
        foreach (var author in Enumerable.Range(0, AuthorsCount))
        {
            var bio = new AuthorProfile($"Author {author}", "Writes about the harbour.");
            await legacy.WriteAsync(legacy.Docs, [AuthorPoint(bio)], cancellationToken);
            await index.UpsertAuthorAsync(bio, cancellationToken);
        }

        // Warm the catalog cache once after the writes (the first read after a write scans, like the old code always did).
        await index.GetStatsAsync(cancellationToken);
        await Measure("stats (`/health`), unchanged index", () => legacy.ReadCatalogAsync(cancellationToken), () => index.GetStatsAsync(cancellationToken));
        await Measure("authors (catalog refresh), unchanged index", () => legacy.ReadCatalogAsync(cancellationToken), () => index.ListAuthorsAsync(cancellationToken));
        await Measure("bio write + the next authors read", async () =>
        {
            await legacy.WriteAsync(legacy.Docs, [AuthorPoint(new AuthorProfile("Author 0", "Writes about the harbour, again."))], cancellationToken);
            await legacy.ReadCatalogAsync(cancellationToken);
        }, async () =>
        {
            await index.UpsertAuthorAsync(new AuthorProfile("Author 0", "Writes about the harbour, again."), cancellationToken);
            await index.ListAuthorsAsync(cancellationToken);
        });
        await Measure("export (migrate)", () => legacy.ExportAsync(cancellationToken), async () =>
        {
            await foreach (var _ in index.ExportAsync(cancellationToken))
            {
            }
        });
        var query = new PassageQuery("harbour tide", Vector(7, 1), SearchFilter.None, SearchMode.Hybrid, 10);
        await Measure("hybrid search", () => legacy.SearchAsync(query, cancellationToken), () => index.SearchAsync(query, cancellationToken));
        return rows;
    }

    private static int Mark(InMemoryQdrant server) => server.Calls.Count;

    private static Cost Since(InMemoryQdrant server, int mark)
    {
        var calls = server.Calls.Skip(mark).ToList();
        return new Cost(calls.Count, calls.Sum(c => c.RequestBytes + c.ResponseBytes));
    }

    private static IndexedArticle Article(int i)
    {
        var text = string.Join("\n\n", Enumerable.Range(0, PassagesPerArticle).Select(p => $"Dispatch {i} part {p}: the harbour master logged the tide at dawn and the ferry ran late, as it does every spring when the channel silts up again."));
        var article = new Article
        {
            Id = $"article-{i:D7}", Title = $"Dispatch {i}", Authors = [$"Author {i % AuthorsCount}"], Publication = "The Harbour Review", Section = "City",
            Published = new DateOnly(2000, 1, 1).AddDays(i % 9000), Text = text,
        };
        var offsets = 0;
        var passages = text.Split("\n\n").Select((p, ordinal) =>
        {
            var start = offsets;
            offsets += p.Length + 2;
            return new IndexedPassage(ordinal, start, start + p.Length, p, Vector(i, ordinal));
        }).ToList();
        return new IndexedArticle(article, passages);
    }

    private static float[] Vector(int article, int passage)
    {
        var random = new Random((article * 31) + passage);
        var vector = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            vector[d] = (float)((random.NextDouble() * 2) - 1);
        }

        return vector;
    }

    public static string ToMarkdown(IReadOnlyList<Row> rows)
    {
        static string Bytes(double bytes) => bytes switch
        {
            >= 1e9 => (bytes / 1e9).ToString("F1", CultureInfo.InvariantCulture) + " GB",
            >= 1e6 => (bytes / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB",
            >= 1e3 => (bytes / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " KB",
            _ => bytes.ToString("F0", CultureInfo.InvariantCulture) + " B",
        };

        static string Ratio(long before, long after) => after == 0 ? "–" : ((double)before / after).ToString(before >= after * 10 ? "F0" : "F1", CultureInfo.InvariantCulture) + "×";

        var first = rows[0];
        var text = new StringBuilder();
        text.AppendLine($"### Qdrant requests per operation (`bench qdrant --articles {first.Articles}`)");
        text.AppendLine();
        text.AppendLine($"Round trips and protobuf bytes (both directions) each index operation costs, counted by the in-memory server behind `IQdrantClient`: {first.Articles} articles of {PassagesPerArticle} passages, {Dimensions}-dimensional vectors, {AuthorsCount} authors with bios. Before: the request sequence the Qdrant index sent before issue 12, replayed on the same points; after: the index now. Both measured in this run; 100k and 1M are the line a + b·N through the figures at {first.Small} and {first.Articles} articles.");
        text.AppendLine();
        text.AppendLine("| operation | articles | round trips before | after | ratio | bytes before | after | ratio |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            foreach (var n in new[] { row.Articles, 100_000, 1_000_000 })
            {
                if (n != row.Articles && !row.Scales)
                {
                    continue;
                }

                var before = n == row.Articles ? row.Before : Row.Fit(row.BeforeSmall, row.Before, row.Small, row.Articles, n);
                var after = n == row.Articles ? row.After : Row.Fit(row.AfterSmall, row.After, row.Small, row.Articles, n);
                var label = n == row.Articles ? $"{n:N0} measured{(row.Scales ? "" : " (any size: bound by the limit)")}" : $"{n:N0} fitted";
                text.AppendLine(CultureInfo.InvariantCulture, $"| {(n == row.Articles ? row.Operation : "")} | {label} | {before.RoundTrips:N0} | {after.RoundTrips:N0} | {Ratio(before.RoundTrips, after.RoundTrips)} | {Bytes(before.Bytes)} | {Bytes(after.Bytes)} | {Ratio(before.Bytes, after.Bytes)} |");
            }
        }

        return text.ToString();
    }

    /// <summary>The Qdrant index's requests before issue 12, sent the same way (one per call, same page sizes).</summary>
    private sealed class LegacyRequests(IQdrantClient client)
    {
        private const uint Page = 512;
        private const string Collection = "bench";

        public string Docs { get; } = Collection + DocsSuffix;

        public async Task CreateAsync(CancellationToken cancellationToken)
        {
            await client.CreateCollectionAsync(DocsCollection(Collection, new QdrantScaleOptions { DocsOnDiskPayload = false }), cancellationToken: cancellationToken);
            await client.CreateCollectionAsync(PassageCollection(Collection, Dimensions, new QdrantScaleOptions()), cancellationToken: cancellationToken);
        }

        public Task WriteAsync(string collection, IReadOnlyList<PointStruct> points, CancellationToken cancellationToken) =>
            client.UpsertAsync(collection, points, wait: true, cancellationToken: cancellationToken);

        /// <summary>Passages in batches of 256, the doc point, one delete: three calls an article at least.</summary>
        public async Task UpsertArticleAsync(IndexedArticle article, CancellationToken cancellationToken)
        {
            foreach (var batch in article.Passages.Select(p => PassagePoint(article.Article, p)).Chunk(256))
            {
                await WriteAsync(Collection, batch, cancellationToken);
            }

            var doc = ArticlePoint(article.Article, article.Passages.Count);
            doc.Payload.Remove(SweepPending);
            await WriteAsync(Docs, [doc], cancellationToken);
            await client.DeleteAsync(Collection, OtherVersions(article.Article.Id, article.Article.ContentHash), wait: true, cancellationToken: cancellationToken);
        }

        private async IAsyncEnumerable<RetrievedPoint> ScrollAsync(string collection, Filter filter, string[] fields, bool vectors, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            PointId? offset = null;
            do
            {
                var page = await client.ScrollAsync(collection, filter, Page, offset!, new WithPayloadSelector { Include = new PayloadIncludeSelector { Fields = { fields } } },
                    vectors ? new WithVectorsSelector { Include = new VectorsSelector { Names = { DenseName } } } : false, cancellationToken: cancellationToken);
                foreach (var point in page.Result)
                {
                    yield return point;
                }

                offset = page.NextPageOffset;
            }
            while (offset is not null);
        }

        /// <summary>Stats and the author catalog both scrolled every article's doc point and every bio.</summary>
        public async Task ReadCatalogAsync(CancellationToken cancellationToken)
        {
            await foreach (var _ in ScrollAsync(Docs, BuildFilter(SearchFilter.None, ArticleKind), [Authors, Published, PassageCount], false, cancellationToken))
            {
            }

            await foreach (var _ in ScrollAsync(Docs, new Filter { Must = { Conditions.MatchKeyword(Kind, AuthorKind) } }, [Name, NameKey, Bio], false, cancellationToken))
            {
            }
        }

        /// <summary>The hashes, then per article its doc point and a scroll of its passages: 1 + 2N calls.</summary>
        public async Task ExportAsync(CancellationToken cancellationToken)
        {
            var hashes = new List<(string Id, string Hash)>();
            await foreach (var point in ScrollAsync(Docs, BuildFilter(SearchFilter.None, ArticleKind), [ArticleId, ContentHash], false, cancellationToken))
            {
                hashes.Add((GetString(point.Payload, ArticleId)!, GetString(point.Payload, ContentHash)!));
            }

            foreach (var (id, hash) in hashes.OrderBy(h => h.Id, StringComparer.Ordinal))
            {
                await client.RetrieveAsync(Docs, [ArticlePointId(id)], true, false, cancellationToken: cancellationToken);
                await foreach (var _ in ScrollAsync(Collection, OneVersion(id, hash), [Ordinal, Start, End, TextField], true, cancellationToken))
                {
                }
            }
        }

        /// <summary>One fused query (limit + 8) and one read of the hits' current versions.</summary>
        public async Task SearchAsync(PassageQuery query, CancellationToken cancellationToken)
        {
            var old = BuildSearch(query, query.Limit + 8, Math.Max(query.Limit * 3, 60))!;
            var points = await client.QueryAsync(Collection, new Rrf { K = 60 }, old.Prefetch, null, BuildFilter(query.Filter), limit: old.Limit, payloadSelector: true,
                vectorsSelector: new WithVectorsSelector { Include = new VectorsSelector { Names = { DenseName } } }, cancellationToken: cancellationToken);
            var ids = points.Select(p => (PointId)ArticlePointId(GetString(p.Payload, ArticleId)!)).Distinct().ToList();
            await client.RetrieveAsync(Docs, ids, new WithPayloadSelector { Include = new PayloadIncludeSelector { Fields = { ArticleId, ContentHash } } }, false, cancellationToken: cancellationToken);
        }
    }
}
