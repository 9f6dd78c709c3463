using Clippings.Ingestion;

namespace Clippings.Tests.Ingestion;

/// <summary>The rules of each CMS export reader, on small fixtures written here (WXR, WordPress REST, Ghost, Chorus, Substack, Medium).</summary>
public sealed class CmsExportReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-cms-").FullName;
    private readonly ArchiveLoader _loader = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("http://wordpress.org/export/1.0/", "1.0")]
    [InlineData("http://wordpress.org/export/1.1/", "1.1")]
    [InlineData("https://wordpress.org/export/1.2/", "1.2")]
    public async Task WxrOfAnyVersionReadsItsPublishedPostsAndCountsTheRest(string ns, string version)
    {
        var result = await Read("export.xml", Wxr(ns, version, """
            <wp:author><wp:author_login>ed</wp:author_login><wp:author_display_name>Edna Editor</wp:author_display_name></wp:author>
            """,
            Item("Kept", "kept", "post", "publish", "<p>The harbour at dawn.</p>", creator: "ed", category: "Harbours", tag: "boats"),
            Item("A page", "about", "page", "publish", "<p>About us.</p>"),
            Item("A draft", "draft", "post", "draft", "<p>Not yet.</p>"),
            Item("Private", "private", "post", "private", "<p>Hidden.</p>"),
            Item("Later", "later", "post", "future", "<p>Scheduled.</p>"),
            Item("Locked", "locked", "post", "publish", "<p>Secret.</p>", password: "enter"),
            Item("Photo", "photo", "attachment", "inherit", ""),
            Item("Menu", "menu-1", "nav_menu_item", "publish", ""),
            Item("Empty", "empty", "post", "publish", "<!-- wp:post-title /-->")));

        Assert.Null(result.Error);
        var article = Assert.Single(result.Articles);
        Assert.Equal("kept", article.Id);
        Assert.Equal(["Edna Editor"], article.Authors);
        Assert.Equal("Harbours", article.Section);
        Assert.Null(article.Publication); // a tag is a topic, not the publication
        Assert.Equal(new DateOnly(2020, 5, 1), article.Published);
        Assert.Equal("skipped 1 page, 1 draft, 1 private post, 1 scheduled post, 1 password-protected post, 1 attachment, 1 nav menu item, 1 post with no text", result.Warnings[0]);
    }

    [Fact]
    public async Task WxrWithoutAValidVersionOrNotWellFormedIsAFileError()
    {
        var missing = await Read("rss.xml", Wxr("http://wordpress.org/export/1.1/", null, "", Item("Post", "post", "post", "publish", "<p>Text.</p>")));
        var invalid = await Read("bad-version.xml", Wxr("http://wordpress.org/export/1.2/", "abc", "", Item("Post", "post", "post", "publish", "<p>Text.</p>")));
        var broken = await Read("broken.xml", Wxr("http://wordpress.org/export/1.2/", "1.2", "", "<item><title>Cut off</title>"));

        Assert.Contains("wxr_version", missing.Error, StringComparison.Ordinal);
        Assert.Contains("'abc'", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("line", broken.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WxrWithOnlyPagesIsASkipWithItsReason()
    {
        var result = await Read("pages.xml", Wxr("http://wordpress.org/export/1.2/", "1.2", "", Item("About", "about", "page", "publish", "<p>About us.</p>")));

        Assert.Null(result.Error);
        Assert.Empty(result.Articles);
        Assert.Equal("no published posts (skipped 1 page)", result.Skipped);
    }

    [Fact]
    public async Task WordPressShortcodesAndBlockCommentsNeverBecomeText()
    {
        const string body = """
            Before the storm.

            [caption id="attachment_1" align="alignleft" width="300"]<a href="x.jpg"><img src="x.jpg" /></a> The lighthouse keeper[/caption]

            [gallery ids="1,2,3"]

            [embed]https://video.example/1[/embed]

            [audio https://audio.example/a.mp3]

            [caption id="attachment_2" caption="An older caption"]<img src="y.jpg" />[/caption]

            A bracket that is no shortcode [sic] stays.
            """;
        var classic = await Read("classic.xml", Wxr("http://wordpress.org/export/1.2/", "1.2", "", Item("Storm", "storm", "post", "publish", body)));
        var blocks = await Read("blocks.xml", Wxr("http://wordpress.org/export/1.2/", "1.2", "",
            Item("Blocks", "blocks", "post", "publish", "<!-- wp:paragraph --><p>One.</p><!-- /wp:paragraph -->\n\n<!-- wp:paragraph {\"align\":\"center\"} --><p>Two.</p><!-- /wp:paragraph --><!-- wp:latest-posts /-->")));

        Assert.Equal("Before the storm.\n\nThe lighthouse keeper\n\nAn older caption\n\nA bracket that is no shortcode [sic] stays.", Assert.Single(classic.Articles).Text);
        Assert.Equal("One.\n\nTwo.", Assert.Single(blocks.Articles).Text);
    }

    [Fact]
    public async Task ClassicEditorBlankLinesAreParagraphsAndSingleNewlinesLineBreaks()
    {
        var result = await Read("autop.xml", Wxr("http://wordpress.org/export/1.1/", "1.1", "",
            Item("Verse", "verse", "post", "publish", "First stanza, line one\nline two\n\nSecond stanza\n\n<blockquote>Quoted</blockquote>")));

        Assert.Equal("First stanza, line one\nline two\n\nSecond stanza\n\nQuoted", Assert.Single(result.Articles).Text);
    }

    [Fact]
    public async Task CoAuthorsPlusTermsAreTheAuthorsAndDuplicatesCollapse()
    {
        var item = Item("Two hands", "two-hands", "post", "publish", "<p>Written together.</p>", creator: "ann")
            .Replace("</item>", """<category domain="author" nicename="cap-ann"><![CDATA[Ann Able]]></category><category domain="author" nicename="cap-bo"><![CDATA[Bo Baker]]></category><category domain="author" nicename="cap-ann"><![CDATA[Ann Able]]></category></item>""", StringComparison.Ordinal);
        var result = await Read("coauthors.xml", Wxr("http://wordpress.org/export/1.2/", "1.2", "", item));

        Assert.Equal(["Ann Able", "Bo Baker"], Assert.Single(result.Articles).Authors);
    }

    [Fact]
    public async Task WordPressRestPostTakesCoAuthorsFromTheAuthorTaxonomyAndSkipsPages()
    {
        var post = await Read("post.json", """
            {
              "id": 7, "date": "2024-03-02T09:00:00", "date_gmt": "2024-03-02T14:00:00", "slug": "tides",
              "status": "publish", "type": "post", "link": "https://news.example/tides",
              "title": { "rendered": "Tides &#8217;24" },
              "content": { "rendered": "<p>The sea rose.</p>\n<p>Then it fell.</p>", "protected": false },
              "_embedded": {
                "author": [ { "id": 1, "name": "Owner Only", "description": "" } ],
                "wp:term": [
                  [ { "name": "Coast", "taxonomy": "category" } ],
                  [],
                  [ { "name": "Ann Able", "taxonomy": "author", "description": "Ann writes about the sea." },
                    { "name": "Bo Baker", "taxonomy": "author", "description": "" } ]
                ]
              }
            }
            """);
        var page = await Read("page.json", """
            {
              "id": 8, "slug": "about", "status": "publish", "type": "page",
              "title": { "rendered": "About" }, "content": { "rendered": "<p>Us.</p>" }
            }
            """);

        var article = Assert.Single(post.Articles);
        Assert.Equal("tides", article.Id);
        Assert.Equal("Tides '24", article.Title);
        Assert.Equal(["Ann Able", "Bo Baker"], article.Authors);
        Assert.Equal("Coast", article.Section);
        Assert.Equal(new DateOnly(2024, 3, 2), article.Published);
        Assert.Equal("The sea rose.\n\nThen it fell.", article.Text);
        Assert.Equal("Ann writes about the sea.", Assert.Single(post.Authors).Bio);
        Assert.Empty(page.Articles);
        Assert.Null(page.Error);
        Assert.Contains("page", page.Skipped, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GhostExportsInEitherEnvelopeGiveTheirPublishedPosts(bool wrapped)
    {
        const string data = """
            {
              "posts": [
                { "id": "p1", "title": "From html", "slug": "from-html", "html": "<p>Hello harbour.</p>", "lexical": null,
                  "type": "post", "status": "published", "published_at": "2025-01-01T00:00:00.000Z" },
                { "id": "p2", "title": "From lexical", "slug": "from-lexical", "html": null,
                  "lexical": "{\"root\":{\"type\":\"root\",\"children\":[{\"type\":\"paragraph\",\"children\":[{\"type\":\"text\",\"text\":\"Lexical \"},{\"type\":\"text\",\"text\":\"words.\"}]},{\"type\":\"image\",\"src\":\"a.jpg\",\"caption\":\"\"}]}}",
                  "type": "post", "status": "published", "published_at": "2025-01-02T00:00:00.000Z" },
                { "id": "p3", "title": "Only an image", "slug": "only-image", "html": null,
                  "lexical": "{\"root\":{\"type\":\"root\",\"children\":[{\"type\":\"image\",\"src\":\"b.jpg\",\"caption\":\"\"}]}}",
                  "type": "post", "status": "published", "published_at": "2025-01-03T00:00:00.000Z" },
                { "id": "p4", "title": "Draft", "slug": "draft", "html": "<p>Soon.</p>", "type": "post", "status": "draft" },
                { "id": "p5", "title": "Page", "slug": "page", "html": "<p>About.</p>", "type": "page", "status": "published" }
              ],
              "users": [ { "id": "u1", "name": "Ann Able", "bio": "Ann keeps the light." }, { "id": "u2", "name": "Bo Baker", "bio": null } ],
              "tags": [ { "id": "t1", "name": "#internal" }, { "id": "t2", "name": "Harbours" } ],
              "posts_authors": [ { "post_id": "p1", "author_id": "u2", "sort_order": 1 }, { "post_id": "p1", "author_id": "u1", "sort_order": 0 } ],
              "posts_tags": [ { "post_id": "p1", "tag_id": "t1", "sort_order": 0 }, { "post_id": "p1", "tag_id": "t2", "sort_order": 1 } ]
            }
            """;
        var json = wrapped ? $$"""{ "db": [ { "meta": { "version": "5.0.0" }, "data": {{data}} } ] }""" : $$"""{ "meta": { "version": "5.0.0" }, "data": {{data}} }""";
        var result = await Read("ghost.json", json);

        Assert.Null(result.Error);
        Assert.Equal(["from-html", "from-lexical"], result.Articles.Select(a => a.Id));
        Assert.Equal(["Ann Able", "Bo Baker"], result.Articles[0].Authors);
        Assert.Equal("Harbours", result.Articles[0].Section);
        Assert.Equal("Lexical words.", result.Articles[1].Text);
        Assert.Equal("Ann keeps the light.", Assert.Single(result.Authors).Bio);
        Assert.Contains(result.Warnings, w => w.Contains("'Only an image' has no text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChorusEntriesReadTheirComponentsAndOneUidIsOneArticle()
    {
        const string entry = """
            {
              "uid": "Entry:42", "title": "Storm warning", "createdAt": "2019-09-27T00:40:19.000Z", "url": "https://vox.example/storm",
              "author": { "fullOrUserName": "ann.account" }, "authorProfile": { "name": "Ann Able" }, "contributors": [ { "fullOrUserName": "Bo Baker" } ],
              "communityGroups": [ { "name": "Weather" } ],
              "body": { "components": [
                { "__typename": "EntryBodyParagraph", "contents": { "html": "The wind <em>rose</em>." } },
                { "__typename": "EntryBodyPullquote", "quote": { "html": "The wind rose." } },
                { "__typename": "EntryBodyList", "items": [ { "line": { "html": "Close shutters" } } ] },
                { "__typename": "EntryBodyRelatedList", "items": [ { "title": "Another story", "url": "https://vox.example/other" } ] }
              ] }
            }
            """;
        var result = await Read("entries.jsonl", entry.ReplaceLineEndings(" ") + "\n" + entry.ReplaceLineEndings(" ") + "\n");

        var article = Assert.Single(result.Articles);
        Assert.Equal("entry-42", article.Id);
        Assert.Equal("The wind rose.\n\nClose shutters", article.Text);
        Assert.Equal(["Ann Able", "ann.account", "Bo Baker"], article.Authors);
        Assert.Equal("Weather", article.Section);
    }

    [Fact]
    public async Task ArchiveSchemaJsonStillReadsAsBefore()
    {
        var result = await Read("articles.jsonl", """
            {"id":"a1","title":"Alpha","authors":["Ann Able"],"publication":"The Courier","published":"1901-02","date_precision":"month","section":"Essays","url":"https://x.example/a1","body":"One.\n\nTwo."}
            {"name":"Ann Able","bio":"Essayist."}
            """);

        var article = Assert.Single(result.Articles);
        Assert.Equal(("a1", "The Courier", Clippings.Archive.DatePrecision.Month, "One.\n\nTwo."), (article.Id, article.Publication, article.DatePrecision, article.Text));
        Assert.Equal("Essayist.", Assert.Single(result.Authors).Bio);
    }

    [Fact]
    public async Task SubstackCsvJoinsItsFragmentsAndTheFragmentsAreNotArticles()
    {
        Write("substack/posts.csv", """
            post_id,post_date,is_published,email_sent_at,type,audience,title,subtitle,podcast_url
            1001.harbour-notes,2021-03-04T10:00:00.000Z,TRUE,,newsletter,everyone,"Harbour notes, spring",Sub,
            1002.chat,2021-03-05T10:00:00.000Z,TRUE,,thread,everyone,Chat,,
            1003.unsent,2021-03-06T10:00:00.000Z,FALSE,,newsletter,everyone,Unsent,,
            1004.about,2021-03-07T10:00:00.000Z,TRUE,,page,everyone,About,,
            """);
        Write("substack/posts/1001.harbour-notes.html", """<p>The boats came in.</p><p class="button-wrapper"><a class="button primary" href="/subscribe"><span>Subscribe now</span></a></p><p>Then the gulls.</p>""");
        Write("substack/posts/1002.chat.html", "<p>Talk here.</p>");
        Write("substack/posts/1003.unsent.html", "<p>Draft.</p>");
        Write("substack/posts/1004.about.html", "<p>About.</p>");

        var files = ArchiveLoader.EnumerateFiles([Path.Combine(_folder, "substack")]);
        var results = new List<ArchiveFileResult>();
        foreach (var file in files)
        {
            results.Add(await _loader.ReadFileAsync(file, CancellationToken.None));
        }

        var article = Assert.Single(results.SelectMany(r => r.Articles));
        Assert.Equal("Harbour notes, spring", article.Title);
        Assert.Equal("The boats came in.\n\nThen the gulls.", article.Text);
        Assert.Equal(new DateOnly(2021, 3, 4), article.Published);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(4, results.Count(r => r.Skipped?.Contains("posts.csv", StringComparison.Ordinal) == true));
        Assert.Contains("1002.chat (a thread), 1003.unsent (not published), 1004.about (a page)", results.Single(r => r.Path.EndsWith(".csv", StringComparison.Ordinal)).Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MediumPostsReadAndDraftsResponsesAndTheProfileAreSkipped()
    {
        var post = await Read("posts/2018-08-11_Harbour-Notes-abc123.html", Medium("Harbour Notes", ["The boats came in.", "Then the gulls."], footer: true));
        var undated = await Read("posts/2018-08-12_Undated-abc124.html", Medium("Undated", ["One.", "Two."], footer: true, date: false));
        var draft = await Read("posts/draft_Harbour-Notes-abc125.html", Medium("Harbour Notes", ["The boats came in.", "Then the gulls."], footer: true));
        var unsigned = await Read("posts/2018-08-13_Unsigned-abc126.html", Medium("Unsigned", ["One.", "Two."], footer: false));
        var response = await Read("posts/2018-08-14_Nice-piece-abc127.html", Medium("Nice piece", ["Nice piece, thanks."], footer: true));
        // Real exports carry a long style sheet first: the export's file name still tells the reader.
        var styled = await Read("posts/2018-08-15_Styled-0123456789ab.html", Medium("Styled", ["One.", "Two."], footer: true)
            .Replace("</title>", "</title><style>" + new string(' ', 6000) + "</style>", StringComparison.Ordinal));
        var profile = await Read("profile/profile.html", """<html><body><section class="h-card"><h3 class="p-name">Ann</h3><ul><li><b>Medium user ID:</b> abc</li></ul></section></body></html>""");

        var article = Assert.Single(post.Articles);
        Assert.Equal("medium", post.Format);
        Assert.Equal(("Harbour Notes", "The boats came in.\n\nThen the gulls.", "https://medium.com/@ann/harbour-notes-abc123"), (article.Title, article.Text, article.Url));
        Assert.Equal(["Ann Able"], article.Authors);
        Assert.Equal(new DateOnly(2018, 8, 11), article.Published);
        Assert.Null(Assert.Single(undated.Articles).Published);
        Assert.Contains("no publication date", undated.Warnings);
        Assert.Contains("draft", draft.Skipped, StringComparison.Ordinal);
        Assert.Contains("draft", unsigned.Skipped, StringComparison.Ordinal);
        Assert.Contains("response", response.Skipped, StringComparison.Ordinal);
        Assert.Contains("profile", profile.Skipped, StringComparison.Ordinal);
        Assert.Equal(("medium", "One.\n\nTwo."), (styled.Format, Assert.Single(styled.Articles).Text));
    }

    private static string Medium(string title, string[] paragraphs, bool footer, bool date = true) => $"""
        <!DOCTYPE html><html><head><title>{title}</title></head><body>
        <article class="h-entry"><header><h1 class="p-name">{title}</h1></header>
        <section data-field="body" class="e-content"><section class="section section--body"><div class="section-content"><div class="section-inner">
        <h3 class="graf graf--h3 graf--title">{title}</h3>
        {string.Concat(paragraphs.Select(p => $"<p class=\"graf graf--p\">{p}</p>"))}
        </div></div></section></section>
        <footer>{(footer ? $"""<p>By <a href="https://medium.com/@ann" class="p-author h-card">Ann Able</a>{(date ? """ on <a href="https://medium.com/p/abc"><time class="dt-published" datetime="2018-08-11T11:23:34.123Z">August 11, 2018</time></a>""" : "")}.</p><p><a href="https://medium.com/@ann/harbour-notes-abc123" class="p-canonical">Canonical link</a></p>""" : """<p><a href="https://medium.com/p/abc">View original.</a></p>""")}</footer>
        </article></body></html>
        """;

    private static string Wxr(string ns, string? version, string authors, params string[] items) => $"""
        <?xml version="1.0" encoding="UTF-8" ?>
        <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}">
        <channel>
        <title>Test site</title>
        <link>https://site.example</link>
        {(version is null ? "" : $"<wp:wxr_version>{version}</wp:wxr_version>")}
        {authors}
        {string.Join("\n", items)}
        </channel>
        </rss>
        """;

    private static string Item(string title, string slug, string type, string status, string content, string creator = "ed", string? category = null, string? tag = null, string password = "") => $"""
        <item>
        <title>{title}</title>
        <link>https://site.example/{slug}/</link>
        <dc:creator><![CDATA[{creator}]]></dc:creator>
        <content:encoded><![CDATA[{content}]]></content:encoded>
        <wp:post_id>{slug.Sum(c => c)}</wp:post_id>
        <wp:post_date><![CDATA[2020-05-01 10:00:00]]></wp:post_date>
        <wp:post_name><![CDATA[{slug}]]></wp:post_name>
        <wp:status><![CDATA[{status}]]></wp:status>
        <wp:post_type><![CDATA[{type}]]></wp:post_type>
        <wp:post_password><![CDATA[{password}]]></wp:post_password>
        {(category is null ? "" : $"""<category domain="category" nicename="c"><![CDATA[{category}]]></category>""")}
        {(tag is null ? "" : $"""<category domain="post_tag" nicename="t"><![CDATA[{tag}]]></category>""")}
        </item>
        """;

    private async Task<ArchiveFileResult> Read(string name, string content)
    {
        Write(name, content);
        return await _loader.ReadFileAsync(Path.Combine(_folder, name), CancellationToken.None);
    }

    private void Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
