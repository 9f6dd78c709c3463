using System.CommandLine;
using Clippings.Ingestion;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings ingest PATH... [--index FILE] [--prune] [--base-url URL]</c></summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Archive files or folders (HTML, WordPress WXR, JSON/JSONL, Markdown, text).", Arity = ArgumentArity.OneOrMore };
        var prune = new Option<bool>("--prune") { Description = "Remove articles that are no longer in the given sources." };
        var baseUrl = new Option<string?>("--base-url") { Description = "The published site's address (e.g. https://go.dev/blog), for URLs of static-site posts; overrides the site's own configuration." };
        var index = CommonOptions.Index();
        var verbose = CommonOptions.Verbose();
        var command = new Command("ingest", "Read an archive into the index (incremental: unchanged articles are skipped).") { paths, index, prune, baseUrl, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(parse.GetValue(index)));
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            using var writer = IngestLock.Acquire(services);
            try
            {
                var summary = await RunAsync(services, parse.GetValue(paths)!, new IngestOptions(parse.GetValue(prune), parse.GetValue(baseUrl)), cancellationToken);
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
