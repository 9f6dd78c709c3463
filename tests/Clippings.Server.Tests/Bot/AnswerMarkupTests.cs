using Clippings.Answering;
using Clippings.Server.Bot;
using Microsoft.Bot.Connector;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Bot;

/// <summary>Archive text reaches Web Chat as Markdown, which renders raw HTML: markup in a quote must arrive escaped.</summary>
public sealed class AnswerMarkupTests
{
    [Fact]
    public void MarkupInQuotesIsEscapedInTextAndPopUps()
    {
        const string quote = "A tag <img src=x onerror=alert(1)> & a <script>alert(2)</script>.";
        var answer = new Answer
        {
            Text = $"In *The Portal*: “{quote}” [1]",
            Note = "A <b>note</b>.",
            Citations = [new Citation(1, "portal", "The Portal", ["Nadia Petrakis"], "The Harbour Review", "2023-03-02", "https://harbourreview.example/p", quote, 0, quote.Length)],
        };

        var activity = AnswerActivityFactory.Create(answer, Channels.Directline, suggestedActions: 0);

        Assert.DoesNotContain("<img", activity.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", activity.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", activity.Text, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; &amp; a &lt;script&gt;", activity.Text, StringComparison.Ordinal);
        Assert.Contains("In *The Portal*", activity.Text, StringComparison.Ordinal);
        var claim = JObject.FromObject(activity.Entities.Single())["citation"]![0]!;
        Assert.DoesNotContain("<img", (string?)claim["appearance"]!["text"], StringComparison.Ordinal);
    }
}
