namespace Clippings.Tests.TestSupport;

/// <summary>Finds ../shared/corpus relative to the repository root (the folder holding Clippings.slnx).</summary>
public static class SharedCorpus
{
    private static readonly Lazy<string?> RootPath = new(FindCorpus);

    /// <summary>The corpus folder, or null when ../shared/corpus is absent.</summary>
    public static string? Root => RootPath.Value;

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root ?? throw new InvalidOperationException("The shared corpus is absent."), .. parts]);

    private static string? FindCorpus()
    {
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared", "corpus"));
        return File.Exists(System.IO.Path.Combine(candidate, "articles.jsonl")) ? candidate : null;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Clippings.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Could not find the repository root (Clippings.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fact that runs only when ../shared/corpus is present, and says so when it skips.</summary>
public sealed class SharedCorpusFactAttribute : FactAttribute
{
    public SharedCorpusFactAttribute()
    {
        if (SharedCorpus.Root is null)
        {
            Skip = "../shared/corpus is absent (it sits beside the repository in CI and on developer machines); this test needs the real archive.";
        }
    }
}

/// <summary>A theory that runs only when ../shared/corpus is present.</summary>
public sealed class SharedCorpusTheoryAttribute : TheoryAttribute
{
    public SharedCorpusTheoryAttribute()
    {
        if (SharedCorpus.Root is null)
        {
            Skip = "../shared/corpus is absent; this test needs the real archive.";
        }
    }
}

/// <summary>
/// The other shared development archives beside the repository (../shared/corpus-modern, ../shared/corpus-html/readability):
/// each is used by relative path and may be absent, so tests that need one skip and say which.
/// </summary>
public static class SharedData
{
    /// <summary>The folder ../shared/<paramref name="relative"/>, or null when it is absent.</summary>
    public static string? Folder(string relative)
    {
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(SharedCorpus.RepoRoot, "..", "shared", relative));
        return Directory.Exists(candidate) ? candidate : null;
    }

    public static string Require(string relative) =>
        Folder(relative) ?? throw new InvalidOperationException($"../shared/{relative} is absent.");
}

/// <summary>A fact that runs only when ../shared/FOLDER is present, and says so when it skips.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string folder)
    {
        if (SharedData.Folder(folder) is null)
        {
            Skip = $"../shared/{folder} is absent (it sits beside the repository in CI and on developer machines); this test needs that real material.";
        }
    }
}
