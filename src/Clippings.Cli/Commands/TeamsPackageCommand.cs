using System.CommandLine;
using Clippings.Server.Teams;

namespace Clippings.Cli.Commands;

/// <summary><c>clippings teams-package [--bot-id GUID] [--out FILE] [--teams FOLDER]</c>: the Teams app zip to sideload.</summary>
internal static class TeamsPackageCommand
{
    public static Command Create()
    {
        var botId = new Option<string?>("--bot-id") { Description = "The bot's Microsoft App ID (default: MicrosoftAppId from configuration)." };
        var output = new Option<string>("--out") { Description = "Where to write the zip.", DefaultValueFactory = _ => "clippings-teams.zip" };
        var teams = new Option<string?>("--teams") { Description = "Folder with manifest.json and the icons (default: the repository's teams/)." };
        var command = new Command("teams-package", "Write the Teams app package (manifest with the bot id, icons) to sideload or upload.") { botId, output, teams };
        command.SetAction(parse =>
        {
            var configuration = CliHost.BuildConfiguration();
            var id = parse.GetValue(botId) ?? configuration["MicrosoftAppId"];
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new ClippingsException("No bot id: pass --bot-id GUID (the Microsoft App ID of your Azure Bot) or set MicrosoftAppId.");
            }

            var folder = parse.GetValue(teams) ?? CliHost.FindRepositoryFolder("teams")
                ?? throw new ClippingsException("The teams/ folder (manifest.json and icons) was not found; pass --teams FOLDER.");
            var path = Path.GetFullPath(parse.GetValue(output)!);
            var manifest = TeamsAppPackage.Write(folder, id, path);
            Console.Out.WriteLine($"Wrote {path}: {manifest["name"]?["short"]} {manifest["version"]} for bot {id}. Upload it in Teams: Apps > Manage your apps > Upload an app.");
            return 0;
        });
        return command;
    }
}
