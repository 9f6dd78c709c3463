using System.CommandLine;
using Clippings.Cli;
using Clippings.Cli.Commands;

// The `clippings` command: one verb per job. Each verb lives in Commands/ and builds its services through CliHost.
var root = new RootCommand("Clippings: chat with a publication's archive, answers cited from its articles.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}

return await CliRunner.RunAsync(root, args);
