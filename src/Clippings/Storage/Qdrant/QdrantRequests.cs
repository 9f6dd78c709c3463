using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Clippings.Archive;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace Clippings.Storage.Qdrant;

/// <summary>
/// The collection layout and every request the Qdrant index sends, built as Qdrant.Client's own types so unit tests can
/// check them without a server.
/// </summary>
/// <remarks>
/// Two collections: <c>{name}</c> holds one point per passage (named dense vector <see cref="DenseName"/>, named sparse
/// vector <see cref="SparseName"/>, payload with the article's metadata), and <c>{name}_docs</c> holds one point per
/// article (metadata and full text, no passages), one per author bio, and one meta point with the embedding space.
/// Both carry the same payload field names, so one filter builder serves both.
/// </remarks>
internal static class QdrantRequests
{
    public const string DenseName = "dense";
    public const string SparseName = "lexical";
    public const string DocsVectorName = "unit";
    public const string DocsSuffix = "_docs";
    public const int SchemaVersion = 1;

    // Payload fields.
    public const string Kind = "kind";
    public const string ArticleId = "article_id";
    public const string ContentHash = "content_hash";
    public const string Title = "title";
    public const string Authors = "authors";
    public const string AuthorKeys = "author_keys";
    public const string Publication = "publication";
    public const string PublicationKey = "publication_key";
    public const string Section = "section";
    public const string SectionKey = "section_key";
    public const string Published = "published";
    public const string DatePrecisionField = "date_precision";
    public const string Url = "url";
    public const string TextField = "text";
    public const string SourcePath = "source_path";
    public const string Ordinal = "ordinal";
    public const string Start = "start";
    public const string End = "end";
    public const string PassageCount = "passage_count";
    public const string Name = "name";
    public const string NameKey = "name_key";
    public const string Bio = "bio";
    public const string Embedder = "embedder";
    public const string Dimensions = "dimensions";
    public const string Schema = "schema";
    public const string SweepPending = "sweep_pending";
    public const string GenerationField = "generation";

    public const string ArticleKind = "article";
    public const string AuthorKind = "author";
    public const string MetaKind = "meta";
    public const string GenerationKind = "generation";

    /// <summary>Keyword indexes in both collections (filters and facets), plus the datetime index on <see cref="Published"/>.</summary>
    public static readonly string[] KeywordIndexes = [Kind, ArticleId, ContentHash, AuthorKeys, PublicationKey, SectionKey];

    /// <summary>
    /// Every payload index a collection needs (strict-mode servers refuse filters on unindexed fields): the keyword ones,
    /// the datetime one, and in the docs collection the flag of articles whose old versions may still need deleting.
    /// </summary>
    public static IReadOnlyList<(string Field, PayloadSchemaType Type)> PayloadIndexes(bool docs) =>
        [.. KeywordIndexes.Select(f => (f, PayloadSchemaType.Keyword)), (Published, PayloadSchemaType.Datetime), .. docs ? new[] { (SweepPending, PayloadSchemaType.Bool) } : []];

    /// <summary>
    /// A collection name the server accepts, with room for the docs suffix: 1 to 250 characters, none of the characters
    /// Qdrant refuses (they would make a bad path on some file system) or a control character.
    /// </summary>
    public static string? CollectionNameProblem(string? name)
    {
        const int longest = 255 - 5;
        if (string.IsNullOrWhiteSpace(name))
        {
            return "it is empty";
        }

        if (name.Length > longest)
        {
            return $"it has {name.Length} characters; the most is {longest} (Qdrant allows 255, and '{DocsSuffix}' is added for the docs collection)";
        }

        var bad = name.FirstOrDefault(c => "<>:\"/\\|?*".Contains(c) || char.IsControl(c));
        return bad != default || name.Contains('\0', StringComparison.Ordinal)
            ? $"Qdrant refuses the character '{(char.IsControl(bad) ? $"U+{(int)bad:X4}" : bad.ToString())}' in collection names (and any of < > : \" / \\ | ? *)"
            : null;
    }

    /// <summary>
    /// A passage's point id: a UUID from its article id, the article version (content hash) and its ordinal. Re-writing the
    /// same version overwrites the same points (idempotent); a new version gets new points, so it can be written beside the
    /// old one before the switch.
    /// </summary>
    public static Guid PassagePointId(string articleId, string contentHash, int ordinal) =>
        StableGuid($"passage\u001f{articleId}\u001f{contentHash}\u001f{ordinal.ToString(CultureInfo.InvariantCulture)}");

    public static Guid ArticlePointId(string articleId) => StableGuid("article\u001f" + articleId);

    public static Guid AuthorPointId(string name) => StableGuid("author\u001f" + AuthorNames.Key(name));

    public static Guid MetaPointId { get; } = StableGuid("meta");

    /// <summary>The point whose token changes with every write: readers re-read the catalog only when it has.</summary>
    public static Guid GenerationPointId { get; } = StableGuid("generation");

    /// <summary>SHA-256 of the key, first 16 bytes, marked as an RFC 4122 name-based UUID.</summary>
    internal static Guid StableGuid(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public static CreateCollection PassageCollection(string name, int dimensions, QdrantScaleOptions scale)
    {
        var dense = new VectorParams { Size = (ulong)dimensions, Distance = Distance.Cosine, HnswConfig = new HnswConfigDiff { M = 16, EfConstruct = 128 } };
        var sparseIndex = new SparseIndexConfig();
        if (scale.OnDiskVectors)
        {
            // Servers before 1.20 read the on_disk flags, newer ones the memory placement: set both.
#pragma warning disable CS0612
            dense.OnDisk = true;
            dense.HnswConfig.OnDisk = true;
            sparseIndex.OnDisk = true;
#pragma warning restore CS0612
            dense.Memory = Memory.Cold;
            dense.HnswConfig.Memory = Memory.Cold;
            sparseIndex.Memory = Memory.Cold;
        }

        if (scale.ScalarQuantization)
        {
            // int8 copies stay in RAM for the candidate search; the float originals (maybe on disk) rescore the top hits.
            var scalar = new ScalarQuantization { Type = QuantizationType.Int8, Quantile = 0.99f, Memory = Memory.Pinned };
#pragma warning disable CS0612
            scalar.AlwaysRam = true;
#pragma warning restore CS0612
            dense.QuantizationConfig = new QuantizationConfig { Scalar = scalar };
        }

        var request = new CreateCollection
        {
            CollectionName = name,
            VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { [DenseName] = dense } } },
            SparseVectorsConfig = new SparseVectorConfig
            {
                Map = { [SparseName] = new SparseVectorParams { Modifier = Modifier.Idf, Index = sparseIndex } },
            },
        };
        ApplyScale(request, scale);
        return request;
    }

    /// <summary>
    /// The docs collection: article metadata and text, author bios, the meta point. Its points carry a constant
    /// one-dimensional vector because every Qdrant version accepts that (vector-less collections came late).
    /// </summary>
    public static CreateCollection DocsCollection(string name, QdrantScaleOptions scale)
    {
        var request = new CreateCollection
        {
            CollectionName = name + DocsSuffix,
            VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { [DocsVectorName] = new VectorParams { Size = 1, Distance = Distance.Dot } } } },
        };
        ApplyScale(request, scale, docs: true);
        return request;
    }

    private static void ApplyScale(CreateCollection request, QdrantScaleOptions scale, bool docs = false)
    {
        // Article texts are read one article at a time (and filtered on indexed fields, which stay in RAM), so by
        // default they live on disk: at 100k articles they would otherwise be about a gigabyte of server RAM.
        if (scale.OnDiskPayload || (docs && scale.DocsOnDiskPayload))
        {
#pragma warning disable CS0612
            request.OnDiskPayload = true;
#pragma warning restore CS0612
            request.Payload = new PayloadStorageParams { Memory = Memory.Cold };
        }

        if (scale.ShardNumber is { } shards)
        {
            request.ShardNumber = shards;
        }

        if (scale.ReplicationFactor is { } replication)
        {
            request.ReplicationFactor = replication;
        }

        if (scale.WriteConsistencyFactor is { } consistency)
        {
            request.WriteConsistencyFactor = consistency;
        }
    }

    /// <summary>
    /// The filter for a <see cref="SearchFilter"/>: authors by lower-cased key (any of them; excluded authors as must_not), published as a datetime range
    /// with both ends inclusive (dates are stored at midnight UTC), section OR publication by lower-cased key, article ids.
    /// </summary>
    public static Filter BuildFilter(SearchFilter filter, string? kind = null)
    {
        var result = new Filter();
        if (kind is not null)
        {
            result.Must.Add(MatchKeyword(Kind, kind));
        }

        if (filter.Authors is { Count: > 0 } authors)
        {
            result.Must.Add(Match(AuthorKeys, authors.Select(AuthorNames.Key).Distinct(StringComparer.Ordinal).ToList()));
        }

        if (filter.ExcludeAuthors is { Count: > 0 } excluded)
        {
            // must_not with an any-of match: a point is left out when any of its authors is excluded.
            result.MustNot.Add(Match(AuthorKeys, excluded.Select(AuthorNames.Key).Distinct(StringComparer.Ordinal).ToList()));
        }

        if (filter.From is not null || filter.To is not null)
        {
            result.Must.Add(DatetimeRange(Published, gte: ToDateTime(filter.From), lte: ToDateTime(filter.To)));
        }

        if (filter.Sections is { Count: > 0 } sections)
        {
            var keys = sections.Select(s => s.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
            result.Must.Add(Conditions.Filter(new Filter { Should = { Match(SectionKey, keys), Match(PublicationKey, keys) } }));
        }

        if (filter.ArticleIds is { Count: > 0 } ids)
        {
            result.Must.Add(Match(ArticleId, ids.Distinct(StringComparer.Ordinal).ToList()));
        }

        return result;
    }

    private static DateTime? ToDateTime(DateOnly? date) => date?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>RFC 3339 at midnight UTC: what Qdrant's datetime index parses.</summary>
    public static string FormatPublished(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z";

    public static DateOnly? ParsePublished(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateOnly.FromDateTime(DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));

    /// <summary>The metadata every point of an article carries (passages and the article's doc point), for filters and hits.</summary>
    private static void AddArticleFields(Google.Protobuf.Collections.MapField<string, Value> payload, Article article)
    {
        payload[ArticleId] = article.Id;
        payload[ContentHash] = article.ContentHash;
        payload[Title] = article.Title;
        payload[Authors] = article.Authors.ToArray();
        payload[AuthorKeys] = article.Authors.Select(AuthorNames.Key).Distinct(StringComparer.Ordinal).ToArray();
        payload[DatePrecisionField] = article.DatePrecision.ToString();
        if (article.Publication is { } publication)
        {
            payload[Publication] = publication;
            payload[PublicationKey] = publication.ToLowerInvariant();
        }

        if (article.Section is { } section)
        {
            payload[Section] = section;
            payload[SectionKey] = section.ToLowerInvariant();
        }

        if (article.Published is { } published)
        {
            payload[Published] = FormatPublished(published);
        }

        if (article.Url is { } url)
        {
            payload[Url] = url;
        }
    }

    public static PointStruct PassagePoint(Article article, IndexedPassage passage)
    {
        var sparse = LexicalSparseEncoder.EncodePassage(passage.Text);
        var vectors = new Dictionary<string, Vector> { [DenseName] = passage.Vector.ToArray() };
        if (!sparse.IsEmpty)
        {
            vectors[SparseName] = (sparse.Values, sparse.Indices);
        }

        var point = new PointStruct { Id = PassagePointId(article.Id, article.ContentHash, passage.Ordinal), Vectors = vectors };
        AddArticleFields(point.Payload, article);
        point.Payload[Ordinal] = passage.Ordinal;
        point.Payload[Start] = passage.Start;
        point.Payload[End] = passage.End;
        point.Payload[TextField] = passage.Text;
        return point;
    }

    /// <summary>
    /// The article's doc point: written after its passages, it is what makes a version current. It is written flagged
    /// <see cref="SweepPending"/> (other versions may still exist); the flag is cleared once they are deleted, so a
    /// writer that died in between leaves a flag the next open finds with one indexed filter.
    /// </summary>
    public static PointStruct ArticlePoint(Article article, int passageCount)
    {
        var point = new PointStruct { Id = ArticlePointId(article.Id), Vectors = UnitVector() };
        point.Payload[Kind] = ArticleKind;
        point.Payload[SweepPending] = true;
        AddArticleFields(point.Payload, article);
        point.Payload[TextField] = article.Text;
        point.Payload[PassageCount] = passageCount;
        if (article.SourcePath is { } source)
        {
            point.Payload[SourcePath] = source;
        }

        return point;
    }

    /// <summary>The docs collection's constant vector, by name (a named-vector collection rejects an unnamed one).</summary>
    private static Vectors UnitVector() => new Dictionary<string, Vector> { [DocsVectorName] = new[] { 1f } };

    public static PointStruct AuthorPoint(AuthorProfile author)
    {
        var point = new PointStruct { Id = AuthorPointId(author.Name), Vectors = UnitVector() };
        point.Payload[Kind] = AuthorKind;
        point.Payload[Name] = author.Name;
        point.Payload[NameKey] = AuthorNames.Key(author.Name);
        if (author.Bio is { } bio)
        {
            point.Payload[Bio] = bio;
        }

        return point;
    }

    public static PointStruct MetaPoint(EmbeddingSpace space)
    {
        var point = new PointStruct { Id = MetaPointId, Vectors = UnitVector() };
        point.Payload[Kind] = MetaKind;
        point.Payload[Embedder] = space.EmbedderId;
        point.Payload[Dimensions] = space.Dimensions;
        point.Payload[Schema] = SchemaVersion;
        return point;
    }

    public static PointStruct GenerationPoint(string token)
    {
        var point = new PointStruct { Id = GenerationPointId, Vectors = UnitVector() };
        point.Payload[Kind] = GenerationKind;
        point.Payload[GenerationField] = token;
        return point;
    }

    /// <summary>
    /// One filter for many articles: the passages of each article whose version is not the given one (<c>keep</c>), or,
    /// for <c>drop</c>, exactly the given version (a write that lost the race to another writer removes its own).
    /// </summary>
    public static Filter VersionsToDelete(IEnumerable<(string ArticleId, string ContentHash)> keep, IEnumerable<(string ArticleId, string ContentHash)> drop)
    {
        var filter = new Filter();
        foreach (var (articleId, hash) in keep)
        {
            filter.Should.Add(Conditions.Filter(new Filter { Must = { MatchKeyword(ArticleId, articleId) }, MustNot = { MatchKeyword(ContentHash, hash) } }));
        }

        foreach (var (articleId, hash) in drop)
        {
            filter.Should.Add(Conditions.Filter(OneVersion(articleId, hash)));
        }

        return filter;
    }

    /// <summary>The doc points currently at the given versions: the condition of a conditional doc switch.</summary>
    public static Filter AtVersions(IEnumerable<(string ArticleId, string ContentHash)> versions)
    {
        var filter = new Filter();
        foreach (var (articleId, hash) in versions)
        {
            filter.Should.Add(Conditions.Filter(OneVersion(articleId, hash)));
        }

        return filter;
    }

    /// <summary>The points of every version of an article except <paramref name="keepHash"/> (null: all of them).</summary>
    public static Filter OtherVersions(string articleId, string? keepHash)
    {
        var filter = new Filter { Must = { MatchKeyword(ArticleId, articleId) } };
        if (keepHash is not null)
        {
            filter.MustNot.Add(MatchKeyword(ContentHash, keepHash));
        }

        return filter;
    }

    public static Filter OneVersion(string articleId, string contentHash) =>
        new() { Must = { MatchKeyword(ArticleId, articleId), MatchKeyword(ContentHash, contentHash) } };

    /// <summary>
    /// One search as the Query API takes it. Dense and lexical are single queries on their named vector; hybrid is a dense
    /// and a sparse prefetch (each filtered, each <paramref name="candidates"/> deep) fused by the server with reciprocal
    /// rank fusion at <see cref="QdrantFusion.ServerK"/> (the SQLite index's k, counted from 0 as Qdrant counts). The filter
    /// sits in the prefetches only: fusion works on their output, so a root filter would only test every hit again.
    /// Returns null when there is nothing to search with (no vector, no terms).
    /// </summary>
    public static SearchRequest? BuildSearch(PassageQuery query, int limit, int candidates)
    {
        var filter = BuildFilter(query.Filter);
        switch (query.Mode)
        {
            case SearchMode.Dense when HasDense(query):
                return new SearchRequest(query.Vector.ToArray(), [], DenseName, filter, (ulong)limit);
            case SearchMode.Lexical when EncodeSparse(query) is { } sparse:
                return new SearchRequest((sparse.Values, sparse.Indices), [], SparseName, filter, (ulong)limit);
            case SearchMode.Hybrid:
                var prefetch = BuildFusionLegs(query, candidates)
                    .Select(leg => new PrefetchQuery { Query = leg.Query, Using = leg.Using, Filter = leg.Filter, Limit = leg.Limit })
                    .ToList();
                return prefetch.Count == 0 ? null : new SearchRequest(new Rrf { K = QdrantFusion.ServerK }, prefetch, null, null, (ulong)limit);
            default:
                return null;
        }
    }

    /// <summary>
    /// A hybrid search's legs as separate queries (dense first, then lexical; each filtered, <paramref name="candidates"/>
    /// deep) for servers without parameterised RRF: sent in one batch and fused by <see cref="QdrantFusion"/>. The lexical
    /// leg brings the dense vectors along so every hit can carry its cosine.
    /// </summary>
    public static IReadOnlyList<QueryPoints> BuildFusionLegs(PassageQuery query, int candidates)
    {
        var filter = BuildFilter(query.Filter);
        var legs = new List<QueryPoints>(2);
        if (HasDense(query))
        {
            legs.Add(new QueryPoints { Query = query.Vector.ToArray(), Using = DenseName, Filter = filter, Limit = (ulong)candidates, WithPayload = true });
        }

        if (EncodeSparse(query) is { } sparse)
        {
            legs.Add(new QueryPoints
            {
                Query = (sparse.Values, sparse.Indices), Using = SparseName, Filter = filter, Limit = (ulong)candidates, WithPayload = true,
                WithVectors = HasDense(query) ? new WithVectorsSelector { Include = new VectorsSelector { Names = { DenseName } } } : false,
            });
        }

        return legs;
    }

    private static bool HasDense(PassageQuery query) => query.Mode != SearchMode.Lexical && !query.Vector.IsEmpty;

    private static SparseTerms? EncodeSparse(PassageQuery query) =>
        query.Mode != SearchMode.Dense && LexicalSparseEncoder.EncodeQuery(query.Text) is { IsEmpty: false } sparse ? sparse : null;

    public static ArticleSummary ReadSummary(Google.Protobuf.Collections.MapField<string, Value> payload) => new(
        GetString(payload, ArticleId) ?? "",
        GetString(payload, Title) ?? "",
        GetStrings(payload, Authors),
        GetString(payload, Publication),
        GetString(payload, Section),
        ParsePublished(GetString(payload, Published)),
        Enum.TryParse<DatePrecision>(GetString(payload, DatePrecisionField), out var precision) ? precision : DatePrecision.Day,
        GetString(payload, Url));

    public static string? GetString(Google.Protobuf.Collections.MapField<string, Value> payload, string key) =>
        payload.TryGetValue(key, out var value) && value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : null;

    public static long? GetLong(Google.Protobuf.Collections.MapField<string, Value> payload, string key) =>
        payload.TryGetValue(key, out var value) ? value.KindCase switch
        {
            Value.KindOneofCase.IntegerValue => value.IntegerValue,
            Value.KindOneofCase.DoubleValue => (long)value.DoubleValue,
            _ => null,
        } : null;

    public static IReadOnlyList<string> GetStrings(Google.Protobuf.Collections.MapField<string, Value> payload, string key) =>
        payload.TryGetValue(key, out var value) && value.KindCase == Value.KindOneofCase.ListValue
            ? value.ListValue.Values.Where(v => v.KindCase == Value.KindOneofCase.StringValue).Select(v => v.StringValue).ToList()
            : [];

    /// <summary>A dense vector from a point's output, whichever field the server filled.</summary>
    public static float[]? ReadDense(VectorsOutput? vectors)
    {
        if (vectors?.Vectors?.Vectors is not { } named || !named.TryGetValue(DenseName, out var output))
        {
            return null;
        }

        if (output.Dense is { } dense)
        {
            return [.. dense.Data];
        }

        // Servers before the typed output fill the deprecated flat field.
#pragma warning disable CS0612
        return [.. output.Data];
#pragma warning restore CS0612
    }
}

/// <summary>The arguments of one <c>QueryAsync</c> call.</summary>
internal sealed record SearchRequest(Query Query, IReadOnlyList<PrefetchQuery> Prefetch, string? Using, Filter? Filter, ulong Limit);
