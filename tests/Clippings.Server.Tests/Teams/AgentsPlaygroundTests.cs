using System.Text.RegularExpressions;
using Clippings.Answering;
using Clippings.Server.Bot;
using Clippings.Server.Tests.Browser;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Newtonsoft.Json.Linq;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Clippings.Server.Tests.Teams;

/// <summary>
/// The bot as Teams shows it, in Microsoft's local Teams client (the Agents Playground 0.2.28) driven through its page in
/// Chromium: the welcome's Markdown, a cited answer with citation pills and the quote, and feedback reaching the bot
/// with the id of the answer it rates. Everything on 127.0.0.1: the page's requests anywhere else (it asks a Microsoft
/// CDN for fonts and an animation script) are refused. Screenshots in the test output's screenshots/ folder.
/// </summary>
public sealed class AgentsPlaygroundTests : IClassFixture<AgentsPlaygroundHost>
{
    private const string Question = "How many oysters will the cooperative harvest each year?";
    private const string OysterArticleUrl = "https://harbourreview.example/table-talk/2025/10/table-talk-oyster-season";
    private const float Timeout = 60_000;

    private readonly AgentsPlaygroundHost _host;
    private readonly ITestOutputHelper _output;

    public AgentsPlaygroundTests(AgentsPlaygroundHost host, ITestOutputHelper output)
    {
        _host = host;
        _output = output;
    }

    [AgentsPlaygroundFact]
    public async Task TheWelcomeRendersTheAnswerHasCitationPillsWithTheQuoteAndFeedbackNamesTheAnswer()
    {
        foreach (var line in _host.SetupLog)
        {
            _output.WriteLine(line);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = WebsiteHost.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var refused = new List<string>();
        await page.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Host is "127.0.0.1" or "localhost")
            {
                await route.ContinueAsync();
            }
            else
            {
                lock (refused)
                {
                    refused.Add(route.Request.Url);
                }

                await route.AbortAsync();
            }
        });
        try
        {
            await TalkToTheBotAsync(page);
        }
        finally
        {
            _output.WriteLine("requests refused (not loopback): " + string.Join(", ", refused.Distinct()));
            _output.WriteLine("playground output:\n" + _host.PlaygroundOutput);
        }
    }

    private async Task TalkToTheBotAsync(IPage page)
    {
        await page.GotoAsync(_host.PlaygroundUrl);

        // The welcome as Markdown (a list and bold commands, no literal asterisks), its examples as buttons after it.
        var welcome = page.Locator("p", new() { HasText = "Hello! I answer questions about the archive" });
        await Expect(welcome).ToBeVisibleAsync(new() { Timeout = Timeout });
        var examples = await _host.BotServices.GetRequiredService<ArchiveAssistant>().SampleQuestionsAsync(3, CancellationToken.None);
        foreach (var example in examples)
        {
            await Expect(page.Locator("li", new() { HasText = example })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = example, Exact = true })).ToBeVisibleAsync();
        }

        await Expect(page.Locator("strong", new() { HasText = "help" })).ToBeVisibleAsync();
        await Expect(page.GetByText("**help**")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "playground-welcome");

        await page.GetByRole(AriaRole.Textbox).Filter(new() { Has = page.Locator("p.editor-paragraph") }).ClickAsync();
        await page.Keyboard.TypeAsync(Question);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send Message" }).ClickAsync();

        // The answer as an AI-generated card: Markdown (the title in italics), numbered citation pills instead of "[1]".
        var answer = page.Locator("div.fai-OutputCard", new() { HasText = "10,000" });
        await Expect(answer).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Expect(answer.Locator("em").First).ToHaveTextAsync("The Oysters Come Back to Skerry");
        await Expect(answer.Locator("a.fai-Citation")).ToHaveTextAsync(["1", "2"]);
        await Expect(answer).Not.ToContainTextAsync("[1]");
        await Expect(page.GetByText("AI generated", new() { Exact = true })).ToBeVisibleAsync();
        // The follow-ups in their own message after it (the log panel, an editable text, echoes it: left out).
        await Expect(page.Locator(":not([contenteditable] *)", new() { HasTextRegex = new Regex("^You could also ask:$") }).Last).ToBeVisibleAsync();
        await ScreenshotAsync(page, "playground-answer");

        // Pill [1] shows the quote, linked to the article.
        await answer.Locator("a.fai-Citation", new() { HasText = "1" }).HoverAsync();
        var quote = page.Locator($"a[href='{OysterArticleUrl}']", new() { HasText = "2,300 oysters" });
        await Expect(quote).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await ScreenshotAsync(page, "playground-citation");
        await page.Mouse.MoveAsync(5, 880);

        // Thumbs up, the playground's feedback form, Submit: the bot stores it against the answer's id.
        await page.GetByRole(AriaRole.Button, new() { Name = "Like", Exact = true }).ClickAsync();
        var form = page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = "Submit feedback" });
        await Expect(form).ToBeVisibleAsync();
        await form.Locator("textarea").FillAsync("Quoted the right piece.");
        await ScreenshotAsync(page, "playground-feedback");
        await form.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Expect(form).ToBeHiddenAsync();
        Assert.True(
            await _host.BotLog.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Feedback", StringComparison.Ordinal), 10_000),
            "the bot logged no feedback");
        await ScreenshotAsync(page, "playground-feedback-sent");

        var (conversationId, answerId) = AnswerAsSent();
        _output.WriteLine($"answer {answerId} in conversation {conversationId}");
        var stored = await _host.BotServices.GetRequiredService<FeedbackStore>().FindAsync("msteams", conversationId, answerId, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(("like", "Quoted the right piece.", Question, answerId), (stored.Reaction, stored.Comment, stored.Question, stored.ReplyToId));
    }

    /// <summary>
    /// The cited answer as the bot sent it to the playground's connector: its conversation, and its id (the one the
    /// connector returned, or for a streamed answer, which the final send leaves without one, the stream's id).
    /// </summary>
    private (string ConversationId, string AnswerId) AnswerAsSent()
    {
        var call = _host.Connector.Last(c =>
            c.RequestBody.StartsWith('{') && (string?)JObject.Parse(c.RequestBody)["type"] == "message" && c.RequestBody.Contains("10,000", StringComparison.Ordinal));
        _output.WriteLine($"answer sent: {call.Method} {call.Url} → {call.Status} {call.ResponseBody}");
        var segments = call.Url.AbsolutePath.Split('/');
        var conversationId = Uri.UnescapeDataString(segments[Array.IndexOf(segments, "conversations") + 1]);
        var returned = call.ResponseBody.StartsWith('{') ? (string?)JObject.Parse(call.ResponseBody)["id"] : null;
        var streamId = (string?)((JArray?)JObject.Parse(call.RequestBody)["entities"])?.FirstOrDefault(e => (string?)e["type"] == "streaminfo")?["streamId"];
        var answerId = string.IsNullOrEmpty(returned) ? streamId : returned;
        Assert.False(string.IsNullOrEmpty(answerId), "the answer has neither an id from the connector nor a stream id");
        return (conversationId, answerId);
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(WebsiteHost.ScreenshotDirectory);
        var path = Path.Combine(WebsiteHost.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path });
        _output.WriteLine("screenshot: " + path);
    }
}
