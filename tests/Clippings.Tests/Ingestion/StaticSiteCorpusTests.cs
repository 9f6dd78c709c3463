using System.Text.Json;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;
using Xunit.Abstractions;

namespace Clippings.Tests.Ingestion;

/// <summary>
/// The real static-site exports of ../shared/corpus-modern: The Go Blog's source folder (checked against
/// blog-expected.jsonl) and the Jekyll fixtures of cms-exports/jekyll.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class StaticSiteCorpusTests(ITestOutputHelper output)
{
    [SharedDataFact("corpus-modern")]
    public async Task TheGoBlogReadsAsItsPostsWithAuthorsAndDates()
    {
        var root = SharedData.Require("corpus-modern");
        var results = await ReadAllAsync(Path.Combine(root, "blog"));
        var articles = results.SelectMany(r => r.Articles).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var expected = File.ReadLines(Path.Combine(root, "blog-expected.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        var withAuthors = 0;
        var withDates = 0;
        var misses = new List<string>();
        foreach (var post in expected)
        {
            var id = post.GetProperty("id").GetString()!;
            if (!articles.TryGetValue(id, out var article))
            {
                misses.Add($"{id}: missing");
                continue;
            }

            var authors = post.GetProperty("authors").EnumerateArray().Select(a => a.GetString()!).ToList();
            if (authors.SequenceEqual(article.Authors))
            {
                withAuthors++;
            }
            else
            {
                misses.Add($"{id}: authors [{string.Join("; ", article.Authors)}], expected [{string.Join("; ", authors)}]");
            }

            if (post.GetProperty("published").GetString() == article.Published?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
            {
                withDates++;
            }
            else
            {
                misses.Add($"{id}: date {article.Published}, expected {post.GetProperty("published").GetString()}");
            }
        }

        var failures = results.Where(r => r.Failed).Select(r => $"{Path.GetRelativePath(root, r.Path)}: {r.Error}").ToList();
        var skipped = results.Where(r => r.Skipped is not null).ToList();
        // "{%" alone is not template syntax: gob.md's Go code prints with "{%d,%d}". A Liquid tag is "{% word".
        var templated = articles.Values.Where(a => a.Text.Contains("{{", StringComparison.Ordinal) || LiquidTag().IsMatch(a.Text)).Select(a => a.Id).ToList();
        output.WriteLine($"files {results.Count}, articles {articles.Count}, with expected authors {withAuthors}, with expected dates {withDates}, failures {failures.Count}, skipped {skipped.Count}, with template syntax {templated.Count}");
        foreach (var line in misses.Concat(failures))
        {
            output.WriteLine(line);
        }

        Assert.Empty(failures);
        Assert.Equal(238, articles.Count);
        Assert.Equal(238, expected.Count);
        Assert.True(withAuthors >= 0.99 * expected.Count, $"{withAuthors} posts with the expected authors");
        Assert.True(withDates >= 0.99 * expected.Count, $"{withDates} posts with the expected dates");
        Assert.Empty(templated);
        Assert.Equal(55, skipped.Count(r => r.Skipped!.Contains("redirect", StringComparison.Ordinal)));
        foreach (var name in new[] { "index.md", "all.md", "README.md" })
        {
            Assert.Contains(skipped, r => Path.GetFileName(r.Path) == name && Path.GetDirectoryName(r.Path) == Path.Combine(root, "blog"));
        }

        // Side files (HTML fragments, the copyright note) are skipped, not failed and not articles.
        Assert.Contains(skipped, r => r.Path.EndsWith(Path.Combine("normalization", "table1.html"), StringComparison.Ordinal));
        Assert.Contains(skipped, r => r.Path.EndsWith("copyright.txt", StringComparison.Ordinal));
        Assert.Equal("markdown", results.Single(r => Path.GetFileName(r.Path) == "h2push.md").Format);

        // The survey results post takes its content from the HTML fragments it includes.
        Assert.True(articles["survey2016-results"].Text.Length > 10_000);
    }

    [SharedDataFact("corpus-modern")]
    public async Task TheJekyllFixturesGiveTwelvePostsWithDatesFromTheirFileNames()
    {
        var folder = Path.Combine(SharedData.Require("corpus-modern"), "cms-exports", "jekyll");
        var results = await ReadAllAsync(folder);
        foreach (var result in results)
        {
            output.WriteLine($"{Path.GetFileName(result.Path)}: {result.Format} {result.Error ?? result.Skipped ?? string.Join(", ", result.Articles.Select(a => $"{a.Id} {a.Published} [{string.Join("; ", a.Authors)}] {a.Section}"))}");
        }

        var articles = results.SelectMany(r => r.Articles).ToDictionary(a => Path.GetFileName(a.SourcePath!), StringComparer.Ordinal);
        Assert.DoesNotContain(results, r => r.Failed);
        Assert.Equal(12, articles.Count);
        Assert.Contains("published", results.Single(r => r.Path.EndsWith("published-false.md", StringComparison.Ordinal)).Skipped, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2021, 8, 23), articles["2021-08-23-basic-post.md"].Published);
        Assert.Equal(new DateOnly(2021, 9, 1), articles["2021-9-1-alt-date-format.md"].Published);
        Assert.Equal(new DateOnly(2021, 11, 26), articles["my-first-post.md"].Published);
        Assert.Equal(new DateOnly(2022, 6, 6), articles["unquoted-date.markdown"].Published);
        Assert.All(articles.Values, a => Assert.NotNull(a.Published));
        Assert.Single(articles["2021-08-23-basic-post.md"].Authors);
        // The .html post is read by the Markdown reader, its HTML as text (no tags, no front matter).
        Assert.DoesNotContain("<p>", articles["2022-06-05-basic.html"].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("title:", articles["2022-06-05-basic.html"].Text, StringComparison.Ordinal);
        // Section is the first category (Jekyll splits a categories string on spaces), never a tag.
        Assert.All(articles.Values.Where(a => a.Section is not null), a => Assert.DoesNotContain(' ', a.Section!));
        Assert.Equal(2, articles.Values.Count(a => a.Section is not null));
        Assert.DoesNotContain("photo", articles["2021-08-25-relative-links.md"].Text, StringComparison.OrdinalIgnoreCase); // image alt text is not text
        Assert.All(articles.Values, a => Assert.Null(a.Publication));
    }

    private static async Task<List<ArchiveFileResult>> ReadAllAsync(string folder)
    {
        var loader = new ArchiveLoader();
        var files = ArchiveLoader.EnumerateFiles([folder]);
        var results = new ArchiveFileResult[files.Count];
        // In parallel, as the ingestor reads: the site lookups must hold up under it.
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), async (i, ct) => results[i] = await loader.ReadFileAsync(files[i], ct));
        return [.. results];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{%-?\s*\w+(?:\s|-?%\})")]
    private static partial System.Text.RegularExpressions.Regex LiquidTag();
}
