using System.CommandLine;
using Clippings.Ingestion;
using Clippings.Ingestion.Web;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings ingest PATH...|URL... [--index FILE] [--prune] [--base-url URL] [--shard I/N]</c>: files and folders, or websites.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Archive files or folders (HTML, WordPress WXR, JSON/JSONL, Markdown, text), or website addresses: a sitemap, an RSS/Atom feed, a WordPress site (https://site/wp-json/) or a home page.", Arity = ArgumentArity.OneOrMore };
        var prune = new Option<bool>("--prune") { Description = "Remove articles that are no longer in the given sources (for a website: pages it no longer lists)." };
        var baseUrl = new Option<string?>("--base-url") { Description = "The published site's address (e.g. https://go.dev/blog), for URLs of static-site posts; overrides the site's own configuration." };
        var shard = new Option<string?>("--shard") { Description = "Write only shard I of N (e.g. 2/4): run one process per shard, on one host or several, into the same index; the split is by article id." };
        var index = CommonOptions.Index();
        var verbose = CommonOptions.Verbose();
        var command = new Command("ingest", "Read an archive into the index (incremental: unchanged articles are skipped).") { paths, index, prune, baseUrl, shard, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IngestShard? split = null;
            if (parse.GetValue(shard) is { } shardText && (split = IngestShard.Parse(shardText, out var problem)) is null)
            {
                throw new ClippingsException(problem!);
            }

            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(parse.GetValue(index)));
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            using var writer = IngestLock.Acquire(services, split);
            try
            {
                var sources = parse.GetValue(paths)!;
                var web = sources.Where(WebSync.IsWebAddress).ToList();
                if (web.Count > 0 && web.Count < sources.Length)
                {
                    throw new ClippingsException("Give either files and folders or website addresses to one ingest, not both (--prune would remove one kind's articles for the other).");
                }

                if (web.Count > 0 && split is not null)
                {
                    throw new ClippingsException("--shard splits files and folders; a website is synced by one process (its requests are already limited per host).");
                }

                if (web.Count > 0)
                {
                    var failed = 0;
                    foreach (var site in web)
                    {
                        failed += (await SyncAsync(services, site, parse.GetValue(prune), cancellationToken)).Failed;
                    }

                    return failed > 0 ? 1 : 0;
                }

                var summary = await RunAsync(services, sources, new IngestOptions(parse.GetValue(prune), parse.GetValue(baseUrl), split), cancellationToken);
                return summary.Failed > 0 ? 1 : 0;
            }
            catch (IndexUnavailableException ex) when (ex.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 13 })
            {
                // A full disk: say what the index holds now (reading still works), so the operator knows what the rerun has left.
                var index = services.GetRequiredService<IArchiveIndex>();
                var held = await index.GetStatsAsync(CancellationToken.None);
                throw new ClippingsException($"{ex.Message} The index now holds {held.Articles} articles ({held.Passages} passages); the rerun skips those.", ex);
            }
        });
        return command;
    }

    /// <summary>Runs an ingest with a progress bar on a terminal and prints failures and the summary line.</summary>
    public static async Task<IngestSummary> RunAsync(IServiceProvider services, IReadOnlyList<string> paths, IngestOptions options, CancellationToken cancellationToken)
    {
        var ingestor = services.GetRequiredService<ArchiveIngestor>();
        var summary = await WithProgressAsync("Reading files", progress => ingestor.IngestAsync(paths, options, progress, cancellationToken));
        Report(summary, pages: false);
        return summary;
    }

    /// <summary>Syncs one website, with the same progress, failures and summary line as files, plus what the requests cost.</summary>
    public static async Task<IngestSummary> SyncAsync(IServiceProvider services, string site, bool prune, CancellationToken cancellationToken)
    {
        var sync = services.GetRequiredService<WebSync>();
        var summary = await WithProgressAsync("Reading pages", progress => sync.SyncAsync(site, prune, progress, cancellationToken));
        if (summary.Fetching is { } cost)
        {
            Console.Error.WriteLine(cost.ToLine());
        }

        Report(summary, pages: true);
        return summary;
    }

    private static async Task<IngestSummary> WithProgressAsync(string reading, Func<IProgress<IngestProgress>?, Task<IngestSummary>> run)
    {
        IngestSummary summary;
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            summary = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedlessRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var readingTask = context.AddTask(reading);
                    var writing = context.AddTask("Embedding articles", autoStart: false);
                    var progress = new Progress<IngestProgress>(p =>
                    {
                        readingTask.MaxValue = Math.Max(1, p.FilesTotal);
                        readingTask.Value = p.FilesRead;
                        if (p.ArticlesToWrite > 0)
                        {
                            writing.StartTask();
                            writing.MaxValue = p.ArticlesToWrite;
                            writing.Value = p.ArticlesDone;
                            writing.Description = $"Embedding articles ({p.PassagesEmbedded} passages)";
                        }
                    });
                    var result = await run(progress);
                    readingTask.Value = readingTask.MaxValue;
                    writing.Value = writing.MaxValue;
                    return result;
                });
        }
        else
        {
            summary = await run(null);
        }

        return summary;
    }

    private static void Report(IngestSummary summary, bool pages)
    {
        var failuresShown = 0;
        foreach (var failure in summary.Failures.Take(20))
        {
            Console.Error.WriteLine($"failed: {failure.Path}: {failure.Reason}");
            failuresShown++;
        }

        if (summary.Failures.Count > failuresShown)
        {
            Console.Error.WriteLine($"failed: …and {summary.Failures.Count - failuresShown} more {(pages ? "pages" : "files")} (grouped below)");
        }

        foreach (var warning in summary.Warnings.Take(20))
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        if (summary.Warnings.Count > 20)
        {
            Console.Error.WriteLine($"warning: …and {summary.Warnings.Count - 20} more warnings");
        }

        // A website run where every page answered 304 (or was skipped by its lastmod) read nothing: the cost line says so.
        if (!pages || summary.Reading.Files > 0)
        {
            ReadingSummary.Write(summary.Reading, pages);
        }

        Console.Out.WriteLine(summary.ToLine());
    }

    /// <summary>Articles per second, for the progress bar (Spectre's transfer column speaks in bytes).</summary>
    private sealed class TransferSpeedlessRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup(task.Speed is { } speed ? $"[grey]{speed:F1}/s[/]" : "[grey]–/s[/]");
    }
}
