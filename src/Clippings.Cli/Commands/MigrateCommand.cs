using System.CommandLine;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings migrate --from sqlite:FILE --to qdrant:URL[/collection]</c> (or the reverse)</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "The index to copy: sqlite:FILE or qdrant:URL[/collection].", Required = true };
        var to = new Option<string>("--to") { Description = "The index to copy into (created if needed): sqlite:FILE or qdrant:URL[/collection].", Required = true };
        var verbose = CommonOptions.Verbose();
        var command = new Command("migrate", "Copy an index into another (vectors included, nothing re-embedded); resumable, skips articles already there.") { from, to, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CliHost.BuildConfiguration();
            await using var services = CliHost.BuildServices(configuration, parse.GetValue(verbose));
            var settings = services.GetRequiredService<IOptions<IndexOptions>>().Value;
            var loggers = services.GetRequiredService<ILoggerFactory>();
            await using var source = ArchiveMigrator.OpenLocation(parse.GetValue(from)!, settings, mustExist: true, loggers);
            await using var destination = ArchiveMigrator.OpenLocation(parse.GetValue(to)!, settings, mustExist: false, loggers);
            var migrator = new ArchiveMigrator(loggers.CreateLogger<ArchiveMigrator>());
            var summary = await RunAsync(migrator, source, destination, cancellationToken);
            Console.Out.WriteLine($"{source.Description} -> {destination.Description}: {summary.ToLine()}");
            return 0;
        });
        return command;
    }

    private static async Task<MigrationSummary> RunAsync(ArchiveMigrator migrator, IArchiveIndex source, IArchiveIndex destination, CancellationToken cancellationToken)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            return await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Copying articles");
                    var progress = new Progress<MigrationProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                        task.Description = $"Copying articles ({p.Copied} copied, {p.Unchanged} already there)";
                    });
                    return await migrator.MigrateAsync(source, destination, progress, cancellationToken);
                });
        }

        // Not a terminal: a line every 500 articles on stderr, so logs of long runs show it is moving.
        var lines = new Progress<MigrationProgress>(p =>
        {
            if (p.Done > 0 && (p.Done % 500 == 0 || p.Done == p.Total))
            {
                Console.Error.WriteLine($"migrated {p.Done}/{p.Total} articles ({p.Copied} copied, {p.Unchanged} already there)");
            }
        });
        return await migrator.MigrateAsync(source, destination, lines, cancellationToken);
    }
}
