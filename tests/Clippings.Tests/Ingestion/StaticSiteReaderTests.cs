using Clippings.Archive;
using Clippings.Ingestion;
using Clippings.Ingestion.StaticSites;

namespace Clippings.Tests.Ingestion;

/// <summary>Static-site posts as people publish them: Jekyll, Hugo and Go-style blog folders, with their quirks.</summary>
public sealed class StaticSiteReaderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "clippings-site-" + Guid.NewGuid().ToString("N"));
    private readonly ArchiveLoader _loader = new();

    public StaticSiteReaderTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task LenientYamlKeepsThePostWhateverRubyAndPythonWouldAccept()
    {
        // A multi-line quoted title, a tab-indented list, a duplicate key (last wins) and CRLF line endings.
        Write("2019-03-04-harbour.md", "---\r\ntitle: \"The harbour at night:\r\n  a walk\"\r\nauthors:\r\n\t- Ann Example\r\ndate: 2019-03-04\r\ndate: 2019-03-05\r\n---\r\n\r\nThe tide was out.\r\n\r\nGulls on the wall.\r\n");
        var article = await SingleAsync("2019-03-04-harbour.md");
        Assert.Equal("The harbour at night: a walk", article.Title);
        Assert.Equal(["Ann Example"], article.Authors);
        Assert.Equal(new DateOnly(2019, 3, 5), article.Published);
        Assert.Equal("The tide was out.\n\nGulls on the wall.", article.Text);
    }

    [Fact]
    public async Task AnUnquotedColonInAValueIsRepairedAndBrokenYamlFallsBackToKeyValueLines()
    {
        Write("colon.md", "---\ntitle: Go: the first ten years\nby: Ann Example\ndate: 2019-11-10\n---\n\nBody text.\n");
        var article = await SingleAsync("colon.md");
        Assert.Equal("Go: the first ten years", article.Title);

        Write("broken.md", "---\ntitle: [Unclosed bracket\nauthor: Ben Example\ndate: 2020-01-02\n---\n\nStill a post.\n");
        var result = await _loader.ReadFileAsync(Path.Combine(_root, "broken.md"), CancellationToken.None);
        var broken = Assert.Single(result.Articles);
        Assert.Equal(["Ben Example"], broken.Authors);
        Assert.Equal(new DateOnly(2020, 1, 2), broken.Published);
        Assert.Contains(result.Warnings, w => w.Contains("YAML", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TomlAndJsonFrontMatterAreRead()
    {
        Write("toml.md", "+++\ntitle = \"Bridges\"\ndate = 2021-05-06T10:00:00Z\nauthors = [\"Ann Example\", \"Ben Example\"]\ncategories = [\"Engineering\"]\ntags = [\"rivers\"]\n+++\n\nAbout bridges.\n");
        var toml = await SingleAsync("toml.md");
        Assert.Equal(("Bridges", new DateOnly(2021, 5, 6), "Engineering"), (toml.Title, toml.Published, toml.Section));
        Assert.Equal(["Ann Example", "Ben Example"], toml.Authors);

        Write("json.md", "{\n  \"title\": \"Tunnels\",\n  \"date\": \"2022-07-08\",\n  \"author\": {\"name\": \"Cat Example\", \"bio\": \"Digs.\"}\n}\n\nAbout tunnels.\n");
        var result = await _loader.ReadFileAsync(Path.Combine(_root, "json.md"), CancellationToken.None);
        var json = Assert.Single(result.Articles);
        Assert.Equal(("Tunnels", new DateOnly(2022, 7, 8)), (json.Title, json.Published));
        Assert.Equal(["Cat Example"], json.Authors);
        Assert.Equal("About tunnels.", json.Text);
        Assert.Contains(new AuthorProfile("Cat Example", "Digs."), result.Authors);
    }

    [Fact]
    public async Task JekyllAuthorSlugsResolveThroughAuthorsFolderAndDataFile()
    {
        Write("_config.yml", "title: The Quay\nurl: https://quay.example\nbaseurl: /news\n");
        Write("_authors/jdoe.md", "---\nname: Jane Doe\n---\nJane covers the harbour.\n");
        Write("_data/authors.yml", "asmith:\n  name: Alan Smith\n  bio: Alan writes about trams.\n");
        Write("_posts/2020-02-03-trams.md", "---\ntitle: Trams\nauthor: [jdoe, asmith]\npermalink: /trams/\ntags: [transport, city]\n---\n\nThe trams are back.\n");

        var results = await ReadAllAsync();
        var article = Assert.Single(results.SelectMany(r => r.Articles));
        Assert.Equal(["Jane Doe", "Alan Smith"], article.Authors);
        Assert.Equal(new DateOnly(2020, 2, 3), article.Published);
        Assert.Equal("https://quay.example/news/trams/", article.Url);
        Assert.Equal("The Quay", article.Publication);
        Assert.Null(article.Section); // tags are topics, never the section
        Assert.DoesNotContain(results, r => r.Failed);
        var record = results.Single(r => r.Path.EndsWith("jdoe.md", StringComparison.Ordinal));
        Assert.NotNull(record.Skipped);
        Assert.Equal("Jane covers the harbour.", Assert.Single(record.Authors).Bio);
        Assert.Contains(results.SelectMany(r => r.Authors), a => a is { Name: "Alan Smith", Bio: "Alan writes about trams." });
    }

    [Fact]
    public async Task HugoAuthorDataAndAuthorPagesResolveSlugsAndGiveTheSection()
    {
        Write("hugo.toml", "baseURL = \"https://river.example/\"\ntitle = \"River Notes\"\n");
        Write("data/authors/bkent.toml", "name = \"Bea Kent\"\nbio = \"Bea rows.\"\n");
        Write("content/authors/cdale/_index.md", "---\ntitle: Carl Dale\n---\nCarl fishes.\n");
        Write("content/news/2023/04/flood.md", "---\ntitle: Flood\nauthors: [bkent, cdale]\nslug: the-flood\n---\n\nThe river rose.\n");
        Write("content/news/_index.md", "---\ntitle: News\n---\n");

        var results = await ReadAllAsync();
        var article = Assert.Single(results.SelectMany(r => r.Articles));
        Assert.Equal(["Bea Kent", "Carl Dale"], article.Authors);
        Assert.Equal((new DateOnly(2023, 4, 1), DatePrecision.Month), (article.Published, article.DatePrecision));
        Assert.Equal("news", article.Section);
        Assert.Equal("https://river.example/the-flood", article.Url);
        Assert.DoesNotContain(results, r => r.Failed);
        Assert.Equal("Carl fishes.", results.Single(r => r.Path.EndsWith(Path.Combine("cdale", "_index.md"), StringComparison.Ordinal)).Authors.Single().Bio);
    }

    [Theory]
    [InlineData("Ann Example", "Ann Example")]
    [InlineData("Ann Example, Ben Example, and Cat Example", "Ann Example|Ben Example|Cat Example")]
    [InlineData("Ann Example & Ben Example", "Ann Example|Ben Example")]
    [InlineData("Ann Example and Ben Example, for the Data team", "Ann Example|Ben Example")]
    [InlineData("Ann Example, on behalf of the editors", "Ann Example")]
    [InlineData("Ann Example (Acme Corp)", "Ann Example")]
    [InlineData("Ann Example and contributors", "Ann Example")]
    [InlineData("Ann Example, March 2011; updated by Ben Example, May 2013", "Ann Example|Ben Example")]
    [InlineData("By Ann Example", "Ann Example")]
    [InlineData("The Data Team", "The Data Team")]
    [InlineData("Infrastructure team at Acme", "Infrastructure team at Acme")]
    [InlineData("Ann Example, Jr.", "Ann Example, Jr")]
    public void BylinesSplitIntoPeople(string byline, string expected) =>
        Assert.Equal(expected.Split('|'), Bylines.Split(byline));

    [Fact]
    public async Task DatesComeFromTheFileNameOrFolderWhenFrontMatterHasNone()
    {
        Write("2021-9-1-unpadded.md", "---\ntitle: Unpadded\n---\n\nText.\n");
        Write("2019/04/in-folder.md", "---\ntitle: Foldered\n---\n\nText.\n");
        Write("junk-date.md", "---\ntitle: Junk\ndate: 2017-09-27 (optional)\n---\n\nText.\n");
        Write("unpadded-front.md", "---\ntitle: Front\ndate: 2024-4-09\n---\n\nText.\n");
        Assert.Equal(new DateOnly(2021, 9, 1), (await SingleAsync("2021-9-1-unpadded.md")).Published);
        var foldered = await SingleAsync(Path.Combine("2019", "04", "in-folder.md"));
        Assert.Equal((new DateOnly(2019, 4, 1), DatePrecision.Month), (foldered.Published, foldered.DatePrecision));
        Assert.Equal(new DateOnly(2017, 9, 27), (await SingleAsync("junk-date.md")).Published);
        Assert.Equal(new DateOnly(2024, 4, 9), (await SingleAsync("unpadded-front.md")).Published);
    }

    [Theory]
    [InlineData("---\ntitle: Draft\ndraft: true\n---\n\nNot yet.\n", "draft")]
    [InlineData("---\ntitle: Hidden\npublished: false\n---\n\nNot yet.\n", "draft")]
    [InlineData("---\nredirect: /blog/elsewhere\n---\n", "redirect")]
    [InlineData("---\nredirect_to: https://example.com/new\nlayout: redirect\n---\n\n", "redirect")]
    [InlineData("---\ntitle: All posts\n---\n\n{% for post in site.posts %}<a href=\"{{ post.url }}\">{{ post.title }}</a>{% endfor %}\n", "listing")]
    [InlineData("---\ntitle: Blog\ntemplate: true\n---\n\n{{range newest (pages \"/blog/*.md\")}}<p>{{.title}}</p>{{end}}\n", "listing")]
    public async Task FilesThatAreNoArticleOnPurposeAreSkippedNotFailed(string content, string reason)
    {
        Write("page.md", content);
        var result = await _loader.ReadFileAsync(Path.Combine(_root, "page.md"), CancellationToken.None);
        Assert.False(result.Failed, result.Error);
        Assert.Empty(result.Articles);
        Assert.Contains(reason, result.Skipped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemplateSyntaxNeverBecomesText()
    {
        Write("notes.html", "<p>The note from the side file.</p><style>p { color: red }</style>");
        Write("notes.md", """
            ---
            title: Templates
            date: 2024-01-02
            template: true
            ---

            Intro {{ page.title }} and {% include note.html %} here.

            {% raw %}Show {{ literally }} this.{% endraw %}

            {% highlight go %}
            fmt.Println("hi")
            {% endhighlight %}

            {{< note >}}Keep this note.{{< /note >}}

            {{< youtube abc123 >}}

            {{% aside %}}Aside text.{{% /aside %}}

            {{image "pics/chart.png" 600}}

            Arrows {{raw "`<-`"}} and {{" < "}} signs.

            {{raw (file "notes.html")}}

            {{raw (file "missing.html")}}

            ## A heading {#custom-id}

            A paragraph.
            {: .lead}
            """);
        var article = await SingleAsync("notes.md");
        Assert.Equal(
            "Intro and here.\n\nShow {{ literally }} this.\n\nfmt.Println(\"hi\")\n\nKeep this note.\n\nAside text.\n\nArrows <- and < signs.\n\nThe note from the side file.\n\nA heading\n\nA paragraph.",
            article.Text);
    }

    [Fact]
    public async Task RawHtmlBlocksKeepTheirTextButNotImagesStylesOrScripts()
    {
        Write("html.md", """
            ---
            title: Raw HTML
            date: 2024-02-03
            ---

            Before.

            <div class="pullquote">
              <p>Ships are safe in harbour.</p>
            </div>

            <figure><img src="x.png" alt="A ship at anchor"><figcaption>The ship, 1910.</figcaption></figure>

            <table><tr><th>Year</th><th>Ships</th></tr><tr><td>1910</td><td>12</td></tr></table>

            <style type="text/css" scoped>.x { color: red }</style>

            <script>alert(1)</script>

            ![A gull on the wall](gull.png)

            After.
            """);
        var article = await SingleAsync("html.md");
        Assert.Equal("Before.\n\nShips are safe in harbour.\n\nThe ship, 1910.\n\nYear | Ships\n\n1910 | 12\n\nAfter.", article.Text);
    }

    [Fact]
    public async Task FrontMatterDecidesTheReaderWhateverHtmlTheFileHolds()
    {
        // An <html> page inside an indented code block, and a Jekyll .html post with front matter.
        Write("code.md", "---\ntitle: Server push\ndate: 2017-03-24\n---\n\nA page:\n\n    <html>\n    <head><title>x</title></head>\n    </html>\n\nDone.\n");
        Write("post.html", "---\ntitle: An HTML post\ndate: 2022-06-05\n---\n<p>First paragraph.</p>\n<p>Second.</p>\n");
        var results = await ReadAllAsync();
        Assert.All(results, r => Assert.Equal("markdown", r.Format));
        Assert.Contains("<html>", (await SingleAsync("code.md")).Text, StringComparison.Ordinal);
        Assert.Equal("First paragraph.\n\nSecond.", (await SingleAsync("post.html")).Text);
    }

    [Fact]
    public async Task SideFilesAndReadmesBesideThePostsAreSkipped()
    {
        Write("tables.md", "---\ntitle: Tables\ndate: 2013-10-23\n---\n\nSee the tables.\n");
        Write("tables/table1.html", "<table><tr><td>1</td></tr></table>\n");
        Write("brand.md", "---\ntitle: Brand\ndate: 2018-04-26\n---\n\nThe logo.\n");
        Write("brand/logo/copyright.txt", "Copyright notice\n\nAll rights reserved.\n");
        Write("README.md", "# About this folder\n\nPosts live here.\n");
        var results = await ReadAllAsync();
        Assert.DoesNotContain(results, r => r.Failed);
        Assert.Equal(2, results.Sum(r => r.Articles.Count));
        Assert.Equal(3, results.Count(r => r.Skipped is not null));
    }

    [Fact]
    public async Task TheBaseUrlOptionGivesUrlsToPostsWithoutPermalinks()
    {
        Write("go1.27.md", "---\ntitle: Go 1.27\ndate: 2026-08-19\nby:\n- The Go Team\n---\n\nReleased.\n");
        var result = await _loader.ReadFileAsync(Path.Combine(_root, "go1.27.md"), new ArchiveReadOptions("https://go.dev/blog"), CancellationToken.None);
        var article = Assert.Single(result.Articles);
        Assert.Equal(("go1.27", "https://go.dev/blog/go1.27"), (article.Id, article.Url));
        Assert.Equal(["The Go Team"], article.Authors);
        Assert.Null((await SingleAsync("go1.27.md")).Url);
    }

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private async Task<Article> SingleAsync(string relative)
    {
        var result = await _loader.ReadFileAsync(Path.Combine(_root, relative), CancellationToken.None);
        Assert.Null(result.Error);
        return Assert.Single(result.Articles);
    }

    private async Task<List<ArchiveFileResult>> ReadAllAsync()
    {
        var results = new List<ArchiveFileResult>();
        foreach (var file in ArchiveLoader.EnumerateFiles([_root]))
        {
            results.Add(await _loader.ReadFileAsync(file, CancellationToken.None));
        }

        return results;
    }
}
