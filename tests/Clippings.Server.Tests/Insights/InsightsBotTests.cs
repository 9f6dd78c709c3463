using System.Text;
using Clippings.Insights;
using Clippings.Server.Bot;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Bot.Builder.Adapters;
using Microsoft.Bot.Connector;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Tests.Insights;

/// <summary>
/// The bot logs each question with its outcome and each rating for editors' insights, and none of the reader's
/// ids (user id and name, conversation id, message ids) reach the log file.
/// </summary>
public sealed class InsightsBotTests : IAsyncLifetime
{
    private const string ReaderId = "29:1reader-aad-object-7f3a9c";
    private const string ReaderName = "Imogen Fairweather";
    private const string ConversationId = "a:1secret-personal-conversation-0b61";
    private const string EelGrassQuestion = "How much eel grass did the divers find in Calder Sound?";

    private readonly string _logPath = SampleArchiveIndex.TempPath("bot-insights");
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var configuration = SampleArchiveIndex.Configuration(await SampleArchiveIndex.PathAsync(), new Dictionary<string, string?> { ["Clippings:Insights:Path"] = _logPath });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClippings(configuration);
        services.AddClippingsBot(configuration);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Fact]
    public async Task QuestionsAndRatingsAreLoggedWithoutAnyIdOfTheReader()
    {
        var reference = TestAdapter.CreateConversation(ConversationId, ReaderId, "clippings-bot");
        reference.ChannelId = Channels.Msteams;
        reference.User.Name = ReaderName;
        reference.Conversation.ConversationType = "personal";
        var adapter = new TestAdapter(reference);

        await SendAsync(adapter, adapter.MakeActivity("What is the best smartphone to buy?"));
        // In Teams the cited answer comes first and its suggested questions follow in their own message.
        var answer = (await SendAsync(adapter, adapter.MakeActivity(EelGrassQuestion))).First(r => r.Type == ActivityTypes.Message);
        var invoke = adapter.MakeActivity();
        invoke.Type = ActivityTypes.Invoke;
        invoke.Name = ClippingsBot.TeamsFeedbackInvokeName;
        invoke.ReplyToId = answer.Id;
        invoke.Value = JObject.Parse("""{"actionName":"feedback","actionValue":{"reaction":"dislike","feedback":"{\"feedbackText\":\"Which year?\"}"}}""");
        await SendAsync(adapter, invoke);

        var reporter = _services.GetRequiredService<InsightsReporter>();
        var report = await reporter.BuildAsync(reporter.Query(null), CancellationToken.None);
        Assert.Equal((2, 1), (report.Questions.Total, report.Questions.Refused));
        var refused = Assert.Single(report.Refused);
        Assert.Equal(("What is the best smartphone to buy?", 1), (refused.Question, refused.Count));
        Assert.Equal(["msteams"], refused.Channels);
        var down = Assert.Single(report.Downrated);
        Assert.Equal((EelGrassQuestion, "Which year?", "msteams"), (down.Question, down.Comment, down.Channel));
        Assert.Equal(["tidelines-eel-grass"], down.Citations.Select(c => c.Id));
        Assert.Equal("tidelines-eel-grass", report.MostCited[0].Id);

        // Every byte the log wrote, WAL included: none of the reader's ids.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(Path.GetDirectoryName(_logPath)!, Path.GetFileName(_logPath) + "*").SelectMany(File.ReadAllBytes).ToArray();
        Assert.NotEmpty(bytes);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("best smartphone", text, StringComparison.Ordinal);
        foreach (var id in new[] { ReaderId, ReaderName, ConversationId, answer.Id, "clippings-bot" })
        {
            Assert.DoesNotContain(id, text, StringComparison.Ordinal);
        }
    }

    private async Task<List<Activity>> SendAsync(TestAdapter adapter, Activity activity)
    {
        await adapter.ProcessActivityAsync(activity, _services.GetRequiredService<Microsoft.Bot.Builder.IBot>().OnTurnAsync, CancellationToken.None);
        var replies = new List<Activity>();
        while (adapter.GetNextReply() is { } reply)
        {
            replies.Add((Activity)reply);
        }

        return replies;
    }
}
