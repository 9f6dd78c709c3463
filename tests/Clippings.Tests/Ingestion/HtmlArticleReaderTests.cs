using Clippings.Archive;
using Clippings.Ingestion;
using Clippings.Ingestion.Readers;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Ingestion;

/// <summary>
/// The HTML reader on pages written the way real sites publish them (tests/…/Ingestion/Pages): JSON-LD graphs with
/// @id authors, comments and promo cards built from &lt;article&gt;, layout classes that contain "sidebar", pages with no
/// title, WordPress author boxes; and the byline and title rules on their own.
/// </summary>
public class HtmlArticleReaderTests
{
    private static ArchiveReadResult Read(string page) =>
        HtmlArticleReader.Parse(File.ReadAllText(Path.Combine(SharedCorpus.RepoRoot, "tests", "Clippings.Tests", "Ingestion", "Pages", page)), page);

    [Fact]
    public void AJsonLdGraphGivesHeadlineAuthorsDateAndSectionAndCommentsNeverWin()
    {
        var result = Read("graph-newsarticle.html");
        var article = Assert.Single(result.Articles);
        Assert.Equal("Harbour dredging plan splits the council", article.Title);
        Assert.Equal(["Mara Quist", "Olu Benson"], article.Authors);
        Assert.Equal(new DateOnly(2023, 3, 14), article.Published);
        Assert.Equal("Local", article.Section);
        Assert.Equal("The Tideline Courier", article.Publication);
        Assert.Equal("https://tideline.example/news/dredging", article.Url);
        Assert.StartsWith("The council voted five to four", article.Text, StringComparison.Ordinal);
        Assert.Contains("A revised plan is due in May.", article.Text, StringComparison.Ordinal);
        Assert.Contains("Boats wait for the tide at the north quay.", article.Text, StringComparison.Ordinal);
        foreach (var furniture in new[] { "harbourwatcher", "I saw them from the breakwater", "Share on Facebook", "Ferry timetable", "Most read", "All rights reserved", "Boats at the north quay at low tide" })
        {
            Assert.DoesNotContain(furniture, article.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void APageWithoutATitleFallsBackToItsHeadingWithAWarningAndPromosNeverWin()
    {
        var result = Read("no-title-promo-articles.html");
        var article = Assert.Single(result.Articles);
        Assert.Equal("Notes from the night ferry", article.Title);
        Assert.Contains(result.Warnings, w => w.Contains("first heading", StringComparison.Ordinal));
        Assert.StartsWith("The night ferry leaves at eleven", article.Text.Replace("Veröffentlicht von Anna Keller · 2. Mai 2021\n\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Subscribe for $1", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Island school saved", article.Text, StringComparison.Ordinal);
        Assert.Contains(result.Warnings, w => w.Contains("no publication date", StringComparison.Ordinal));
    }

    [Fact]
    public void AWordPressPostKeepsItsPullQuoteDropsRelatedPostsAndReadsTheAuthorBoxOnce()
    {
        var result = Read("wordpress-author-box.html");
        var article = Assert.Single(result.Articles);
        Assert.Equal("Why we still print a paper edition", article.Title);
        Assert.Equal(["Ruth Okafor"], article.Authors);
        Assert.Equal(new DateOnly(2022, 11, 5), article.Published);
        Assert.Equal("Gull Point Gazette", article.Publication);
        Assert.Equal("https://gullpoint.example/2022/11/05/why-we-still-print/", article.Url);
        Assert.Contains("who has died and who has been born", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Our new website", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("has edited the Gull Point Gazette", article.Text, StringComparison.Ordinal);
        var bio = Assert.Single(result.Authors);
        Assert.Equal("Ruth Okafor", bio.Name);
        Assert.StartsWith("Ruth Okafor has edited the Gull Point Gazette since 2009.", bio.Bio, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("By Jane Doe", "Jane Doe")]
    [InlineData("by JANE DOE and Rui Costa", "JANE DOE|Rui Costa")]
    [InlineData("Veröffentlicht von Anna Keller · 2. Mai 2021", "Anna Keller")]
    [InlineData("Par Sébastien Martin, publié le 3 mars 2020 à 10h", "Sébastien Martin")]
    [InlineData("Jane Doe | Staff Writer", "Jane Doe")]
    [InlineData("Jane Doe, Senior Correspondent", "Jane Doe")]
    [InlineData("Jane Doe @janedoe", "Jane Doe")]
    [InlineData("Jane Doe (jane@example.org)", "Jane Doe")]
    [InlineData("Jane Doe https://example.org/jane", "Jane Doe")]
    [InlineData("by Lucas Nolan 22 Dec 2016 651", "Lucas Nolan")]
    [InlineData("Updated April 29, 2019 at 3:33 pm", "")]
    [InlineData("Rob Ewaschuk Edited by Betsy Beyer", "Rob Ewaschuk")]
    [InlineData("Jong, Michiel de", "Michiel de Jong")]
    [InlineData("Ann Example, Ben Example und Cem Example", "Ann Example|Ben Example|Cem Example")]
    [InlineData("The Editorial Board", "The Editorial Board")]
    [InlineData("About Ruth Okafor", "Ruth Okafor")]
    public void PrintedBylinesBecomeNamesOnly(string byline, string expected) =>
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), Bylines.Names(byline));

    [Theory]
    [InlineData("https://news.example/people/jane-doe", "Jane Doe")]
    [InlineData("https://news.example/author/jane-q-public/", "Jane Q Public")]
    [InlineData("https://news.example/profile/12345", null)]
    public void AProfileUrlGivesANameFromItsSlugAsTheLastResort(string url, string? expected) =>
        Assert.Equal(expected, Bylines.NameFromProfileUrl(url));

    [Theory]
    [InlineData("<title>Tides and tempers | The Courier</title><meta property=\"og:site_name\" content=\"The Courier\">", "Tides and tempers")]
    [InlineData("<title>The Courier: Tides and tempers</title><meta property=\"og:site_name\" content=\"The Courier\">", "Tides and tempers")]
    [InlineData("<title>Tides and tempers — Opinion — The Courier</title><meta name=\"application-name\" content=\"The Courier\">", "Tides and tempers -- Opinion")]
    [InlineData("<title>Opinion » Tides and tempers</title>", "Tides and tempers")]
    [InlineData("<meta property=\"og:title\" content=\"Federalist No. 10: The Same Subject Continued\">", "Federalist No. 10: The Same Subject Continued")]
    public void TitlesLoseTheSiteNameAndAgreeWithTheHeading(string head, string expected)
    {
        var html = $"<html><head>{head}</head><body><h1>{(expected.Contains("--", StringComparison.Ordinal) ? "Something else entirely" : expected)}</h1><article><p>{string.Join(' ', Enumerable.Repeat("The harbour was quiet that night and the boats stayed in.", 12))}</p></article></body></html>";
        Assert.Equal(expected, HtmlArticleReader.Parse(html, "page.html").Articles.Single().Title);
    }

    [Fact]
    public void ALayoutClassNamingTheSidebarDoesNotDropTheBody()
    {
        var paragraphs = string.Join("", Enumerable.Range(1, 6).Select(i => $"<p>Paragraph {i} of the piece tells how the lighthouse keeper kept the lamp lit through the storm of that winter.</p>"));
        var html = $"<html><head><title>The keeper</title></head><body><div class=\"content-with-sidebar\"><article><h1>The keeper</h1><div class=\"post-content-with-sidebar\">{paragraphs}</div></article><aside class=\"sidebar\"><p>Popular: ten best beaches</p></aside></div></body></html>";
        var article = HtmlArticleReader.Parse(html, "keeper.html").Articles.Single();
        Assert.Contains("Paragraph 6 of the piece", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ten best beaches", article.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonLdAsAnArrayWithAnAuthorArrayAndAMicrodataFallbackForTheDate()
    {
        var html = """
            <html><head><script type="application/ld+json">[{"@type":"BreadcrumbList","name":"Home"},{"@type":"OpinionNewsArticle","headline":"Keep the ferry public","author":["Ines Roux",{"@type":"Person","name":"Tom Hale"}]}]</script></head>
            <body><article><h1>Keep the ferry public</h1><time itemprop="datePublished" datetime="2024-02-09">9 Feb</time>
            <p>The ferry is the island's road. Selling it would hand the only way to the mainland to whoever bids highest, and the island would pay for that choice for decades to come.</p>
            <p>There are better ways to fund the crossing, and the council has not tried any of them yet, from a fuel levy to a winter timetable that matches the real traffic.</p></article></body></html>
            """;
        var article = HtmlArticleReader.Parse(html, "ferry.html").Articles.Single();
        Assert.Equal("Keep the ferry public", article.Title);
        Assert.Equal(["Ines Roux", "Tom Hale"], article.Authors);
        Assert.Equal(new DateOnly(2024, 2, 9), article.Published);
    }
}
