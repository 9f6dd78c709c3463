using System.Collections.Concurrent;
using Clippings.Storage;

namespace Clippings.Retrieval;

/// <summary>
/// Keeps the <see cref="ArchiveCatalog"/> and lexical document frequencies for the current index contents,
/// rebuilt when the index's article count changes (checked at most every few seconds) or after an ingest.
/// </summary>
public sealed class ArchiveCatalogProvider : IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private readonly IArchiveIndex _index;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ArchiveCatalog? _catalog;
    private IndexStats? _stats;
    private DateTime _checkedAt;
    private ConcurrentDictionary<string, bool> _termPresence = new(StringComparer.Ordinal);

    public ArchiveCatalogProvider(IArchiveIndex index)
    {
        _index = index;
    }

    public async Task<ArchiveCatalog> GetAsync(CancellationToken cancellationToken)
    {
        if (_catalog is not null && DateTime.UtcNow - _checkedAt < CheckInterval)
        {
            return _catalog;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_catalog is not null && DateTime.UtcNow - _checkedAt < CheckInterval)
            {
                return _catalog;
            }

            var stats = await _index.GetStatsAsync(cancellationToken).ConfigureAwait(false);
            if (_catalog is null || stats != _stats)
            {
                var articles = await _index.ListArticlesAsync(SearchFilter.None, cancellationToken).ConfigureAwait(false);
                var authors = await _index.ListAuthorsAsync(cancellationToken).ConfigureAwait(false);
                _catalog = new ArchiveCatalog(articles, authors);
                _stats = stats;
                _termPresence = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            }

            _checkedAt = DateTime.UtcNow;
            return _catalog;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Forget the cached catalog (after an ingest in the same process).</summary>
    public void Invalidate() => _checkedAt = DateTime.MinValue;

    /// <summary>Whether a word occurs in the archive's passages within a scope (authors, sections, dates).</summary>
    public async Task<bool> TermOccursAsync(string term, SearchFilter scope, CancellationToken cancellationToken)
    {
        var key = string.Join('|', term, string.Join(',', scope.Authors ?? []), string.Join(',', scope.Sections ?? []), scope.From, scope.To);
        if (_termPresence.TryGetValue(key, out var present))
        {
            return present;
        }

        var hits = await _index.SearchAsync(new PassageQuery(term, ReadOnlyMemory<float>.Empty, scope, SearchMode.Lexical, 1), cancellationToken).ConfigureAwait(false);
        present = hits.Count > 0;
        _termPresence[key] = present;
        return present;
    }
}
