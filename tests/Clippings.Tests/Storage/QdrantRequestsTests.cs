using Clippings.Storage;
using Clippings.Storage.Qdrant;
using Clippings.Text;
using Qdrant.Client.Grpc;

namespace Clippings.Tests.Storage;

/// <summary>The requests the Qdrant index builds, checked on Qdrant.Client's own types (no server).</summary>
public sealed class QdrantRequestsTests
{
    [Fact]
    public void FiltersMatchAuthorKeysInclusiveDatesSectionOrPublicationAndIds()
    {
        var filter = QdrantRequests.BuildFilter(new SearchFilter
        {
            Authors = ["Mara  QUINN", "mara quinn"],
            From = new DateOnly(2020, 1, 1),
            To = new DateOnly(2021, 3, 15),
            Sections = ["Études", "The Harbour Review"],
            ArticleIds = ["a", "b"],
        }, QdrantRequests.ArticleKind);

        Assert.Empty(filter.Should);
        Assert.Empty(filter.MustNot);
        Assert.Equal(5, filter.Must.Count);
        Assert.Equal(("kind", "article"), (filter.Must[0].Field.Key, filter.Must[0].Field.Match.Keyword));
        Assert.Equal("author_keys", filter.Must[1].Field.Key);
        Assert.Equal(["mara quinn"], filter.Must[1].Field.Match.Keywords.Strings);

        var dates = filter.Must[2].Field;
        Assert.Equal("published", dates.Key);
        Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), dates.DatetimeRange.Gte.ToDateTime());
        Assert.Equal(new DateTime(2021, 3, 15, 0, 0, 0, DateTimeKind.Utc), dates.DatetimeRange.Lte.ToDateTime());
        Assert.Null(dates.DatetimeRange.Lt);
        Assert.Null(dates.DatetimeRange.Gt);

        var sections = filter.Must[3].Filter;
        Assert.Empty(sections.Must);
        Assert.Equal(["section_key", "publication_key"], sections.Should.Select(c => c.Field.Key));
        Assert.All(sections.Should, c => Assert.Equal(["études", "the harbour review"], c.Field.Match.Keywords.Strings));

        Assert.Equal("article_id", filter.Must[4].Field.Key);
        Assert.Equal(["a", "b"], filter.Must[4].Field.Match.Keywords.Strings);
        Assert.Empty(QdrantRequests.BuildFilter(SearchFilter.None).Must);
    }

    [Fact]
    public void AnOpenEndedDateRangeHasOneBound()
    {
        var range = QdrantRequests.BuildFilter(new SearchFilter { To = new DateOnly(1787, 11, 22) }).Must.Single().Field.DatetimeRange;
        Assert.Null(range.Gte);
        Assert.Equal(new DateTime(1787, 11, 22, 0, 0, 0, DateTimeKind.Utc), range.Lte.ToDateTime());
        Assert.Equal("1787-11-22T00:00:00Z", QdrantRequests.FormatPublished(new DateOnly(1787, 11, 22)));
        Assert.Equal(new DateOnly(1787, 11, 22), QdrantRequests.ParsePublished("1787-11-22T00:00:00Z"));
    }

    [Fact]
    public void HybridSearchIsADenseAndASparsePrefetchFusedByRrf()
    {
        var filter = new SearchFilter { Authors = ["Ana Silva"] };
        var request = QdrantRequests.BuildSearch(new PassageQuery("Storms logged by the keepers", new float[] { 0.6f, 0.8f }, filter, SearchMode.Hybrid, 10), 18, 60)!;

        Assert.Equal(Query.VariantOneofCase.Rrf, request.Query.VariantCase);
        Assert.Equal(61u, request.Query.Rrf.K);
        Assert.Null(request.Using);
        Assert.Equal(18ul, request.Limit);
        Assert.Null(request.Filter);
        Assert.Equal(2, request.Prefetch.Count);

        var dense = request.Prefetch[0];
        Assert.Equal(("dense", 60ul), (dense.Using, dense.Limit));
        Assert.Equal([0.6f, 0.8f], dense.Query.Nearest.Dense.Data);
        Assert.Equal(QdrantRequests.BuildFilter(filter), dense.Filter);

        var sparse = request.Prefetch[1];
        Assert.Equal(("lexical", 60ul), (sparse.Using, sparse.Limit));
        var expected = LexicalAnalyzer.Analyze("Storms logged by the keepers").Select(LexicalSparseEncoder.TermIndex).Order().ToArray();
        Assert.Equal(expected, sparse.Query.Nearest.Sparse.Indices.ToArray());
        Assert.All(sparse.Query.Nearest.Sparse.Values, v => Assert.Equal(1f, v));
        Assert.Equal(QdrantRequests.BuildFilter(filter), sparse.Filter);
    }

    [Fact]
    public void SingleModeSearchesQueryOneNamedVectorAndNothingIsSentWithoutInput()
    {
        var dense = QdrantRequests.BuildSearch(new PassageQuery("ignored", new float[] { 1, 0 }, SearchFilter.None, SearchMode.Dense, 5), 5, 60)!;
        Assert.Equal(("dense", 0), (dense.Using, dense.Prefetch.Count));
        Assert.Equal([1f, 0f], dense.Query.Nearest.Dense.Data);

        var lexical = QdrantRequests.BuildSearch(new PassageQuery("harbour", new float[] { 1, 0 }, SearchFilter.None, SearchMode.Lexical, 5), 5, 60)!;
        Assert.Equal("lexical", lexical.Using);
        Assert.Equal([LexicalSparseEncoder.TermIndex(PorterStemmer.Stem("harbour"))], lexical.Query.Nearest.Sparse.Indices);

        var hybridWithoutTerms = QdrantRequests.BuildSearch(new PassageQuery("the of and", new float[] { 1, 0 }, SearchFilter.None, SearchMode.Hybrid, 5), 5, 60)!;
        Assert.Equal(["dense"], hybridWithoutTerms.Prefetch.Select(p => p.Using));

        Assert.Null(QdrantRequests.BuildSearch(new PassageQuery("the of and", ReadOnlyMemory<float>.Empty, SearchFilter.None, SearchMode.Lexical, 5), 5, 60));
        Assert.Null(QdrantRequests.BuildSearch(new PassageQuery("harbour", ReadOnlyMemory<float>.Empty, SearchFilter.None, SearchMode.Dense, 5), 5, 60));
    }

    [Fact]
    public void PassagePointsCarryBothVectorsAndTheArticlesPayload()
    {
        var indexed = ArchiveIndexContract.Tides();
        var article = indexed.Article;
        var point = QdrantRequests.PassagePoint(article, indexed.Passages[1]);

        Assert.Equal(QdrantRequests.PassagePointId(article.Id, article.ContentHash, 1).ToString(), point.Id.Uuid);
        var vectors = point.Vectors.Vectors_.Vectors;
        Assert.Equal(indexed.Passages[1].Vector.ToArray(), vectors["dense"].Dense.Data);
        var sparse = LexicalSparseEncoder.EncodePassage(indexed.Passages[1].Text);
        Assert.Equal(sparse.Indices, vectors["lexical"].Sparse.Indices);
        Assert.Equal(sparse.Values, vectors["lexical"].Sparse.Values);

        var payload = point.Payload;
        Assert.Equal("tide-tables", payload["article_id"].StringValue);
        Assert.Equal(article.ContentHash, payload["content_hash"].StringValue);
        Assert.Equal(["Tom Reed", "Mara Quinn"], payload["authors"].ListValue.Values.Select(v => v.StringValue));
        Assert.Equal(["tom reed", "mara quinn"], payload["author_keys"].ListValue.Values.Select(v => v.StringValue));
        Assert.Equal(("The Harbour Review", "the harbour review"), (payload["publication"].StringValue, payload["publication_key"].StringValue));
        Assert.Equal(("Science", "science"), (payload["section"].StringValue, payload["section_key"].StringValue));
        Assert.Equal("2020-01-01T00:00:00Z", payload["published"].StringValue);
        Assert.Equal("https://example.org/tides", payload["url"].StringValue);
        Assert.Equal((1L, (long)indexed.Passages[1].Start, (long)indexed.Passages[1].End), (payload["ordinal"].IntegerValue, payload["start"].IntegerValue, payload["end"].IntegerValue));
        Assert.Equal(indexed.Passages[1].Text, payload["text"].StringValue);
        Assert.Equal(article.ToSummary(), QdrantRequests.ReadSummary(payload) with { Authors = article.Authors });
    }

    [Fact]
    public void AnUndatedArticleHasNoPublishedFieldSoNoDateFilterMatchesIt()
    {
        var indexed = ArchiveIndexContract.Undated();
        var point = QdrantRequests.PassagePoint(indexed.Article, indexed.Passages[0]);
        Assert.False(point.Payload.ContainsKey("published"));
        Assert.False(point.Payload.ContainsKey("section"));
        Assert.Null(QdrantRequests.ReadSummary(point.Payload).Published);
    }

    [Fact]
    public void PointIdsAreStableUuidsPerArticleVersionAndOrdinal()
    {
        var id = QdrantRequests.PassagePointId("a", "hash1", 0);
        Assert.Equal(id, QdrantRequests.PassagePointId("a", "hash1", 0));
        Assert.NotEqual(id, QdrantRequests.PassagePointId("a", "hash2", 0));
        Assert.NotEqual(id, QdrantRequests.PassagePointId("a", "hash1", 1));
        Assert.NotEqual(id, QdrantRequests.PassagePointId("b", "hash1", 0));
        Assert.Equal('5', id.ToString()[14]);
        Assert.Equal(QdrantRequests.AuthorPointId("Mara  Quinn"), QdrantRequests.AuthorPointId("mara quinn"));
        Assert.NotEqual(QdrantRequests.ArticlePointId("a"), QdrantRequests.ArticlePointId("b"));
    }

    [Fact]
    public void CollectionsAreCreatedWithTheScaleOutSettings()
    {
        var scale = new QdrantScaleOptions { ShardNumber = 6, ReplicationFactor = 2, WriteConsistencyFactor = 2, OnDiskVectors = true, OnDiskPayload = true, ScalarQuantization = true };
        var passages = QdrantRequests.PassageCollection("news", 384, scale);

        Assert.Equal("news", passages.CollectionName);
        Assert.Equal((6u, 2u, 2u), (passages.ShardNumber, passages.ReplicationFactor, passages.WriteConsistencyFactor));
        var dense = passages.VectorsConfig.ParamsMap.Map["dense"];
        Assert.Equal((384ul, Distance.Cosine, Memory.Cold), (dense.Size, dense.Distance, dense.Memory));
        Assert.Equal(QuantizationType.Int8, dense.QuantizationConfig.Scalar.Type);
        Assert.Equal(Modifier.Idf, passages.SparseVectorsConfig.Map["lexical"].Modifier);
        Assert.Equal(Memory.Cold, passages.Payload.Memory);

        var docs = QdrantRequests.DocsCollection("news", scale);
        Assert.Equal(("news_docs", 6u, 2u), (docs.CollectionName, docs.ShardNumber, docs.ReplicationFactor));

        var plain = QdrantRequests.PassageCollection("news", 384, new QdrantScaleOptions());
        Assert.False(plain.HasShardNumber);
        Assert.Null(plain.VectorsConfig.ParamsMap.Map["dense"].QuantizationConfig);
        Assert.False(plain.VectorsConfig.ParamsMap.Map["dense"].HasMemory);
    }
}

/// <summary>The client-side half of BM25: terms, stable indices, term-frequency weights.</summary>
public sealed class LexicalSparseEncoderTests
{
    [Fact]
    public void TermIndicesAreFnv1aOfTheUtf8Term()
    {
        // Published FNV-1a 32-bit test vectors: the mapping cannot drift between versions or machines.
        Assert.Equal(0x811C9DC5u, LexicalSparseEncoder.TermIndex(""));
        Assert.Equal(0xE40C292Cu, LexicalSparseEncoder.TermIndex("a"));
        Assert.Equal(0xBF9CF968u, LexicalSparseEncoder.TermIndex("foobar"));
    }

    [Fact]
    public void PassagesGetSaturatingTermFrequencyWeightsOnTheAnalyzersTerms()
    {
        var once = LexicalSparseEncoder.EncodePassage("The harbour was quiet.");
        var thrice = LexicalSparseEncoder.EncodePassage("Harbour, harbours and the harbour: quiet.");
        var harbour = LexicalSparseEncoder.TermIndex(PorterStemmer.Stem("harbour"));

        Assert.Equal(LexicalAnalyzer.Analyze("The harbour was quiet.").Select(LexicalSparseEncoder.TermIndex).Order(), once.Indices);
        Assert.True(once.Indices.SequenceEqual(once.Indices.Order()), "indices ascend");
        var single = once.Values[Array.IndexOf(once.Indices, harbour)];
        var triple = thrice.Values[Array.IndexOf(thrice.Indices, harbour)];
        Assert.True(triple > single, "more occurrences weigh more");
        Assert.True(triple < LexicalSparseEncoder.K1 + 1, "but saturate below k1 + 1");
        Assert.True(LexicalSparseEncoder.EncodePassage("").IsEmpty);
    }

    [Fact]
    public void CollidingTermsShareOneDimensionWithSummedWeights()
    {
        var (first, second) = FindCollision();
        var query = LexicalSparseEncoder.EncodeQuery($"{first} {second}");
        Assert.Equal([LexicalSparseEncoder.TermIndex(first)], query.Indices);
        Assert.Equal([2f], query.Values);

        var passage = LexicalSparseEncoder.EncodePassage($"{first} {second}");
        var alone = LexicalSparseEncoder.EncodePassage($"{first} zzzq");
        Assert.Single(passage.Indices, i => i == LexicalSparseEncoder.TermIndex(first));
        Assert.Equal(2 * alone.Values[Array.IndexOf(alone.Indices, LexicalSparseEncoder.TermIndex(first))], passage.Values.Single(), 4);
    }

    /// <summary>Two digit-and-letter terms the analyzer keeps as they are and that hash alike (a birthday search, ~100k tries).</summary>
    private static (string, string) FindCollision()
    {
        var seen = new Dictionary<uint, string>();
        for (var i = 0; ; i++)
        {
            var term = "x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (seen.TryGetValue(LexicalSparseEncoder.TermIndex(term), out var other))
            {
                Assert.Equal([other, term], LexicalAnalyzer.Analyze($"{other} {term}"));
                return (other, term);
            }

            seen[LexicalSparseEncoder.TermIndex(term)] = term;
        }
    }
}
