using System.CommandLine;
using Clippings.Ingestion;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings ingest PATH... [--index FILE] [--prune] [--base-url URL] [--shard I/N]</c></summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Archive files or folders (HTML, WordPress WXR, JSON/JSONL, Markdown, text).", Arity = ArgumentArity.OneOrMore };
        var prune = new Option<bool>("--prune") { Description = "Remove articles that are no longer in the given sources." };
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
                var summary = await RunAsync(services, parse.GetValue(paths)!, new IngestOptions(parse.GetValue(prune), parse.GetValue(baseUrl), split), cancellationToken);
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
        IngestSummary summary;
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            summary = await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedlessRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var reading = context.AddTask("Reading files");
                    var writing = context.AddTask("Embedding articles", autoStart: false);
                    var progress = new Progress<IngestProgress>(p =>
                    {
                        reading.MaxValue = Math.Max(1, p.FilesTotal);
                        reading.Value = p.FilesRead;
                        if (p.ArticlesToWrite > 0)
                        {
                            writing.StartTask();
                            writing.MaxValue = p.ArticlesToWrite;
                            writing.Value = p.ArticlesDone;
                            writing.Description = $"Embedding articles ({p.PassagesEmbedded} passages)";
                        }
                    });
                    var result = await ingestor.IngestAsync(paths, options, progress, cancellationToken);
                    reading.Value = reading.MaxValue;
                    writing.Value = writing.MaxValue;
                    return result;
                });
        }
        else
        {
            summary = await ingestor.IngestAsync(paths, options, null, cancellationToken);
        }

        var failuresShown = 0;
        foreach (var failure in summary.Failures.Take(20))
        {
            Console.Error.WriteLine($"failed: {failure.Path}: {failure.Reason}");
            failuresShown++;
        }

        if (summary.Failures.Count > failuresShown)
        {
            Console.Error.WriteLine($"failed: …and {summary.Failures.Count - failuresShown} more files (grouped below)");
        }

        foreach (var warning in summary.Warnings.Take(20))
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        if (summary.Warnings.Count > 20)
        {
            Console.Error.WriteLine($"warning: …and {summary.Warnings.Count - 20} more warnings");
        }

        ReadingSummary.Write(summary.Reading);
        Console.Out.WriteLine(summary.ToLine());
        return summary;
    }

    /// <summary>Articles per second, for the progress bar (Spectre's transfer column speaks in bytes).</summary>
    private sealed class TransferSpeedlessRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup(task.Speed is { } speed ? $"[grey]{speed:F1}/s[/]" : "[grey]–/s[/]");
    }
}

/// <summary>
/// One ingest per SQLite index (and shard) at a time: a second one on the same file would embed everything again and
/// count it twice. Shards of one split write disjoint articles, so each shard has its own lock.
/// An OS lock on a file beside the index, released when the process ends however it ends.
/// </summary>
internal static class IngestLock
{
    public static IDisposable? Acquire(IServiceProvider services, IngestShard? shard = null)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IndexOptions>>().Value;
        if (string.Equals(options.Provider.Trim(), "qdrant", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var path = Path.GetFullPath(options.Path) + ".ingest-lock" + (shard is null ? "" : $".{shard.Number}-of-{shard.Count}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new ClippingsException($"Another ingest{(shard is null ? "" : $" of shard {shard}")} is writing {Path.GetFullPath(options.Path)}. Wait for it to finish, then run this one: it will skip what the other stored.");
        }
    }
}
