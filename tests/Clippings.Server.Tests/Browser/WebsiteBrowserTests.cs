using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Clippings.Server.Tests.Browser;

/// <summary>
/// Readers' view in a real browser: the demo page's Web Chat (answer with a citation, the citation's pop-up, a follow-up),
/// the embed snippet on a plain page of another site, and archived markup that must stay text.
/// Screenshots go to the test output's screenshots/ folder.
/// </summary>
public sealed class WebsiteBrowserTests : IClassFixture<WebsiteHost>
{
    private const float Timeout = 30_000;
    private readonly WebsiteHost _host;
    private readonly ITestOutputHelper _output;

    public WebsiteBrowserTests(WebsiteHost host, ITestOutputHelper output)
    {
        _host = host;
        _output = output;
    }

    [ChromiumFact]
    public async Task DemoPageAnswersWithACitationThatOpensAndTakesAFollowUp()
    {
        var (context, page, problems) = await OpenAsync(1400, 1000);
        await using var _ = context;
        await page.GotoAsync(_host.BaseUrl + "/?article=table-talk-oyster-season");
        await Expect(page.Locator("h1.headline")).ToHaveTextAsync("The Oysters Come Back to Skerry");
        await WaitForBotTextAsync(page, "Let’s discuss");

        await AskAsync(page, "How many oysters will the cooperative harvest each year?");
        var answer = await WaitForBotTextAsync(page, "10,000");
        await Screenshot(page, "demo-answer");

        // The citation marker opens Web Chat's pop-up with the exact quote.
        var marker = answer.Locator("button.webchat__render-markdown__citation").First;
        await Expect(marker).ToHaveTextAsync("1");
        await marker.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = "10,000" });
        await Expect(dialog).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(dialog).ToContainTextAsync("10,000");
        await Screenshot(page, "demo-citation");
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync(new() { Timeout = Timeout });

        await AskAsync(page, "How much does each one cost?");
        await WaitForBotTextAsync(page, "3 pounds");
        await Screenshot(page, "demo-follow-up");

        // Phones: the chat goes under the article, at full width.
        await page.SetViewportSizeAsync(390, 844);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Screenshot(page, "demo-mobile-top");
        await page.Locator("#webchat").ScrollIntoViewIfNeededAsync();
        await Screenshot(page, "demo-mobile-chat");
        var chatBox = await page.Locator(".chat-card").BoundingBoxAsync();
        Assert.NotNull(chatBox);
        Assert.True(chatBox.Width > 340, $"chat is {chatBox.Width}px wide on a 390px screen");

        Assert.Empty(problems);
    }

    [ChromiumFact]
    public async Task EmbedSnippetOnAPlainPageOpensAChatScopedToItsArticle()
    {
        var (context, page, problems) = await OpenAsync(1280, 860);
        await using var _ = context;
        await page.GotoAsync(_host.PublisherPage("after-storm-imogen", "https://harbourreview.example/tidelines/2024/01/tidelines-storm-of-january", "After Storm Imogen"));
        var launcher = page.GetByRole(AriaRole.Button, new() { Name = "Discuss this article" });
        await Expect(launcher).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Screenshot(page, "embed-launcher");

        await launcher.ClickAsync();
        await WaitForBotTextAsync(page, "After Storm Imogen");
        await AskAsync(page, "How fast were the gusts measured on the breakwater?");
        var answer = await WaitForBotTextAsync(page, "94");
        await Screenshot(page, "embed-answer");
        Assert.Contains("Storm", await answer.InnerTextAsync(), StringComparison.Ordinal);

        // Narrow screens get the panel full-screen.
        await page.SetViewportSizeAsync(390, 780);
        await Screenshot(page, "embed-mobile");
        Assert.Empty(problems);
    }

    [ChromiumFact]
    public async Task MarkupInAnArchivedArticleStaysText()
    {
        var (context, page, problems) = await OpenAsync(1280, 900);
        await using var _ = context;
        await page.GotoAsync(_host.BaseUrl + "/?article=" + WebsiteHost.HostileArticleId);
        await Expect(page.Locator(".body")).ToContainTextAsync("<script>window.__clippingsPwned = 'script';</script>");
        await Expect(page.Locator(".body")).ToContainTextAsync("<img src=\"x\" onerror=");
        Assert.Equal(0, await page.Locator(".body script, .body img").CountAsync());

        await Screenshot(page, "hostile-article");
        Assert.Empty(problems);

        // The same article discussed through the embed snippet on a page with no Content-Security-Policy:
        // quotes holding markup must arrive in Web Chat as text.
        await page.GotoAsync(_host.PublisherPage("pasted-code", "https://harbourreview.example/council-watch/2023/03/pasted-code", "The Council's Website, Line by Line"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Discuss this article" }).ClickAsync();
        await WaitForBotTextAsync(page, "Let’s discuss");
        await AskAsync(page, "What was found in the ferry timetable?");
        var answer = await WaitForBotTextAsync(page, "timetable");
        await Expect(answer).ToContainTextAsync("<img src=");
        Assert.Equal(0, await answer.Locator("img[src='x'], script").CountAsync());
        await Screenshot(page, "hostile-embed");
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__clippingsPwned"));
        Assert.Empty(problems);
    }

    private async Task<(IBrowserContext Context, IPage Page, List<string> Problems)> OpenAsync(int width, int height)
    {
        var context = await _host.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, Locale = "en-GB" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _output.WriteLine("console error: " + message.Text);
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    problems.Add(message.Text);
                }
            }
            else if (message.Type == "warning" && message.Text.Contains("dl_", StringComparison.Ordinal))
            {
                // Web Chat warns when a page passes a reserved "dl_" user id itself instead of leaving it to the token.
                _output.WriteLine("console warning: " + message.Text);
                problems.Add(message.Text);
            }
        };
        page.PageError += (_, error) =>
        {
            _output.WriteLine("page error: " + error);
            problems.Add(error);
        };
        return (context, page, problems);
    }

    private static async Task AskAsync(IPage page, string question)
    {
        var input = page.Locator("[data-id='webchat-sendbox-input']");
        await input.FillAsync(question);
        await input.PressAsync("Enter");
        await Expect(page.Locator(".webchat__bubble--from-user").Filter(new() { HasText = question })).ToBeVisibleAsync(new() { Timeout = Timeout });
    }

    /// <summary>Waits until the newest bot message contains <paramref name="text"/>, and returns it.</summary>
    private static async Task<ILocator> WaitForBotTextAsync(IPage page, string text)
    {
        var message = page.Locator(".webchat__bubble:not(.webchat__bubble--from-user)").Last;
        await Expect(message).ToContainTextAsync(text, new() { Timeout = Timeout });
        return message;
    }

    private async Task Screenshot(IPage page, string name)
    {
        var path = Path.Combine(WebsiteHost.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        _output.WriteLine("screenshot: " + path);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
