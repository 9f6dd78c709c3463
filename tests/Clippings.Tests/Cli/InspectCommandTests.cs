using System.Text.Json;
using Clippings.Tests.Robustness;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Cli;

/// <summary>
/// <c>clippings inspect</c> as a user runs it: one JSON object per file in the documented shape, nothing indexed,
/// and the losses grouped by reason at the end, with the warning a user cannot miss past 1% lost.
/// </summary>
public sealed class InspectCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-inspect-").FullName;

    [Fact]
    public async Task JsonHasExactlyTheDocumentedShapeAndLossesAreGroupedByReason()
    {
        File.Copy(Path.Combine(SharedCorpus.RepoRoot, "tests", "Clippings.Tests", "Ingestion", "Pages", "wordpress-author-box.html"), Path.Combine(_folder, "post.html"));
        File.WriteAllText(Path.Combine(_folder, "broken-1.md"), "---\ntitle: [unclosed\n");
        File.WriteAllText(Path.Combine(_folder, "broken-2.json"), "{\"title\": ");
        File.WriteAllText(Path.Combine(_folder, "empty-1.txt"), "");
        File.WriteAllText(Path.Combine(_folder, "empty-2.txt"), "");

        var (exit, stdout, stderr) = await RunAsync("inspect", _folder, "--json");

        Assert.Equal(1, exit);
        var objects = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5, objects.Count);
        foreach (var o in objects)
        {
            Assert.Equal(["path", "format", "error", "warnings", "articles", "bios"], o.EnumerateObject().Select(p => p.Name));
        }

        var post = objects.Single(o => o.GetProperty("path").GetString()!.EndsWith("post.html", StringComparison.Ordinal));
        var article = post.GetProperty("articles")[0];
        Assert.Equal(["id", "title", "authors", "published", "datePrecision", "section", "publication", "url", "text"], article.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Why we still print a paper edition", article.GetProperty("title").GetString());
        Assert.Equal("2022-11-05", article.GetProperty("published").GetString());
        Assert.Equal("Ruth Okafor", post.GetProperty("bios")[0].GetProperty("name").GetString());

        // Two empty files are one reason (the unclosed front matter still reads, as Jekyll would); the share read and the unmissable warning close the run.
        Assert.Contains("failed: 2 files: file is empty", stderr, StringComparison.Ordinal);
        Assert.Contains("read 2 of 5 files", stderr, StringComparison.Ordinal);
        Assert.Contains("could not be read; their articles are NOT in the index", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "index.db")));
    }

    private static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => CliBinary.RunAsync(null, args);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
