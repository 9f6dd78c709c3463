using Clippings.Answering;
using Clippings.Insights;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Clippings.Server.Tests.Browser;

/// <summary>
/// Editors' view in a real browser: a reader asks the archive something it does not hold, twice, typed differently,
/// in the demo page's Web Chat; the editor's <c>/insights</c> page then shows it as one refused question, with the
/// chart of questions and refusals per day. Screenshots go to the test output's screenshots/ folder.
/// </summary>
public sealed class InsightsBrowserTests : IClassFixture<WebsiteHost>
{
    private const float Timeout = 30_000;
    private readonly WebsiteHost _host;
    private readonly ITestOutputHelper _output;

    public InsightsBrowserTests(WebsiteHost host, ITestOutputHelper output)
    {
        _host = host;
        _output = output;
    }

    [ChromiumFact]
    public async Task AQuestionReadersAskedTwoWaysIsOneRefusedRowUnderTheChartOfTheWeek()
    {
        await SeedLastWeekAsync(_host.Services.GetRequiredService<QuestionLog>());
        await using var context = await _host.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "en-GB" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _output.WriteLine("console error: " + message.Text);
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add(error);

        // A reader, in the real Web Chat over the local Direct Line.
        await page.GotoAsync(_host.BaseUrl + "/?article=table-talk-oyster-season");
        await Assertions.Expect(page.Locator(".webchat__bubble:not(.webchat__bubble--from-user)").Last).ToContainTextAsync("Let’s discuss", new() { Timeout = Timeout });
        foreach (var question in new[] { "Which smartphone should I buy?", "which smartphone should i buy" })
        {
            var input = page.Locator("[data-id='webchat-sendbox-input']");
            await input.FillAsync(question);
            await input.PressAsync("Enter");
            await Assertions.Expect(page.Locator(".webchat__bubble:not(.webchat__bubble--from-user)").Filter(new() { HasText = "find anything in the archive" }))
                .ToHaveCountAsync(question.StartsWith('W') ? 1 : 2, new() { Timeout = Timeout });
        }

        problems.Clear();   // Web Chat's own noise is the reader tests' business; the insights page must have none.
        await page.GotoAsync(_host.BaseUrl + "/insights?since=" + DateTimeOffset.UtcNow.AddDays(-6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("What readers asked");

        var row = page.Locator("table.refused tbody tr").Filter(new() { HasText = "smartphone" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td.n")).ToHaveTextAsync("4");   // two seeded on earlier days, two typed just now
        await Assertions.Expect(row).ToContainTextAsync("directline");

        var chart = page.Locator("svg.chart");
        await Assertions.Expect(chart).ToBeVisibleAsync();
        Assert.Equal(7, await chart.Locator("g.day").CountAsync());
        var box = await chart.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Width > 800 && box.Height > 150, $"chart is {box.Width}x{box.Height}");
        // Today's bar: the two questions typed now, both refused, drawn at the same height.
        var today = chart.Locator("g.day").Last;
        await Assertions.Expect(today.Locator("title")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(": 2 questions, 2 refused$"));
        var total = await today.Locator("rect.total").BoundingBoxAsync();
        var refused = await today.Locator("rect.refused").BoundingBoxAsync();
        Assert.True(total is not null && refused is not null && total.Height > 10 && Math.Abs(total.Height - refused.Height) < 0.5);

        await Assertions.Expect(page.Locator("section").Filter(new() { HasText = "Answers rated down" })).ToContainTextAsync("It gave last year's price");
        var path = Path.Combine(WebsiteHost.ScreenshotDirectory, "insights.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        _output.WriteLine("screenshot: " + path);

        await page.SetViewportSizeAsync(390, 844);
        var phone = Path.Combine(WebsiteHost.ScreenshotDirectory, "insights-mobile.png");
        await page.ScreenshotAsync(new() { Path = phone });
        _output.WriteLine("screenshot: " + phone);
        Assert.Empty(problems);
    }

    /// <summary>A week of questions before today, as the bot and the API would have logged them.</summary>
    private static async Task SeedLastWeekAsync(QuestionLog log)
    {
        string[] channels = ["directline", "msteams", "api"];
        string[] ferry = ["Did we ever review the ferry company's accounts?", "did we ever review the ferry companys accounts", "Did we ever reveiw the ferry company's accounts?"];
        for (var day = 6; day >= 1; day--)
        {
            var at = DateTimeOffset.UtcNow.Date.AddDays(-day).AddHours(9);
            for (var i = 0; i < 2 + (day * 5 % 7); i++)
            {
                var isRefused = i % 3 == 2;
                await log.RecordAsync(new LoggedQuestion(new DateTimeOffset(at.AddMinutes(i * 7), TimeSpan.Zero), channels[(day + i) % 3],
                    isRefused ? ferry[day % 3] : "How many oysters will the cooperative harvest?",
                    isRefused, isRefused ? RefusalReason.NothingFound : RefusalReason.None, isRefused ? [] : ["table-talk-oyster-season"]));
            }
        }

        await log.RecordAsync(new LoggedQuestion(DateTimeOffset.UtcNow.Date.AddDays(-3).AddHours(14), "msteams", "Which smartphone should I buy?", true, RefusalReason.NothingFound, []));
        await log.RecordAsync(new LoggedQuestion(DateTimeOffset.UtcNow.Date.AddDays(-2).AddHours(11), "directline", "Which smart phone should I buy", true, RefusalReason.NothingFound, []));
        await log.RecordRatingAsync("msteams/seeded/answer", new LoggedRating(DateTimeOffset.UtcNow.AddDays(-1), "msteams", "dislike", "It gave last year's price", "What do the oysters cost?", ["table-talk-oyster-season"]));
    }
}
