using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace Clippings.Server.Teams;

/// <summary>
/// Builds the Teams app package (the zip you sideload or upload to the Teams admin centre) from the
/// <c>teams/</c> folder: <c>manifest.json</c> with the bot's Microsoft App ID put in, and its two icons.
/// </summary>
public static class TeamsAppPackage
{
    public const string BotIdPlaceholder = "{{BOT_ID}}";
    public const string ManifestFile = "manifest.json";

    /// <summary>Writes the package to <paramref name="outputPath"/> and returns the manifest it contains.</summary>
    public static JsonObject Write(string teamsFolder, string botId, string outputPath)
    {
        if (!Guid.TryParse(botId, out var id))
        {
            throw new ClippingsException($"The bot id '{botId}' is not a GUID. Use the Microsoft App ID of your Azure Bot registration (--bot-id or MicrosoftAppId).");
        }

        var manifestPath = Path.Combine(teamsFolder, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new ClippingsException($"No {ManifestFile} in {teamsFolder}. Run from the repository (it has teams/manifest.json) or pass --teams FOLDER.");
        }

        var text = File.ReadAllText(manifestPath).Replace(BotIdPlaceholder, id.ToString("D"), StringComparison.Ordinal);
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(text)?.AsObject() ?? throw new ClippingsException($"{manifestPath} is empty.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ClippingsException($"{manifestPath} is not valid JSON: {ex.Message}", ex);
        }

        var icons = new[] { ("color", 192), ("outline", 32) }
            .Select(icon => (Name: (string?)manifest["icons"]?[icon.Item1] ?? throw new ClippingsException($"{manifestPath} names no {icon.Item1} icon."), Size: icon.Item2))
            .ToList();
        foreach (var (name, size) in icons)
        {
            var path = Path.Combine(teamsFolder, name);
            var (width, height) = File.Exists(path) ? PngSize(path) : throw new ClippingsException($"The icon {path} named in the manifest is missing.");
            if (width != size || height != size)
            {
                throw new ClippingsException($"The icon {path} is {width}x{height}; Teams wants {size}x{size}.");
            }
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.Delete(outputPath);
        using (var zip = ZipFile.Open(outputPath, ZipArchiveMode.Create))
        {
            var entry = zip.CreateEntry(ManifestFile);
            using (var writer = new StreamWriter(entry.Open()))
            {
                writer.Write(manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }

            foreach (var (name, _) in icons)
            {
                zip.CreateEntryFromFile(Path.Combine(teamsFolder, name), Path.GetFileName(name));
            }
        }

        return manifest;
    }

    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        Span<byte> header = stackalloc byte[24];
        using var stream = File.OpenRead(path);
        if (stream.Read(header) != 24 || header[1] != 'P' || header[2] != 'N' || header[3] != 'G')
        {
            throw new ClippingsException($"{path} is not a PNG image.");
        }

        return (BinaryPrimitives.ReadInt32BigEndian(header[16..20]), BinaryPrimitives.ReadInt32BigEndian(header[20..24]));
    }
}
