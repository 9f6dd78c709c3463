using Clippings.Server.Bot;
using Clippings.Server.State;
using Clippings.Testing;
using Microsoft.Bot.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clippings.Server.Tests.State;

/// <summary>
/// <see cref="RedisStorage"/> against a real redis-server, on the contract Bot Framework's own storages are tested on
/// (its StorageBaseTests: unknown keys, create, update with ETags, wildcard, delete, odd keys), plus what sharing adds:
/// two instances see one store, and a conflicting write changes nothing.
/// </summary>
public sealed class RedisStorageTests : IAsyncLifetime
{
    private RedisServerProcess? _redis;
    private RedisState? _state;

    public async Task InitializeAsync()
    {
        if (RedisServerProcess.Find() is not null)
        {
            _redis = await RedisServerProcess.StartAsync();
            _state = Connect(_redis);
        }
    }

    public async Task DisposeAsync()
    {
        _state?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private RedisStorage Storage(RedisState? state = null) => new(state ?? _state!, TimeSpan.FromDays(1));

    [RedisFact]
    public async Task AnUnknownKeyReadsAsNothing()
    {
        var read = await Storage().ReadAsync(["unknown"]);
        Assert.Empty(read);
    }

    [RedisFact]
    public async Task ItemsAreReadBackAsTheirTypesAndStoreItemsGetAnETag()
    {
        var storage = Storage();
        await storage.WriteAsync(new Dictionary<string, object>
        {
            ["poco"] = new PocoItem { Id = "1", Count = 5 },
            ["storeItem"] = new PocoStoreItem { Id = "2", Count = 7 },
        });

        var read = await storage.ReadAsync(["poco", "storeItem"]);
        Assert.Equal(5, Assert.IsType<PocoItem>(read["poco"]).Count);
        var item = Assert.IsType<PocoStoreItem>(read["storeItem"]);
        Assert.Equal(("2", 7), (item.Id, item.Count));
        Assert.False(string.IsNullOrEmpty(item.ETag));
        Assert.NotEqual("*", item.ETag);
    }

    [RedisFact]
    public async Task ETagsGuardUpdatesLikeBotFrameworkStorages()
    {
        var storage = Storage();
        await storage.WriteAsync(new Dictionary<string, object> { ["poco"] = new PocoItem { Id = "1", Count = 1 }, ["item"] = new PocoStoreItem { Id = "1", Count = 1 } });
        var loaded = await storage.ReadAsync(["poco", "item"]);
        var poco = (PocoItem)loaded["poco"];
        var item = (PocoStoreItem)loaded["item"];

        // The second write works: the item carries the ETag it was read with; a plain object has none to check.
        poco.Count++;
        item.Count++;
        await storage.WriteAsync(loaded);

        // Writing again with the ETag read before that write is a conflict, and writes nothing.
        item.Count = 123;
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => storage.WriteAsync(new Dictionary<string, object> { ["item"] = item }));
        var reloaded = await storage.ReadAsync(["poco", "item"]);
        Assert.Equal(2, ((PocoItem)reloaded["poco"]).Count);
        Assert.Equal(2, ((PocoStoreItem)reloaded["item"]).Count);

        // A plain object may always be written over.
        poco.Count = 123;
        await storage.WriteAsync(new Dictionary<string, object> { ["poco"] = poco });
        Assert.Equal(123, ((PocoItem)(await storage.ReadAsync(["poco"]))["poco"]).Count);

        // The wildcard ETag writes whatever is stored.
        var wildcard = (PocoStoreItem)reloaded["item"];
        wildcard.Count = 100;
        wildcard.ETag = "*";
        await storage.WriteAsync(new Dictionary<string, object> { ["item"] = wildcard });
        Assert.Equal(100, ((PocoStoreItem)(await storage.ReadAsync(["item"]))["item"]).Count);

        // An empty ETag on an item that exists is a conflict, as in MemoryStorage.
        var empty = (PocoStoreItem)(await storage.ReadAsync(["item"]))["item"];
        empty.ETag = "";
        empty.Count = 5;
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => storage.WriteAsync(new Dictionary<string, object> { ["item"] = empty }));
        Assert.Equal(100, ((PocoStoreItem)(await storage.ReadAsync(["item"]))["item"]).Count);
    }

    [RedisFact]
    public async Task AConflictInABatchWritesNoneOfIt()
    {
        var storage = Storage();
        await storage.WriteAsync(new Dictionary<string, object> { ["a"] = new PocoStoreItem { Id = "a", Count = 1 } });
        var stale = (PocoStoreItem)(await storage.ReadAsync(["a"]))["a"];
        await storage.WriteAsync(new Dictionary<string, object> { ["a"] = new PocoStoreItem { Id = "a", Count = 2, ETag = "*" } });

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => storage.WriteAsync(new Dictionary<string, object>
        {
            ["b"] = new PocoItem { Id = "b", Count = 1 },
            ["a"] = stale,
        }));
        var read = await storage.ReadAsync(["a", "b"]);
        Assert.Equal(2, ((PocoStoreItem)read["a"]).Count);
        Assert.False(read.ContainsKey("b"));
    }

    [RedisFact]
    public async Task DeletedItemsAreGoneAndDeletingAnUnknownKeyIsFine()
    {
        var storage = Storage();
        await storage.WriteAsync(new Dictionary<string, object> { ["delete1"] = new PocoStoreItem { Id = "1", Count = 1 } });
        await storage.DeleteAsync(["delete1"]);
        Assert.Empty(await storage.ReadAsync(["delete1"]));
        await storage.DeleteAsync(["unknown_key"]);
    }

    [RedisFact]
    public async Task OddKeysWork()
    {
        const string key = "!@#$%^&*()~/\\><,.?';\"`~ ünïcode";
        var storage = Storage();
        await storage.WriteAsync(new Dictionary<string, object> { [key] = new PocoStoreItem { Id = "1" } });
        Assert.Equal("1", ((PocoStoreItem)(await storage.ReadAsync([key]))[key]).Id);
    }

    [RedisFact]
    public async Task ConversationStateWrittenOnOneInstanceIsReadOnAnother()
    {
        using var other = Connect(_redis!);
        var adapter = new Microsoft.Bot.Builder.Adapters.TestAdapter();
        var activity = adapter.MakeActivity("hello");
        activity.ChannelId = "msteams";
        var first = new ConversationState(Storage());
        var context = new TurnContext(adapter, activity);
        var data = await first.CreateProperty<BotConversationData>(nameof(BotConversationData)).GetAsync(context, () => new BotConversationData());
        data.RememberAnswer(new AnsweredMessage { ActivityId = "r-1", Question = "hello", CitedArticleIds = ["a-1"] });
        await first.SaveChangesAsync(context);

        var second = new ConversationState(Storage(other));
        var read = await second.CreateProperty<BotConversationData>(nameof(BotConversationData)).GetAsync(new TurnContext(adapter, activity), () => new BotConversationData());
        Assert.Equal("r-1", Assert.Single(read.Answers).ActivityId);
    }

    [RedisFact]
    public async Task FeedbackIsStoredOnceCentrallyAndDoesNotExpire()
    {
        using var other = Connect(_redis!);
        var feedback = new AnswerFeedback { Channel = "msteams", ConversationId = "c", ReplyToId = "r", Reaction = "like", ReceivedAt = DateTimeOffset.UnixEpoch };
        await new FeedbackStore(Storage(), NullLogger<FeedbackStore>.Instance).SaveAsync(feedback, CancellationToken.None);
        var found = await new FeedbackStore(Storage(other), NullLogger<FeedbackStore>.Instance).FindAsync("msteams", "c", "r", CancellationToken.None);
        Assert.Equal("like", found?.Reaction);

        var ttl = await _redis!.CommandAsync("PTTL \"clippings:state:" + FeedbackStore.KeyFor("msteams", "c", "r") + "\"");
        Assert.Equal(":-1", ttl.Trim());
    }

    [RedisFact]
    public async Task AnUnreachableRedisIsAClearTemporaryError()
    {
        await _redis!.StopAsync();
        var error = await Assert.ThrowsAsync<StateUnavailableException>(() => Storage().ReadAsync(["anything"]));
        Assert.Contains("Try again shortly", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    internal static RedisState Connect(RedisServerProcess redis) =>
        new(Options.Create(new StateOptions { Provider = "redis", Redis = redis.ConnectionString }), NullLogger<RedisState>.Instance);

    public sealed class PocoItem
    {
        public string? Id { get; set; }
        public int Count { get; set; }
    }

    public sealed class PocoStoreItem : IStoreItem
    {
        public string? Id { get; set; }
        public int Count { get; set; }
        public string? ETag { get; set; }
    }
}
