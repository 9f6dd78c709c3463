using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Clippings.Insights;
using Clippings.Server.Bot;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Server.Tests.Insights;

/// <summary>
/// <c>GET /api/insights</c> and <c>/insights</c> through the real host: questions asked at <c>/api/ask</c> and a rating
/// come back in the documented shape, one refused group per question however it was typed; the editors' access rule;
/// bad dates; and the off switch.
/// </summary>
public sealed class InsightsApiTests : IAsyncLifetime
{
    private const string EelGrassId = "tidelines-eel-grass";
    private readonly string _logPath = SampleArchiveIndex.TempPath("insights");
    private ServerHost _host = null!;

    public async Task InitializeAsync() => _host = await ServerHost.StartAsync(new Dictionary<string, string?>
    {
        ["Clippings:Api:RateLimit:PermitsPerMinute"] = "0",
        ["Clippings:Insights:Path"] = _logPath,
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task InsightsHaveTheDocumentedShapeWithOneRefusedGroupPerQuestion()
    {
        foreach (var question in new[] { "What is the best smartphone to buy?", "what is the best smartphone to buy", "What is the best smartphone to by?", "How much eel grass did the divers find in Calder Sound?" })
        {
            using var asked = await _host.Client.PostAsJsonAsync("/api/ask", new { question });
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        }

        await _host.App.Services.GetRequiredService<FeedbackStore>().SaveAsync(new AnswerFeedback
        {
            Channel = "msteams", ConversationId = "a:conversation-of-a-reader", ReplyToId = "answer-1", Reaction = "dislike",
            Comment = "It missed the 2023 survey", Question = "How much eel grass did the divers find in Calder Sound?",
            CitedArticleIds = [EelGrassId], ReceivedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

        var body = await _host.Client.GetStringAsync("/api/insights");
        var report = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["since", "until", "questions", "refused", "downrated", "topics", "mostCited"], report.Select(p => p.Key));
        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(today, (string?)report["until"]);
        Assert.Equal(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture).AddDays(-29).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string?)report["since"]);

        var questions = report["questions"]!.AsObject();
        Assert.Equal(["total", "answered", "refused", "byChannel", "byDay", "refusalReasons"], questions.Select(p => p.Key));
        Assert.Equal((4, 1, 3), ((int)questions["total"]!, (int)questions["answered"]!, (int)questions["refused"]!));
        Assert.Equal(30, questions["byDay"]!.AsArray().Count);
        Assert.Equal("api", (string?)questions["byChannel"]![0]!["channel"]);
        var reason = Assert.Single(questions["refusalReasons"]!.AsArray())!;
        Assert.Equal(("nothing-found", 3), ((string?)reason["reason"], (int)reason["count"]!));

        var group = Assert.Single(report["refused"]!.AsArray())!.AsObject();
        Assert.Equal(["question", "count", "examples", "lastAsked", "channels"], group.Select(p => p.Key));
        Assert.Equal(3, (int)group["count"]!);
        Assert.Equal(3, group["examples"]!.AsArray().Count);
        Assert.Equal(["api"], group["channels"]!.AsArray().Select(c => (string?)c));
        Assert.StartsWith(today + "T", (string?)group["lastAsked"], StringComparison.Ordinal);

        var down = Assert.Single(report["downrated"]!.AsArray())!.AsObject();
        Assert.Equal(["question", "comment", "citations", "channel", "ratedAt"], down.Select(p => p.Key));
        Assert.Equal("It missed the 2023 survey", (string?)down["comment"]);
        Assert.Equal("What the Eel Grass Knows", (string?)down["citations"]![0]!["title"]);

        var cited = report["mostCited"]!.AsArray()[0]!.AsObject();
        Assert.Equal(["id", "title", "authors", "published", "url", "count"], cited.Select(p => p.Key));
        Assert.Equal((EelGrassId, 1), ((string?)cited["id"], (int)cited["count"]!));
        Assert.Contains(report["topics"]!.AsArray(), t => (string?)t!["topic"] == "smartphone" && (int)t["count"]! == 3 && (int)t["refused"]! == 3);

        // The page shows the same report, with the chart drawn inline.
        using var page = await _host.Client.GetAsync("/insights");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Contains("It missed the 2023 survey", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task APeriodAndAChannelNarrowTheReportAndABadDateIsA400SayingWhatToType()
    {
        using var asked = await _host.Client.PostAsJsonAsync("/api/ask", new { question = "What is the best smartphone to buy?" });
        var teams = JsonNode.Parse(await _host.Client.GetStringAsync("/api/insights?channel=msteams"))!;
        Assert.Equal(0, (int)teams["questions"]!["total"]!);
        var old = JsonNode.Parse(await _host.Client.GetStringAsync("/api/insights?since=2020-01-01&until=2020-01-31"))!;
        Assert.Equal(("2020-01-01", "2020-01-31", 0, 31), ((string?)old["since"], (string?)old["until"], (int)old["questions"]!["total"]!, old["questions"]!["byDay"]!.AsArray().Count));

        using var bad = await _host.Client.GetAsync("/api/insights?since=last-week");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Equal("since is 'last-week'; use a date as yyyy-mm-dd, e.g. 2026-11-01.", (string?)problem["detail"]);
        using var badPage = await _host.Client.GetAsync("/insights?since=2026-02-30");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("use a date as yyyy-mm-dd", await badPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheApiAndThePageFollowTheEditorsAccessRule()
    {
        foreach (var path in new[] { "/api/insights", "/insights" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(ServerHost.RemoteIpHeader, "203.0.113.9");
            using var response = await _host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        await using var keyed = await ServerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Clippings:Insights:Path"] = SampleArchiveIndex.TempPath("insights-keyed"),
            ["Clippings:Api:Keys:0:Name"] = "desk",
            ["Clippings:Api:Keys:0:Sha256"] = Clippings.Server.Api.ApiKeys.Hash("editor-secret"),
        });
        using (var withoutKey = await keyed.Client.GetAsync("/insights"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        }

        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/insights");
        withKey.Headers.Add(Clippings.Server.Api.ApiKeys.HeaderName, "editor-secret");
        using var allowed = await keyed.Client.SendAsync(withKey);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task SwitchedOffNoQuestionIsLoggedAndInsightsSayTheyAreOff()
    {
        var path = SampleArchiveIndex.TempPath("insights-off");
        await using var off = await ServerHost.StartAsync(new Dictionary<string, string?> { ["Clippings:Insights:Enabled"] = "false", ["Clippings:Insights:Path"] = path });
        using var asked = await off.Client.PostAsJsonAsync("/api/ask", new { question = "What is the best smartphone to buy?" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.False(File.Exists(path));

        using var api = await off.Client.GetAsync("/api/insights");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal(InsightsReporter.OffMessage, (string?)JsonNode.Parse(await api.Content.ReadAsStringAsync())!["detail"]);
        using var page = await off.Client.GetAsync("/insights");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    [Fact]
    public async Task AnOutOfRangeSettingStopsTheServerFromStarting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServerHost.StartAsync(new Dictionary<string, string?> { ["Clippings:Insights:RetentionDays"] = "-1" }));
        Assert.Equal("Clippings:Insights:RetentionDays is '-1'; allowed: 1 to 3650.", SettingErrors.Describe(error));
    }
}
