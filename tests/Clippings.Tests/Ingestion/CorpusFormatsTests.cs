using System.Text.Json;
using Clippings.Archive;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Ingestion;

/// <summary>Every export format of the shared corpus reads back to the canonical articles.jsonl.</summary>
public class CorpusFormatsTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Canonical = new(() =>
        File.ReadLines(SharedCorpus.Path("articles.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e));

    private readonly ArchiveLoader _loader = new();

    [SharedCorpusFact]
    public async Task EveryHtmlPageMatchesTheCanonicalArticle()
    {
        var files = Directory.GetFiles(SharedCorpus.Path("formats", "html"), "*.html");
        var mismatches = new List<string>();
        foreach (var file in files)
        {
            var result = await _loader.ReadFileAsync(file, CancellationToken.None);
            Assert.Null(result.Error);
            var article = Assert.Single(result.Articles);
            var expected = Canonical.Value[article.Id];
            if (article.Text != CanonicalText(expected))
            {
                mismatches.Add(article.Id);
            }

            Assert.Equal(expected.GetProperty("title").GetString(), article.Title);
            Assert.Equal(expected.GetProperty("authors").EnumerateArray().Select(a => a.GetString()), article.Authors);
            Assert.Equal(expected.GetProperty("published").GetString(), article.Published?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected.GetProperty("url").GetString(), article.Url);
            Assert.Equal(expected.GetProperty("section").GetString(), article.Section);
            Assert.Single(result.Authors);
        }

        Assert.Equal(499, files.Length);
        Assert.Empty(mismatches);
    }

    [SharedCorpusFact]
    public async Task TeasersForOtherArticlesNeverBecomeArticleText()
    {
        var result = await _loader.ReadFileAsync(SharedCorpus.Path("formats", "html", "chesterton-a-dead-poet.html"), CancellationToken.None);
        var text = result.Articles[0].Text;
        Assert.DoesNotContain("Why Christmas should not be celebrated", text, StringComparison.Ordinal);
        Assert.DoesNotContain("About the author", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Support us", text, StringComparison.Ordinal);
        Assert.StartsWith("G. K. Chesterton (1874-1936)", result.Authors[0].Bio, StringComparison.Ordinal);
    }

    [SharedCorpusFact]
    public async Task TheWordPressExportYieldsItsFortyPostsOnly()
    {
        var result = await _loader.ReadFileAsync(SharedCorpus.Path("formats", "wxr", "archive-export.wordpress.2024-06-03.xml"), CancellationToken.None);
        Assert.Null(result.Error);
        Assert.Equal("wxr", result.Format);
        Assert.Equal(40, result.Articles.Count);
        foreach (var article in result.Articles)
        {
            var expected = Canonical.Value[article.Id];
            Assert.Equal(CanonicalText(expected), article.Text);
            Assert.Equal(expected.GetProperty("authors").EnumerateArray().Select(a => a.GetString()), article.Authors);
            Assert.Equal(expected.GetProperty("published").GetString(), article.Published?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Contains(result.Articles, a => a.Id == "federalist-18" && a.Authors.Count == 2);
    }

    [SharedCorpusFact]
    public async Task MarkdownFilesMatchIncludingTheMessyOnes()
    {
        var files = Directory.GetFiles(SharedCorpus.Path("formats", "markdown"), "*.md");
        foreach (var file in files)
        {
            var result = await _loader.ReadFileAsync(file, CancellationToken.None);
            Assert.Null(result.Error);
            var article = Assert.Single(result.Articles);
            var expected = Canonical.Value[article.Id];
            // elia-old-china.md has "&amp;" pasted where the canonical text says "and": "&" is the faithful decoding.
            var text = article.Id == "elia-old-china" ? article.Text.Replace(" & ", " and ", StringComparison.Ordinal) : article.Text;
            Assert.Equal(CanonicalText(expected), text);
            Assert.Equal(expected.GetProperty("title").GetString(), article.Title);
        }

        var undated = await _loader.ReadFileAsync(SharedCorpus.Path("formats", "markdown", "rambler-134.md"), CancellationToken.None);
        Assert.Null(undated.Articles[0].Published);
        Assert.Contains(undated.Warnings, w => w.Contains("date", StringComparison.Ordinal));
    }

    private static string CanonicalText(JsonElement element) =>
        TextNormalizer.Join(element.GetProperty("body").GetString()!.Split("\n\n"));
}
