using System.CommandLine;

namespace Clippings.Cli.Commands;

/// <summary>Every verb of the command line, in help order. Add a verb here.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return IngestCommand.Create();
        yield return InspectCommand.Create();
        yield return AskCommand.Create();
        yield return ChatCommand.Create();
        yield return EvalCommand.Create();
        yield return CalibrateCommand.Create();
        yield return InsightsCommand.Create();
        yield return ServeCommand.Create();
        yield return MigrateCommand.Create();
        yield return BenchCommand.Create();
        yield return TeamsPackageCommand.Create();
        yield return ApiKeyCommand.Create();
    }
}
