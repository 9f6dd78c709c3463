using Clippings.Ingestion;
using Clippings.Ingestion.Web;
using Clippings.Retrieval;
using Clippings.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Hosting;

/// <summary>How one source's last sync ended, as <c>/health</c> shows it.</summary>
public sealed record SyncSourceResult(
    string Source,
    string Outcome,
    DateTimeOffset Finished,
    double Seconds,
    int New,
    int Updated,
    int Unchanged,
    int Removed,
    int Failed,
    long Requests,
    long NotModified,
    long BodyBytes,
    string? Error);

/// <summary>The sync part of <c>/health</c>: what runs now (and how far it got), when the next round starts, and each source's last result.</summary>
public sealed record SyncHealth(string State, string? Source, int PagesRead, int PagesTotal, int ArticlesWritten, int ArticlesToWrite, DateTimeOffset? NextRound, IReadOnlyList<SyncSourceResult> Sources);

/// <summary>What the sync service is doing, shared with the health endpoint (written by one round at a time).</summary>
public sealed class SyncStatus
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SyncSourceResult> _last = new(StringComparer.Ordinal);
    private string _state = "starting";
    private string? _source;
    private IngestProgress? _progress;
    private DateTimeOffset? _next;

    public SyncHealth Snapshot()
    {
        lock (_lock)
        {
            return new SyncHealth(_state, _source, _progress?.FilesRead ?? 0, _progress?.FilesTotal ?? 0, _progress?.ArticlesDone ?? 0, _progress?.ArticlesToWrite ?? 0, _next, _last.Values.ToList());
        }
    }

    internal void Running(string source)
    {
        lock (_lock)
        {
            (_state, _source, _progress) = ("running", source, null);
        }
    }

    internal void Progress(IngestProgress progress)
    {
        lock (_lock)
        {
            // The reading stage reports pages, the writing stage articles: keep the latest of each.
            _progress = progress.FilesTotal == 0 && _progress is { } earlier ? progress with { FilesRead = earlier.FilesRead, FilesTotal = earlier.FilesTotal } : progress;
        }
    }

    internal void Finished(SyncSourceResult result)
    {
        lock (_lock)
        {
            _last[result.Source] = result;
        }
    }

    internal void Waiting(DateTimeOffset next)
    {
        lock (_lock)
        {
            (_state, _source, _progress, _next) = ("waiting", null, null, next);
        }
    }
}

/// <summary>
/// Keeps <c>Clippings:Sync:Sources</c> in sync while the service runs: one source after another, then a pause of
/// <c>Interval</c>. Each round goes through the same polite fetcher and incremental store as <c>clippings ingest URL</c>;
/// readers keep reading meanwhile (each article is replaced atomically). A failed source is logged and shown in /health,
/// never fatal to the service; a round is skipped while a <c>clippings ingest</c> holds the index's write lock.
/// </summary>
internal sealed class SiteSyncService(
    WebSync sync,
    SyncStatus status,
    ArchiveCatalogProvider catalog,
    IOptions<SyncOptions> options,
    IOptions<IndexOptions> index,
    ILogger<SiteSyncService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sources = options.Value.Sources;
        if (sources.Count == 0)
        {
            return;
        }

        logger.LogInformation("Keeping {Count} website sources in sync every {Interval}", sources.Count, options.Value.Interval);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await RoundAsync(sources, stoppingToken).ConfigureAwait(false);
                var next = DateTimeOffset.UtcNow + options.Value.Interval;
                status.Waiting(next);
                await Task.Delay(options.Value.Interval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The service is stopping; an interrupted sync leaves a consistent index and the next one resumes.
        }
    }

    private async Task RoundAsync(IReadOnlyList<string> sources, CancellationToken stoppingToken)
    {
        IDisposable? writeLock;
        try
        {
            writeLock = IngestLock.Acquire(index.Value);
        }
        catch (ClippingsException ex)
        {
            logger.LogWarning("Sync round skipped: {Reason}", ex.Message);
            return;
        }

        using (writeLock)
        {
            foreach (var source in sources)
            {
                status.Running(source);
                var started = DateTimeOffset.UtcNow;
                try
                {
                    var summary = await sync.SyncAsync(source, options.Value.Prune, new SyncProgress(status), stoppingToken).ConfigureAwait(false);
                    var cost = summary.Fetching;
                    status.Finished(new SyncSourceResult(source, summary.Failed > 0 ? "partial" : "ok", DateTimeOffset.UtcNow, summary.Elapsed.TotalSeconds,
                        summary.New, summary.Updated, summary.Unchanged, summary.Removed, summary.Failed, cost?.Requests ?? 0, cost?.NotModified ?? 0, cost?.BodyBytes ?? 0,
                        summary.Failures.FirstOrDefault() is { } first ? $"{summary.Failed} failed; first: {first.Path}: {first.Reason}" : null));
                    if (summary.New + summary.Updated + summary.Removed > 0)
                    {
                        catalog.Invalidate();
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    // One source failing (site down, bad address) must not stop the others or the service.
                    var reason = ex is ClippingsException ? ex.Message : ex.ToString();
                    logger.LogWarning("Sync of {Source} failed: {Reason}", source, reason);
                    status.Finished(new SyncSourceResult(source, "failed", DateTimeOffset.UtcNow, (DateTimeOffset.UtcNow - started).TotalSeconds, 0, 0, 0, 0, 0, 0, 0, 0, ex is ClippingsException ? ex.Message : ex.GetType().Name));
                }
            }
        }
    }

    /// <summary>Reports straight into the status (Progress&lt;T&gt; would post to the thread pool and arrive after the round).</summary>
    private sealed class SyncProgress(SyncStatus status) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => status.Progress(value);
    }
}
