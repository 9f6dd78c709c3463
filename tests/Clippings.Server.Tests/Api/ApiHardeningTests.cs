using System.Net;
using System.Text;
using Clippings.Answering;
using Clippings.Archive;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Data.Sqlite;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Api;

/// <summary>Issue 10: safe Markdown in answers, dates at the edge of the calendar, 400s with a detail, health that tells the truth.</summary>
public sealed class ApiHardeningTests
{
    [Fact]
    public void ArchivedMarkupIsInertInTheAnswerTitlesArePlainTextAndQuotesStayExact()
    {
        const string quote = "He pasted <script>alert(1)</script> and <img src=x onerror=alert(2)> and [a link](javascript:alert(3)).";
        var answer = new Answer
        {
            Text = $"In *The <img src=x onerror=alert(4)> Ferry*: “{quote}” [1]",
            Citations = [new Citation(1, "a", "The <img src=x onerror=alert(4)> Ferry", ["A. Writer"], null, "2024-01-01", null, quote, 0, quote.Length)],
        };

        var document = AnswerDocument.From(answer);

        Assert.DoesNotContain("<", document.Answer, StringComparison.Ordinal);
        Assert.DoesNotContain("](javascript", document.Answer, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", document.Answer, StringComparison.Ordinal);
        Assert.EndsWith("[1]", document.Answer, StringComparison.Ordinal);
        Assert.Equal("The  Ferry", document.Citations[0].Title);
        Assert.Equal(quote, document.Citations[0].Quote);
    }

    [Theory]
    [InlineData("9999-12", HttpStatusCode.OK)]
    [InlineData("9999", HttpStatusCode.OK)]
    [InlineData("10000", HttpStatusCode.BadRequest)]
    [InlineData("0000-01", HttpStatusCode.BadRequest)]
    [InlineData("2024-02-30", HttpStatusCode.BadRequest)]
    public async Task DatesAtTheEdgeOfTheCalendarAreAnsweredOr400NeverA500(string to, HttpStatusCode expected)
    {
        await using var host = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Clippings:Api:RateLimit:PermitsPerMinute"] = "0" });
        using var response = await host.Client.PostAsync("/api/ask", new StringContent(
            new JObject { ["question"] = "ferry", ["filters"] = new JObject { ["to"] = to } }.ToString(), Encoding.UTF8, "application/json"));
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)JObject.Parse(await response.Content.ReadAsStringAsync())["detail"]));
        }
    }

    [Fact]
    public async Task UnboundParametersAre400WithADetailAndUnknownArticlePagesAreHtml()
    {
        await using var host = await ServerHost.StartAsync();
        using (var response = await host.Client.GetAsync("/api/search?q=ferry&limit=abc"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("limit", (string?)JObject.Parse(await response.Content.ReadAsStringAsync())["detail"], StringComparison.Ordinal);
        }

        using var page = await host.Client.GetAsync("/?article=no-such-article");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Article not found", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthNamesTheIndexFileWithoutItsPathAndReportsADamagedIndexUnhealthy()
    {
        await using (var host = await ServerHost.StartAsync())
        {
            var health = JObject.Parse(await host.Client.GetStringAsync("/health"));
            Assert.Equal("ok", (string?)health["status"]);
            Assert.DoesNotContain("/", (string?)health["index"], StringComparison.Ordinal);
        }

        var damaged = Path.Combine(Path.GetTempPath(), "clippings-damaged-" + Guid.NewGuid().ToString("N")[..8] + ".db");
        File.Copy(await SampleArchiveIndex.PathAsync(), damaged);
        try
        {
            Corrupt(damaged);
            await using var host = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Clippings:Index:Path"] = damaged });
            using var ask = await host.Client.PostAsync("/api/ask", new StringContent("{\"question\":\"Who writes the food column?\"}", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ask.StatusCode);
            Assert.Contains("is damaged", (string?)JObject.Parse(await ask.Content.ReadAsStringAsync())["detail"], StringComparison.Ordinal);

            using var response = await host.Client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var health = JObject.Parse(await response.Content.ReadAsStringAsync());
            Assert.NotEqual("ok", (string?)health["status"]);
            Assert.Contains("damaged", (string?)health["reason"], StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetTempPath(), (string?)health["reason"], StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(damaged);
        }
    }

    private static void Corrupt(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        var pages = file.Length / 4096;
        var noise = new byte[4096 * Math.Max(1, pages / 2)];
        new Random(10).NextBytes(noise);
        file.Position = 4096 * Math.Max(2, pages / 4);
        file.Write(noise);
    }
}
