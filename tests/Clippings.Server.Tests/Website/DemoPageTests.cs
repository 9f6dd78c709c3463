using Clippings.Archive;
using Clippings.Server.Website;

namespace Clippings.Server.Tests.Website;

public sealed class DemoPageTests
{
    [Fact]
    public void ArchiveTextIsEncodedNeverMarkup()
    {
        var article = new Article
        {
            Id = "x\"><script>alert(1)</script>",
            Title = "A <b>bold</b> title",
            Authors = ["Ann <i>Onymous</i>"],
            Section = "<Section>",
            Url = "https://example.org/a?b=1&c=\"2\"",
            Text = "First <script>alert('x')</script> paragraph.\n\nSecond with <img src=x onerror=alert(2)>.",
        };
        var more = new ArticleSummary("y<script>", "More <em>here</em>", ["B"], null, null, null, DatePrecision.Day, null);

        var html = DemoPage.Render("The <Harbour> Review", article, [more], "/embed.js");

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<em>here", html, StringComparison.Ordinal);
        Assert.Contains("First &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; paragraph.", html, StringComparison.Ordinal);
        Assert.Contains("data-article-url=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\"", html, StringComparison.Ordinal);
        // Exactly one script element: the embed snippet.
        Assert.Equal(1, html.Split("<script", StringSplitOptions.None).Length - 1);
    }

    [Fact]
    public void DatesFollowTheirPrecision()
    {
        Assert.Equal("4 October 2025", DemoPage.FormatDate(new DateOnly(2025, 10, 4), DatePrecision.Day));
        Assert.Equal("October 2025", DemoPage.FormatDate(new DateOnly(2025, 10, 1), DatePrecision.Month));
        Assert.Equal("2025", DemoPage.FormatDate(new DateOnly(2025, 1, 1), DatePrecision.Year));
    }
}
