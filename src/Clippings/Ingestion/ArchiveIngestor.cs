using System.Diagnostics;
using System.Threading.Channels;
using Clippings.Archive;
using Clippings.Embeddings;
using Clippings.Storage;
using Microsoft.Extensions.Logging;

namespace Clippings.Ingestion;

/// <summary>
/// <paramref name="BaseUrl"/>: the published site's address, for article URLs of static-site posts.
/// <paramref name="Shard"/>: write only this shard's articles (several processes or hosts filling one index).
/// </summary>
public sealed record IngestOptions(bool Prune = false, string? BaseUrl = null, IngestShard? Shard = null);

/// <summary>
/// Shard <see cref="Number"/> of <see cref="Count"/> (from 1): the articles whose id hashes to it. The split is by article
/// id, not by file, so it is the same on every host whatever the paths, balanced even for a single-file export, and an
/// article found in two files still belongs to exactly one shard: no two shards ever write (or embed) the same article.
/// </summary>
public sealed record IngestShard(int Number, int Count)
{
    /// <summary>"2/4" → shard 2 of 4; null with what is wrong otherwise.</summary>
    public static IngestShard? Parse(string text, out string? problem)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count >= 1 && number >= 1 && number <= count)
        {
            problem = null;
            return new IngestShard(number, count);
        }

        problem = $"--shard '{text}' is not i/n with 1 ≤ i ≤ n (e.g. --shard 1/4 … --shard 4/4, one per process)";
        return null;
    }

    /// <summary>SHA-256 of the UTF-8 id, first 8 bytes, modulo the count: stable across processes, hosts and .NET versions.</summary>
    public bool Owns(string articleId)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(articleId), hash);
        return (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)Count) == Number - 1;
    }

    public override string ToString() => $"{Number}/{Count}";
}

/// <summary>Progress of an ingest: articles written of those that need writing, and passages embedded.</summary>
public sealed record IngestProgress(int ArticlesDone, int ArticlesToWrite, int PassagesEmbedded, int FilesRead, int FilesTotal, TimeSpan Elapsed);

public sealed record IngestFailure(string Path, string Reason);

/// <summary>
/// Beyond the read results: <paramref name="UnchangedIds"/> are stored articles known unchanged without reading them (pages
/// that answered 304 Not Modified); <paramref name="RemoveIds"/> are articles to delete (pages a source no longer lists);
/// <paramref name="PruneUnlisted"/> deletes every stored article not among the results, as <c>ingest --prune</c> does for files.
/// </summary>
public sealed record StorePlan(IReadOnlyCollection<string> UnchangedIds, IReadOnlyCollection<string> RemoveIds, bool PruneUnlisted, IngestShard? Shard = null);

/// <summary>The end of an ingest: what changed, what failed and why.</summary>
public sealed record IngestSummary(
    int New,
    int Updated,
    int Unchanged,
    int Removed,
    int Failed,
    int Passages,
    IReadOnlyList<IngestFailure> Failures,
    IReadOnlyList<string> Warnings,
    TimeSpan Elapsed)
{
    /// <summary>What reading the files lost, grouped by reason, and the share of files read.</summary>
    public ReadingReport Reading { get; init; } = ReadingReport.From([]);

    /// <summary>For a website sync: what reading the site cost (requests, 304s, bytes); null for files.</summary>
    public Web.FetchCost? Fetching { get; init; }

    public string ToLine() =>
        $"{New} new, {Updated} updated, {Unchanged} unchanged, {Removed} removed, {Failed} failed ({Passages} passages embedded in {Elapsed.TotalSeconds:F1} s)";
}

/// <summary>
/// Archive files → articles → passages → embeddings → index. Incremental: articles are keyed by id and content
/// hash, unchanged ones are skipped without embedding, changed ones are replaced atomically one by one (so an
/// interrupted ingest leaves a consistent index and the next run resumes), removed ones are deleted with prune.
/// </summary>
public sealed class ArchiveIngestor
{
    private readonly IArchiveIndex _index;
    private readonly ArchiveEmbedder _embedder;
    private readonly ArchiveLoader _loader;
    private readonly PassageChunker _chunker;
    private readonly ILogger<ArchiveIngestor> _logger;

    public ArchiveIngestor(IArchiveIndex index, ArchiveEmbedder embedder, ArchiveLoader loader, PassageChunker chunker, ILogger<ArchiveIngestor> logger)
    {
        _index = index;
        _embedder = embedder;
        _loader = loader;
        _chunker = chunker;
        _logger = logger;
    }

    public async Task<IngestSummary> IngestAsync(IReadOnlyList<string> paths, IngestOptions options, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var files = ArchiveLoader.EnumerateFiles(paths);
        await _index.OpenAsync(_embedder.Space, cancellationToken).ConfigureAwait(false);

        // Read every file first (cheap next to embedding).
        var results = await _loader.ReadAllAsync(files, new ArchiveReadOptions(options.BaseUrl), done => progress?.Report(new IngestProgress(0, 0, 0, done, files.Count, stopwatch.Elapsed)), cancellationToken).ConfigureAwait(false);
        results = await MatchStoredUrlsAsync(results, cancellationToken).ConfigureAwait(false);
        return await StoreAsync(results, new StorePlan([], [], options.Prune, options.Shard), progress, stopwatch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ids of the articles the index holds (a website sync checks its per-URL state against them).</summary>
    public async Task<IReadOnlySet<string>> StoredArticleIdsAsync(CancellationToken cancellationToken)
    {
        await _index.OpenAsync(_embedder.Space, cancellationToken).ConfigureAwait(false);
        return (await _index.GetContentHashesAsync(cancellationToken).ConfigureAwait(false)).Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The same piece read from a file and from its web page is one article: an article whose canonical URL is stored under
    /// another id takes that id (a file named <c>chesterton-christmas.html</c> and the page <c>…/1908/christmas</c>).
    /// Site roots are never matched: some CMSs give every page the home page as its canonical URL.
    /// </summary>
    public async Task<IReadOnlyList<ArchiveFileResult>> MatchStoredUrlsAsync(IReadOnlyList<ArchiveFileResult> results, CancellationToken cancellationToken)
    {
        if (!results.Any(r => r.Articles.Any(a => UrlKey(a.Url) is not null)))
        {
            return results;
        }

        var stored = await _index.ListArticlesAsync(SearchFilter.None, cancellationToken).ConfigureAwait(false);
        var byUrl = stored.Select(a => (Key: UrlKey(a.Url), a.Id)).Where(a => a.Key is not null).GroupBy(a => a.Key!, StringComparer.Ordinal)
            .Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        if (byUrl.Count == 0)
        {
            return results;
        }

        return results.Select(r => r.Articles.Any(a => UrlKey(a.Url) is { } key && byUrl.TryGetValue(key, out var id) && id != a.Id)
            ? r with { Articles = r.Articles.Select(a => UrlKey(a.Url) is { } key && byUrl.TryGetValue(key, out var id) ? a with { Id = id } : a).ToList() }
            : r).ToList();
    }

    /// <summary>A URL compared without its scheme, host case, fragment or trailing slash; null for no URL or a site root.</summary>
    internal static string? UrlKey(string? url)
    {
        if (url is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        return path.Length == 0 ? null : uri.IdnHost.ToLowerInvariant() + (uri.IsDefaultPort ? "" : ":" + uri.Port) + path + uri.Query;
    }

    /// <summary>
    /// Stores what was read: unchanged articles are skipped, changed ones embedded and replaced, then bios and removals.
    /// <paramref name="plan"/> adds what a website sync knows without reading (pages that answered 304) and what it removes.
    /// </summary>
    public Task<IngestSummary> StoreAsync(IReadOnlyList<ArchiveFileResult> results, StorePlan plan, IProgress<IngestProgress>? progress, CancellationToken cancellationToken) =>
        StoreAsync(results, plan, progress, Stopwatch.StartNew(), cancellationToken);

    private async Task<IngestSummary> StoreAsync(IReadOnlyList<ArchiveFileResult> results, StorePlan plan, IProgress<IngestProgress>? progress, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        await _index.OpenAsync(_embedder.Space, cancellationToken).ConfigureAwait(false);
        var stored = await _index.GetContentHashesAsync(cancellationToken).ConfigureAwait(false);
        var files = results;
        var failures = results.Where(r => r.Failed).Select(r => new IngestFailure(r.Path, r.Error!)).ToList();
        var warnings = new List<string>();
        var articles = new Dictionary<string, Article>(StringComparer.Ordinal);
        var bios = new Dictionary<string, AuthorProfile>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in results.Where(r => !r.Failed))
        {
            warnings.AddRange(result.Warnings.Select(w => $"{result.Path}: {w}"));
            foreach (var article in result.Articles)
            {
                if (articles.TryGetValue(article.Id, out var earlier) && earlier.SourcePath != article.SourcePath)
                {
                    warnings.Add($"{article.Id} appears in {earlier.SourcePath} and {article.SourcePath}; the last one is kept");
                }

                articles[article.Id] = article;
            }

            foreach (var bio in result.Authors.Where(b => !string.IsNullOrWhiteSpace(b.Bio)))
            {
                if (!bios.TryGetValue(bio.Name, out var known) || (known.Bio?.Length ?? 0) < bio.Bio!.Length)
                {
                    bios[bio.Name] = bio;
                }
            }
        }

        if (plan.Shard is { } shard)
        {
            if (plan.PruneUnlisted)
            {
                throw new ClippingsException("--prune cannot be combined with --shard: a shard does not know what the other shards read. Run the shards, then one ingest of all sources with --prune.");
            }

            var owned = articles.Where(a => shard.Owns(a.Key)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
            _logger.LogInformation("Shard {Shard}: {Owned} of {Articles} articles", shard.ToString(), owned.Count, articles.Count);
            articles = owned;

            // Bios are cheap and shared by all shards: the first writes them.
            if (shard.Number != 1)
            {
                bios.Clear();
            }
        }

        var toWrite = articles.Values.Where(a => !stored.TryGetValue(a.Id, out var hash) || hash != a.ContentHash).OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        var knownUnchanged = plan.UnchangedIds.Where(id => !articles.ContainsKey(id) && stored.ContainsKey(id)).ToHashSet(StringComparer.Ordinal);
        var unchanged = articles.Count - toWrite.Count + knownUnchanged.Count;
        var created = toWrite.Count(a => !stored.ContainsKey(a.Id));
        var done = 0;
        var embedded = 0;
        progress?.Report(new IngestProgress(0, toWrite.Count, 0, files.Count, files.Count, stopwatch.Elapsed));

        // Encoding is the cost; everything else overlaps with it. Chunking and encoding run here, in batches of whole
        // articles big enough for the encoder's length sorting to cut padding; a writer task stores each encoded
        // batch (one transaction per batch) while the next one encodes.
        var batchLimit = Math.Max(_embedder.BatchSize * 8, 8);
        var encoded = Channel.CreateBounded<IReadOnlyList<IndexedArticle>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in encoded.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await _index.UpsertArticlesAsync(batch, cancellationToken).ConfigureAwait(false);
                    var articlesDone = Interlocked.Add(ref done, batch.Count);
                    var passagesDone = Interlocked.Add(ref embedded, batch.Sum(a => a.Passages.Count));
                    progress?.Report(new IngestProgress(articlesDone, toWrite.Count, passagesDone, files.Count, files.Count, stopwatch.Elapsed));
                }
            }
            catch (Exception ex)
            {
                // Unblock the encoding loop; the exception surfaces when the writer is awaited.
                encoded.Writer.TryComplete(ex);
                throw;
            }
        }, cancellationToken);

        try
        {
            var pending = new List<(Article Article, IReadOnlyList<Passage> Passages)>();
            var pendingPassages = 0;
            foreach (var article in toWrite)
            {
                var passages = _chunker.Split(article);
                pending.Add((article, passages));
                pendingPassages += passages.Count;
                if (pendingPassages >= batchLimit)
                {
                    await encoded.Writer.WriteAsync(await EncodeAsync(pending, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    pending = [];
                    pendingPassages = 0;
                }
            }

            if (pending.Count > 0)
            {
                await encoded.Writer.WriteAsync(await EncodeAsync(pending, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException)
        {
            // The writer failed and closed the channel: its exception is the one to report (awaited below).
        }
        finally
        {
            encoded.Writer.TryComplete();
        }

        await writer.ConfigureAwait(false);

        // Articles seen unchanged may still carry leftovers of a write that died after its passages (Qdrant): swept now.
        await _index.SweepAsync(articles.Values.Where(a => stored.TryGetValue(a.Id, out var hash) && hash == a.ContentHash).ToDictionary(a => a.Id, a => a.ContentHash, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

        foreach (var bio in bios.Values)
        {
            await _index.UpsertAuthorAsync(bio, cancellationToken).ConfigureAwait(false);
        }

        var removed = 0;
        var unlisted = plan.PruneUnlisted ? stored.Keys : [];
        foreach (var id in unlisted.Concat(plan.RemoveIds).Where(id => stored.ContainsKey(id) && !articles.ContainsKey(id) && !knownUnchanged.Contains(id)).Distinct(StringComparer.Ordinal).ToList())
        {
            await _index.DeleteArticleAsync(id, cancellationToken).ConfigureAwait(false);
            removed++;
        }

        var summary = new IngestSummary(created, toWrite.Count - created, unchanged, removed, failures.Count, embedded, failures, warnings, stopwatch.Elapsed)
        {
            Reading = ReadingReport.From(results),
        };
        _logger.LogInformation(
            "Ingested {Files} files or pages into {Index}: {New} new, {Updated} updated, {Unchanged} unchanged, {Removed} removed, {Failed} failed, {Passages} passages in {ElapsedMs} ms",
            files.Count, _index.Description, summary.New, summary.Updated, summary.Unchanged, summary.Removed, summary.Failed, summary.Passages, stopwatch.ElapsedMilliseconds);
        return summary;
    }

    private async Task<IReadOnlyList<IndexedArticle>> EncodeAsync(List<(Article Article, IReadOnlyList<Passage> Passages)> batch, CancellationToken cancellationToken)
    {
        var texts = batch.SelectMany(b => b.Passages.Select(p => _embedder.PassageContext ? PassageContext.EmbeddingText(b.Article, p.Text) : p.Text)).ToList();
        var vectors = await _embedder.EmbedPassagesAsync(texts, cancellationToken).ConfigureAwait(false);
        var articles = new List<IndexedArticle>(batch.Count);
        var offset = 0;
        foreach (var (article, passages) in batch)
        {
            var start = offset;
            articles.Add(new IndexedArticle(article, passages.Select((p, i) => new IndexedPassage(p.Ordinal, p.Start, p.End, p.Text, vectors[start + i])).ToList()));
            offset += passages.Count;
        }

        return articles;
    }
}
