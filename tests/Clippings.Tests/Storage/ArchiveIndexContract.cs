using Clippings.Archive;
using Clippings.Storage;

namespace Clippings.Tests.Storage;

/// <summary>
/// What every <see cref="IArchiveIndex"/> must do, written once: each implementation subclasses this and supplies fresh, empty
/// indexes. Small hand-made articles with hand-made 4-dimensional vectors (no model), so the suite is fast and its expected
/// rankings are known by construction.
/// </summary>
public abstract class ArchiveIndexContract : IAsyncLifetime
{
    protected static readonly EmbeddingSpace Space = new("contract-test-embedder", 4);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly List<IArchiveIndex> _opened = [];

    /// <summary>A new, empty index (not yet opened) that no other test sees.</summary>
    protected abstract Task<IArchiveIndex> CreateEmptyIndexAsync();

    /// <summary>Removes whatever <see cref="CreateEmptyIndexAsync"/> created (files, collections).</summary>
    protected virtual Task DropAsync(IArchiveIndex index) => Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var index in _opened)
        {
            await index.DisposeAsync();
            await DropAsync(index);
        }
    }

    // The sample archive: four articles, two publications, one author spelled two ways, one undated piece.
    // Vectors point along one axis each, so the dense ranking of an axis query is known.
    internal static IndexedArticle Dredging(string text = "The council will dredge the harbour channel this spring.\n\nDredging costs more than the ferry earns in a year.") =>
        Make(new Article
        {
            Id = "harbour-dredging", Title = "Dredging the harbour", Authors = ["Mara Quinn"], Publication = "The Harbour Review", Section = "City",
            Published = new DateOnly(2021, 3, 15), Url = "https://example.org/dredging", Text = text,
        }, [1, 0, 0, 0], [0.8f, 0.6f, 0, 0]);

    internal static IndexedArticle Tides() => Make(new Article
    {
        Id = "tide-tables", Title = "Reading the tide tables", Authors = ["Tom Reed", "Mara Quinn"], Publication = "The Harbour Review", Section = "Science",
        Published = new DateOnly(2020, 1, 1), Url = "https://example.org/tides", Text = "Spring tides follow the full moon.\n\nNeap tides are gentler and easier to sail.",
    }, [0, 1, 0, 0], [0, 0.6f, 0.8f, 0]);

    internal static IndexedArticle Lighthouse() => Make(new Article
    {
        Id = "old-lighthouse", Title = "The old lighthouse", Authors = ["Ana Silva"], Publication = "Coast Weekly", Section = "Études locales",
        Published = new DateOnly(2019, 12, 31), DatePrecision = DatePrecision.Day, Url = null, Text = "The lighthouse keeper kept a log of every storm.",
    }, [0, 0, 1, 0]);

    internal static IndexedArticle Undated() => Make(new Article
    {
        Id = "undated-note", Title = "A note on ferries", Authors = ["tom reed"], Publication = "Coast Weekly", Section = null,
        Published = null, Text = "Ferries run twice a day when the weather allows.",
    }, [0, 0, 0, 1]);

    internal static IndexedArticle Make(Article article, params float[][] vectors)
    {
        var passages = new List<IndexedPassage>();
        var start = 0;
        foreach (var paragraph in article.Text.Split("\n\n"))
        {
            var at = article.Text.IndexOf(paragraph, start, StringComparison.Ordinal);
            passages.Add(new IndexedPassage(passages.Count, at, at + paragraph.Length, paragraph, Normalize(vectors[passages.Count % vectors.Length])));
            start = at + paragraph.Length;
        }

        return new IndexedArticle(article, passages);
    }

    private static float[] Normalize(float[] vector)
    {
        var length = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / length).ToArray();
    }

    protected async Task<IArchiveIndex> OpenAsync(params IndexedArticle[] articles)
    {
        var index = await CreateEmptyIndexAsync();
        _opened.Add(index);
        await index.OpenAsync(Space, None);
        foreach (var article in articles)
        {
            await index.UpsertArticleAsync(article, None);
        }

        return index;
    }

    private Task<IArchiveIndex> OpenSampleAsync() => OpenAsync(Dredging(), Tides(), Lighthouse(), Undated());

    private static PassageQuery Query(SearchMode mode, string text = "", float[]? vector = null, SearchFilter? filter = null, int limit = 10) =>
        new(text, vector ?? ReadOnlyMemory<float>.Empty, filter ?? SearchFilter.None, mode, limit);

    private static async Task<List<string>> ListIds(IArchiveIndex index, SearchFilter filter) =>
        (await index.ListArticlesAsync(filter, None)).Select(a => a.Id).ToList();

    [IndexContractFact]
    public async Task ANewIndexRecordsItsEmbeddingSpaceAndRefusesAnother()
    {
        var index = await OpenAsync();
        Assert.Equal(Space, await index.GetEmbeddingSpaceAsync(None));
        await index.OpenAsync(Space, None);
        var error = await Assert.ThrowsAsync<IndexMismatchException>(() => index.OpenAsync(new EmbeddingSpace("another-embedder", 8), None));
        Assert.Contains("another-embedder", error.Message, StringComparison.Ordinal);
        Assert.Contains(Space.EmbedderId, error.Message, StringComparison.Ordinal);
    }

    [IndexContractFact]
    public async Task AnUnopenedEmptyIndexHasNoSpace()
    {
        var index = await CreateEmptyIndexAsync();
        _opened.Add(index);
        Assert.Null(await index.GetEmbeddingSpaceAsync(None));
    }

    [IndexContractFact]
    public async Task AnUpsertedArticleComesBackWithEveryField()
    {
        var index = await OpenSampleAsync();
        foreach (var expected in new[] { Dredging(), Tides(), Lighthouse(), Undated() })
        {
            var stored = await index.GetArticleAsync(expected.Article.Id, None);
            Assert.NotNull(stored);
            var a = expected.Article;
            Assert.Equal((a.Id, a.Title, a.Publication, a.Section, a.Published, a.DatePrecision, a.Url, a.Text),
                (stored.Id, stored.Title, stored.Publication, stored.Section, stored.Published, stored.DatePrecision, stored.Url, stored.Text));
            Assert.Equal(a.Authors, stored.Authors);
            Assert.Equal(a.ContentHash, stored.ContentHash);
        }

        Assert.Null(await index.GetArticleAsync("no-such-article", None));
        Assert.Equal(new IndexStats(4, 6, 3), await index.GetStatsAsync(None));
    }

    [IndexContractFact]
    public async Task ContentHashesNameEveryStoredArticle()
    {
        var index = await OpenSampleAsync();
        var hashes = await index.GetContentHashesAsync(None);
        Assert.Equal(4, hashes.Count);
        Assert.Equal(Tides().Article.ContentHash, hashes["tide-tables"]);
        Assert.Equal(Undated().Article.ContentHash, hashes["undated-note"]);
    }

    [IndexContractFact]
    public async Task ReplacingAnArticleLeavesOneVersionAndNoStalePassages()
    {
        var index = await OpenSampleAsync();
        var changed = Dredging("The ferry will stop at the new pier.");
        await index.UpsertArticleAsync(changed, None);
        await index.UpsertArticleAsync(changed, None); // idempotent: the same version twice is still one version

        Assert.Equal("The ferry will stop at the new pier.", (await index.GetArticleAsync("harbour-dredging", None))!.Text);
        Assert.Equal(changed.Article.ContentHash, (await index.GetContentHashesAsync(None))["harbour-dredging"]);
        Assert.Empty(await index.SearchAsync(Query(SearchMode.Lexical, "dredge council"), None));
        var all = await index.SearchAsync(Query(SearchMode.Dense, vector: [1, 0, 0, 0], filter: new SearchFilter { ArticleIds = ["harbour-dredging"] }), None);
        var hit = Assert.Single(all);
        Assert.Equal("The ferry will stop at the new pier.", hit.Text);
        Assert.Equal(new IndexStats(4, 5, 3), await index.GetStatsAsync(None));
        var exported = await index.ExportAsync(None).Where(a => a.Article.Id == "harbour-dredging").ToListAsync();
        Assert.Single(Assert.Single(exported).Passages);
    }

    [IndexContractFact]
    public async Task ReadersDuringReplacesSeeExactlyOneWholeVersion()
    {
        var index = await OpenSampleAsync();
        var twoPassages = Dredging();
        var onePassage = Dredging("The ferry will stop at the new pier.");
        var versions = new[] { twoPassages, onePassage }.ToDictionary(v => v.Article.ContentHash);
        var scope = new SearchFilter { ArticleIds = ["harbour-dredging"] };

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await index.UpsertArticleAsync(i % 2 == 0 ? onePassage : twoPassages, None);
            }
        });
        var reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            var hits = await index.SearchAsync(Query(SearchMode.Dense, vector: [1, 0, 0, 0], filter: scope), None);
            var texts = hits.Select(h => h.Text).Order(StringComparer.Ordinal).ToList();
            Assert.Contains(versions.Values, v => v.Passages.Select(p => p.Text).Order(StringComparer.Ordinal).SequenceEqual(texts));
            var article = await index.GetArticleAsync("harbour-dredging", None);
            Assert.True(article is not null && versions.ContainsKey(article.ContentHash), "the article is always there, in one of its versions");
            reads++;
        }

        await writer;
        Assert.Equal(twoPassages.Article.ContentHash, (await index.GetContentHashesAsync(None))["harbour-dredging"]);
        Assert.Equal(2, (await index.SearchAsync(Query(SearchMode.Dense, vector: [1, 0, 0, 0], filter: scope), None)).Count);
    }

    [IndexContractFact]
    public async Task DeletingAnArticleRemovesItEverywhere()
    {
        var index = await OpenSampleAsync();
        await index.DeleteArticleAsync("old-lighthouse", None);
        await index.DeleteArticleAsync("no-such-article", None);

        Assert.Null(await index.GetArticleAsync("old-lighthouse", None));
        Assert.DoesNotContain("old-lighthouse", await ListIds(index, SearchFilter.None));
        Assert.False((await index.GetContentHashesAsync(None)).ContainsKey("old-lighthouse"));
        Assert.Empty(await index.SearchAsync(Query(SearchMode.Lexical, "lighthouse keeper"), None));
        Assert.DoesNotContain(await index.SearchAsync(Query(SearchMode.Dense, vector: [0, 0, 1, 0]), None), h => h.Article.Id == "old-lighthouse");
        Assert.DoesNotContain(await index.ListAuthorsAsync(None), a => a.Name == "Ana Silva");
        Assert.Equal(new IndexStats(3, 5, 2), await index.GetStatsAsync(None));
    }

    [IndexContractFact]
    public async Task AuthorsAreGroupedCaseInsensitivelyWithCountsDatesAndBios()
    {
        var index = await OpenSampleAsync();
        await index.UpsertAuthorAsync(new AuthorProfile("Ana Silva", "Ana Silva writes about the coast."), None);
        await index.UpsertAuthorAsync(new AuthorProfile("Ana Silva", "Ana Silva keeps lighthouses."), None);
        await index.UpsertAuthorAsync(new AuthorProfile("Jo Bloggs", "Jo has not written for us yet."), None);

        var authors = (await index.ListAuthorsAsync(None)).ToDictionary(a => a.Name.ToLowerInvariant());
        Assert.Equal(4, authors.Count);
        Assert.Equal(new AuthorSummary("Mara Quinn", null, 2, new DateOnly(2020, 1, 1), new DateOnly(2021, 3, 15)), authors["mara quinn"]);
        var tom = authors["tom reed"];
        Assert.Equal((2, new DateOnly(2020, 1, 1), new DateOnly(2020, 1, 1)), (tom.ArticleCount, tom.FirstPublished, tom.LastPublished));
        Assert.Equal(new AuthorSummary("Ana Silva", "Ana Silva keeps lighthouses.", 1, new DateOnly(2019, 12, 31), new DateOnly(2019, 12, 31)), authors["ana silva"]);
        Assert.Equal(new AuthorSummary("Jo Bloggs", "Jo has not written for us yet.", 0, null, null), authors["jo bloggs"]);
        Assert.Equal(4, (await index.GetStatsAsync(None)).Authors);
    }

    [IndexContractFact]
    public async Task ListArticlesIsNewestFirstWithUndatedLast()
    {
        var index = await OpenSampleAsync();
        Assert.Equal(["harbour-dredging", "tide-tables", "old-lighthouse", "undated-note"], await ListIds(index, SearchFilter.None));
        var summary = (await index.ListArticlesAsync(new SearchFilter { ArticleIds = ["tide-tables"] }, None)).Single();
        Assert.Equal(Tides().Article.ToSummary() with { Authors = summary.Authors }, summary);
        Assert.Equal(Tides().Article.Authors, summary.Authors);
    }

    [IndexContractFact]
    public async Task ListArticlesAppliesEachFilter()
    {
        var index = await OpenSampleAsync();
        Assert.Equal(["harbour-dredging", "tide-tables"], await ListIds(index, new SearchFilter { Authors = ["MARA QUINN"] }));
        Assert.Equal(["tide-tables", "undated-note"], await ListIds(index, new SearchFilter { Authors = ["Tom Reed"] }));
        Assert.Equal(["tide-tables", "old-lighthouse", "undated-note"], await ListIds(index, new SearchFilter { Authors = ["tom reed", "Ana Silva"] }));

        // Dates are inclusive at both ends; undated articles never match a date filter.
        Assert.Equal(["harbour-dredging", "tide-tables"], await ListIds(index, new SearchFilter { From = new DateOnly(2020, 1, 1), To = new DateOnly(2021, 3, 15) }));
        Assert.Equal(["old-lighthouse"], await ListIds(index, new SearchFilter { From = new DateOnly(2019, 12, 31), To = new DateOnly(2019, 12, 31) }));
        Assert.Equal(["tide-tables", "old-lighthouse"], await ListIds(index, new SearchFilter { To = new DateOnly(2020, 1, 1) }));
        Assert.Equal(["harbour-dredging"], await ListIds(index, new SearchFilter { From = new DateOnly(2020, 1, 2) }));

        // Sections match an article's section or its publication, case-insensitively.
        Assert.Equal(["tide-tables"], await ListIds(index, new SearchFilter { Sections = ["science"] }));
        Assert.Equal(["old-lighthouse", "undated-note"], await ListIds(index, new SearchFilter { Sections = ["coast weekly"] }));
        Assert.Equal(["harbour-dredging", "old-lighthouse"], await ListIds(index, new SearchFilter { Sections = ["City", "ÉTUDES LOCALES"] }));

        Assert.Equal(["tide-tables", "undated-note"], await ListIds(index, new SearchFilter { ArticleIds = ["undated-note", "tide-tables", "missing"] }));
        Assert.Equal(["tide-tables"], await ListIds(index, new SearchFilter { Authors = ["Tom Reed"], Sections = ["The Harbour Review"], To = new DateOnly(2020, 12, 31) }));
        Assert.Empty(await ListIds(index, new SearchFilter { Authors = ["Nobody"] }));
    }

    [IndexContractFact]
    public async Task ExcludedAuthorsAreLeftOutOfListingsAndOfSearchesInEveryMode()
    {
        var index = await OpenSampleAsync();
        var all = await ListIds(index, SearchFilter.None);

        // A co-written piece counts as the excluded author's own; names match case-insensitively.
        Assert.Equal(all.Except(["tide-tables", "undated-note"]).ToList(), await ListIds(index, new SearchFilter { ExcludeAuthors = ["tom reed"] }));
        Assert.Equal(["undated-note"], await ListIds(index, new SearchFilter { Authors = ["Tom Reed"], ExcludeAuthors = ["MARA QUINN"] }));
        Assert.Equal(all, await ListIds(index, new SearchFilter { ExcludeAuthors = ["Nobody"] }));

        var excluded = new SearchFilter { ExcludeAuthors = ["Mara Quinn"] };
        foreach (var mode in new[] { SearchMode.Dense, SearchMode.Lexical, SearchMode.Hybrid })
        {
            var hits = await index.SearchAsync(Query(mode, "harbour tide lighthouse", [0.5f, 0.5f, 0.5f, 0.5f], excluded), None);
            Assert.NotEmpty(hits);
            Assert.All(hits, h => Assert.DoesNotContain(h.Article.Authors, a => string.Equals(a, "Mara Quinn", StringComparison.OrdinalIgnoreCase)));
        }
    }

    [IndexContractFact]
    public async Task DenseSearchRanksByCosineAndReportsIt()
    {
        var index = await OpenSampleAsync();
        var hits = await index.SearchAsync(Query(SearchMode.Dense, vector: [0, 0, 1, 0]), None);
        Assert.Equal(6, hits.Count);
        Assert.Equal("old-lighthouse", hits[0].Article.Id);
        Assert.Equal(1.0, hits[0].DenseScore!.Value, 3);
        Assert.Equal(("tide-tables", 1), (hits[1].Article.Id, hits[1].Ordinal));
        Assert.Equal(0.8, hits[1].DenseScore!.Value, 3);
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score), "scores descend");
        var lighthouse = Lighthouse();
        Assert.Equal((lighthouse.Passages[0].Start, lighthouse.Passages[0].End, lighthouse.Passages[0].Text), (hits[0].Start, hits[0].End, hits[0].Text));
        Assert.Equal(lighthouse.Article.ToSummary(), hits[0].Article with { Authors = lighthouse.Article.Authors });
        Assert.Equal(2, (await index.SearchAsync(Query(SearchMode.Dense, vector: [0, 0, 1, 0], limit: 2), None)).Count);
        Assert.Empty(await index.SearchAsync(Query(SearchMode.Dense, vector: [0, 0, 1, 0], limit: 0), None));
    }

    [IndexContractFact]
    public async Task LexicalSearchFindsStemmedTermsAndScoresWithTheQueryVector()
    {
        var index = await OpenSampleAsync();
        var hits = await index.SearchAsync(Query(SearchMode.Lexical, "storms logged by keepers", [0, 0, 1, 0]), None);
        Assert.Equal("old-lighthouse", Assert.Single(hits).Article.Id);
        Assert.Equal(1.0, hits[0].DenseScore!.Value, 3);

        var ferries = await index.SearchAsync(Query(SearchMode.Lexical, "ferry"), None);
        Assert.Equal(["harbour-dredging", "undated-note"], ferries.Select(h => h.Article.Id).Order().ToList());
        Assert.Empty(await index.SearchAsync(Query(SearchMode.Lexical, "zeppelin"), None));
    }

    [IndexContractFact]
    public async Task HybridSearchPutsThePassageThatWinsBothListsFirst()
    {
        var index = await OpenSampleAsync();
        // "neap tides" is only in tide-tables passage 1, whose vector is also the closest to the query vector.
        var hits = await index.SearchAsync(Query(SearchMode.Hybrid, "neap tides sail", [0, 0.6f, 0.8f, 0]), None);
        Assert.Equal(("tide-tables", 1), (hits[0].Article.Id, hits[0].Ordinal));
        Assert.Equal(1.0, hits[0].DenseScore!.Value, 3);
        Assert.True(hits.Count >= 4, "hybrid keeps dense-only candidates too");
        Assert.All(hits, h => Assert.NotNull(h.DenseScore));
        Assert.Equal(hits.Count, hits.Select(h => (h.Article.Id, h.Ordinal)).Distinct().Count());
    }

    [IndexContractFact]
    public async Task EverySearchModeAppliesEveryFilter()
    {
        var index = await OpenSampleAsync();
        var filters = new (SearchFilter Filter, string[] Allowed)[]
        {
            (new SearchFilter { Authors = ["mara quinn"] }, ["harbour-dredging", "tide-tables"]),
            (new SearchFilter { From = new DateOnly(2019, 12, 31), To = new DateOnly(2020, 1, 1) }, ["tide-tables", "old-lighthouse"]),
            (new SearchFilter { Sections = ["COAST WEEKLY"] }, ["old-lighthouse", "undated-note"]),
            (new SearchFilter { Sections = ["city"] }, ["harbour-dredging"]),
            (new SearchFilter { Sections = ["études LOCALES"] }, ["old-lighthouse"]),
            (new SearchFilter { ArticleIds = ["undated-note"] }, ["undated-note"]),
        };
        // Words from every article, and a vector near all of them, so an unfiltered search would return every article.
        const string text = "harbour ferry tides lighthouse storm";
        float[] vector = [0.5f, 0.5f, 0.5f, 0.5f];
        foreach (var mode in new[] { SearchMode.Dense, SearchMode.Lexical, SearchMode.Hybrid })
        {
            Assert.Equal(4, (await index.SearchAsync(Query(mode, text, vector), None)).Select(h => h.Article.Id).Distinct().Count());
            foreach (var (filter, allowed) in filters)
            {
                var hits = await index.SearchAsync(Query(mode, text, vector, filter), None);
                Assert.Equal(allowed.Order(), hits.Select(h => h.Article.Id).Distinct().Order());
            }
        }
    }

    [IndexContractFact]
    public async Task ExportCopiesArticlesPassagesAndVectorsIntoAnotherIndex()
    {
        var source = await OpenSampleAsync();
        var copy = await OpenAsync();
        var exported = await source.ExportAsync(None).ToListAsync();
        Assert.Equal(["harbour-dredging", "old-lighthouse", "tide-tables", "undated-note"], exported.Select(a => a.Article.Id).Order(StringComparer.Ordinal));
        foreach (var article in exported)
        {
            await copy.UpsertArticleAsync(article, None);
        }

        Assert.Equal(await source.GetContentHashesAsync(None), await copy.GetContentHashesAsync(None));
        var original = Dredging();
        var roundTripped = (await copy.ExportAsync(None).ToListAsync()).Single(a => a.Article.Id == original.Article.Id);
        Assert.Equal(original.Passages.Count, roundTripped.Passages.Count);
        foreach (var (expected, actual) in original.Passages.Zip(roundTripped.Passages))
        {
            Assert.Equal((expected.Ordinal, expected.Start, expected.End, expected.Text), (actual.Ordinal, actual.Start, actual.End, actual.Text));
            // Exact up to float rounding: a cosine store may re-normalize unit vectors.
            Assert.Equal(expected.Vector.Length, actual.Vector.Length);
            Assert.All(expected.Vector.ToArray().Zip(actual.Vector.ToArray()), p => Assert.Equal(p.First, p.Second, 5));
        }
    }
}
