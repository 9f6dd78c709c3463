using System.CommandLine;

namespace Clippings.Cli;

/// <summary>Options several verbs share, and how they override configuration.</summary>
internal static class CommonOptions
{
    public static Option<string?> Index() => new("--index")
    {
        Description = "SQLite index file to use (overrides Clippings:Index:Path and selects the sqlite provider).",
    };

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Log what the pipeline does (to stderr).",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON instead of text.",
    };

    public static Dictionary<string, string?> Overrides(string? indexPath)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(indexPath))
        {
            overrides["Clippings:Index:Provider"] = "sqlite";
            overrides["Clippings:Index:Path"] = indexPath;
        }

        return overrides;
    }
}
