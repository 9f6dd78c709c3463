using Clippings.Answering;
using Clippings.Conversations;
using Clippings.Server.Bot;
using Clippings.Server.Tests.TestSupport;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Adapters;
using Microsoft.Bot.Schema;

namespace Clippings.Server.Tests.Bot;

/// <summary>The persistent state store: conversation state written by one process is read by the next.</summary>
public sealed class SqliteStorageTests
{
    [Fact]
    public async Task ConversationStateSurvivesARestart()
    {
        var path = SampleArchiveIndex.TempPath("bot-state");
        var adapter = BotFixture.Adapter("msteams");
        var activity = adapter.MakeActivity("hello");
        activity.ChannelId = "msteams";
        var answer = new Answer { Text = "An answer [1]", Citations = [new Citation(1, "a-1", "Title", ["Author"], "Pub", "2020-01-02", "https://x.example/a-1", "Quote.", 0, 6)] };

        using (var storage = new SqliteStorage(path))
        {
            var state = new ConversationState(storage);
            var context = new TurnContext(adapter, activity);
            var data = await state.CreateProperty<BotConversationData>(nameof(BotConversationData)).GetAsync(context, () => new BotConversationData());
            data.Remember(new Conversation([], "a-1").With(new ConversationTurn("hello", answer)));
            data.RememberAnswer(new AnsweredMessage { ActivityId = "r-1", Question = "hello", CitedArticleIds = ["a-1"] });
            await state.SaveChangesAsync(context);
        }

        using (var restarted = new SqliteStorage(path))
        {
            var state = new ConversationState(restarted);
            var context = new TurnContext(adapter, activity);
            var data = await state.CreateProperty<BotConversationData>(nameof(BotConversationData)).GetAsync(context, () => new BotConversationData());
            var conversation = data.ToConversation();
            Assert.Equal("a-1", conversation.ScopedArticleId);
            var turn = Assert.Single(conversation.Turns);
            Assert.Equivalent(answer.Citations, turn.Answer.Citations, strict: true);
            Assert.Equal("r-1", Assert.Single(data.Answers).ActivityId);
        }
    }

    [Fact]
    public async Task ItemsAreReadBackAsTheirTypesAndDeleted()
    {
        using var storage = new SqliteStorage(SampleArchiveIndex.TempPath("bot-state"));
        var feedback = new AnswerFeedback { Channel = "msteams", ConversationId = "c", ReplyToId = "r", Reaction = "like", ReceivedAt = DateTimeOffset.UnixEpoch };
        await storage.WriteAsync(new Dictionary<string, object> { ["k"] = feedback });
        var read = Assert.IsType<AnswerFeedback>((await storage.ReadAsync(["k", "missing"]))["k"]);
        Assert.Equal(("like", "r"), (read.Reaction, read.ReplyToId));
        await storage.DeleteAsync(["k"]);
        Assert.Empty(await storage.ReadAsync(["k"]));
    }

    [Fact]
    public async Task AStaleETagIsAConflict()
    {
        using var storage = new SqliteStorage(SampleArchiveIndex.TempPath("bot-state"));
        await storage.WriteAsync(new Dictionary<string, object> { ["item"] = new StoreItem { ETag = "*" } });
        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteAsync(new Dictionary<string, object> { ["item"] = new StoreItem { ETag = "stale" } }));
    }

    private sealed class StoreItem : IStoreItem
    {
        public string? ETag { get; set; }
    }
}
