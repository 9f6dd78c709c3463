using System.IO.Compression;
using System.Text.Json.Nodes;
using Clippings.Server.Teams;
using Clippings.Server.Tests.DirectLine;
using Clippings.Server.Tests.TestSupport;

namespace Clippings.Server.Tests.Teams;

/// <summary>The repository's teams/ folder makes a valid app package with the bot id put in.</summary>
public sealed class TeamsAppPackageTests
{
    private static string TeamsFolder => Path.Combine(SampleArchiveIndex.RepoRoot, "teams");

    [Fact]
    public void ThePackageHoldsTheManifestWithTheBotIdAndBothIcons()
    {
        const string botId = "6f1c2a3b-1111-2222-3333-444455556666";
        var path = SampleArchiveIndex.TempPath("teams", ".zip");
        TeamsAppPackage.Write(TeamsFolder, botId, path);

        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        using var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open());
        var text = reader.ReadToEnd();
        Assert.DoesNotContain(TeamsAppPackage.BotIdPlaceholder, text, StringComparison.Ordinal);
        var manifest = JsonNode.Parse(text)!;
        Assert.Equal(botId, (string?)manifest["id"]);
        var bot = manifest["bots"]![0]!;
        Assert.Equal(botId, (string?)bot["botId"]);
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(["help", "reset"], bot["commandLists"]![0]!["commands"]!.AsArray().Select(c => (string?)c!["title"]));
        Assert.Matches(@"/v1\.\d+/MicrosoftTeams\.schema\.json$", (string?)manifest["$schema"]);
        Assert.True(((string?)manifest["name"]!["short"])!.Length <= 30);
        Assert.True(((string?)manifest["description"]!["short"])!.Length <= 80);
    }

    [NodeFact]
    public async Task TheManifestIsValidAgainstTheSchemaBundledInMicrosoftsAppManifestPackage()
    {
        await NodeTools.EnsureClientsInstalledAsync();
        var path = SampleArchiveIndex.TempPath("teams", ".zip");
        TeamsAppPackage.Write(TeamsFolder, "6f1c2a3b-1111-2222-3333-444455556666", path);
        string text;
        using (var zip = ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("manifest.json")!.Open()))
        {
            text = await reader.ReadToEndAsync();
        }

        var valid = await ValidateAsync(text);
        Assert.Equal("build/json-schemas/teams/v1.22/MicrosoftTeams.schema.json", (string?)valid["schema"]);
        Assert.Null((string?)valid["typeError"]);
        Assert.Empty(valid["errors"]!.AsArray());

        // The same validator refuses what Teams would: a short name over 30 characters, an unknown scope.
        var broken = JsonNode.Parse(text)!;
        broken["name"]!["short"] = new string('x', 31);
        broken["bots"]![0]!["scopes"] = new JsonArray("everywhere");
        var errors = (await ValidateAsync(broken.ToJsonString()))["errors"]!.AsArray().Select(e => (string?)e).ToList();
        Assert.Contains(errors, e => e!.StartsWith("/name/short", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.StartsWith("/bots/0/scopes/0", StringComparison.Ordinal));
    }

    /// <summary>node clients/validate-manifest.js: the package's own validator, with the schema it bundles (offline).</summary>
    private static async Task<JsonNode> ValidateAsync(string manifest)
    {
        var file = SampleArchiveIndex.TempPath("manifest", ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, manifest);
        var (exitCode, output) = await NodeTools.RunAsync("node", ["validate-manifest.js", file], NodeTools.ClientsDirectory, TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"validate-manifest.js exited {exitCode}:\n{output}");
        return JsonNode.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith('{')))!;
    }

    [Fact]
    public void TheIconsHaveTheSizesTeamsWants()
    {
        Assert.Equal((192, 192), TeamsAppPackage.PngSize(Path.Combine(TeamsFolder, "color.png")));
        Assert.Equal((32, 32), TeamsAppPackage.PngSize(Path.Combine(TeamsFolder, "outline.png")));
    }

    [Fact]
    public void ABotIdThatIsNotAGuidIsRefusedWithAClearMessage()
    {
        var error = Assert.Throws<ClippingsException>(() => TeamsAppPackage.Write(TeamsFolder, "my-bot", SampleArchiveIndex.TempPath("teams", ".zip")));
        Assert.Contains("not a GUID", error.Message, StringComparison.Ordinal);
    }
}
