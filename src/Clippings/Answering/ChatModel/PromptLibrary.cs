using System.Text.Json;
using Microsoft.SemanticKernel;

namespace Clippings.Answering.ChatModel;

/// <summary>
/// The Semantic Kernel prompt directories in <c>prompts/</c> (each <c>skprompt.txt</c> + <c>config.json</c>), loaded
/// when the chat model starts so editors can change wording, rules and execution settings without a rebuild.
/// </summary>
public sealed class PromptLibrary
{
    public const string AnswerWithCitations = "AnswerWithCitations";
    public const string RewriteFollowUp = "RewriteFollowUp";
    public const string AuthorAnswer = "AuthorAnswer";

    private static readonly string[] Required = [AnswerWithCitations, RewriteFollowUp, AuthorAnswer];

    private readonly KernelPlugin _plugin;
    private readonly Dictionary<string, string> _templates;

    private PromptLibrary(string directory, KernelPlugin plugin, Dictionary<string, string> templates)
    {
        Directory = directory;
        _plugin = plugin;
        _templates = templates;
    }

    /// <summary>The folder the prompts were loaded from.</summary>
    public string Directory { get; }

    public KernelFunction this[string name] => _plugin[name];

    /// <summary>The raw template text, for counting the prompt's fixed tokens.</summary>
    public string Template(string name) => _templates[name];

    /// <summary>The answer allowance (<c>max_tokens</c>) a prompt's config.json asks for, or <paramref name="fallback"/>.</summary>
    public int MaxAnswerTokens(string name, int fallback)
    {
        var settings = _plugin[name].ExecutionSettings?.Values.FirstOrDefault();
        if (settings?.ExtensionData is { } data && data.TryGetValue("max_tokens", out var value))
        {
            return value switch
            {
                JsonElement { ValueKind: JsonValueKind.Number } element => element.GetInt32(),
                int i => i,
                long l => (int)l,
                _ => fallback,
            };
        }

        return fallback;
    }

    /// <summary>Loads every required prompt from <paramref name="configuredPath"/>, else the first <c>prompts/</c> found.</summary>
    public static PromptLibrary Load(Kernel kernel, string? configuredPath)
    {
        var directory = Locate(configuredPath);
        foreach (var name in Required)
        {
            foreach (var file in new[] { "skprompt.txt", "config.json" })
            {
                if (!File.Exists(Path.Combine(directory, name, file)))
                {
                    throw new ClippingsException($"The prompt {name} is incomplete: {Path.Combine(directory, name, file)} is missing. Restore it from the repository's prompts/ folder or point Clippings:ChatModel:PromptsPath at a complete copy.");
                }
            }
        }

        KernelPlugin plugin;
        try
        {
            plugin = kernel.CreatePluginFromPromptDirectory(directory, "Clippings");
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or KernelException or IOException)
        {
            throw new ClippingsException($"The prompts in {directory} could not be loaded: {ex.Message}. Check each config.json is valid JSON in Semantic Kernel's prompt format.", ex);
        }

        var templates = Required.ToDictionary(n => n, n => File.ReadAllText(Path.Combine(directory, n, "skprompt.txt")), StringComparer.Ordinal);
        return new PromptLibrary(directory, plugin, templates);
    }

    private static string Locate(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            var full = Path.GetFullPath(configuredPath);
            return System.IO.Directory.Exists(full)
                ? full
                : throw new ClippingsException($"Clippings:ChatModel:PromptsPath '{full}' does not exist. Point it at a folder of prompt directories (see prompts/ in the repository).");
        }

        var candidates = new[]
        {
            Path.Combine(System.IO.Directory.GetCurrentDirectory(), "prompts"),
            Path.Combine(AppContext.BaseDirectory, "prompts"),
        };
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, AnswerWithCitations, "skprompt.txt")))
            ?? throw new ClippingsException($"No prompts/ folder found (looked in {string.Join(" and ", candidates)}). Run from the repository or install folder, or set Clippings:ChatModel:PromptsPath.");
    }
}
