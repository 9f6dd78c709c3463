using Clippings.Server.Bot;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Adapters;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Server.Tests.TestSupport;

/// <summary>The real core and bot services over the sample index (memory state), shared by the bot tests.</summary>
public sealed class BotFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        var configuration = SampleArchiveIndex.Configuration(await SampleArchiveIndex.PathAsync());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClippings(configuration);
        services.AddClippingsBot(configuration);
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    public IBot Bot => Services.GetRequiredService<IBot>();

    /// <summary>A test adapter on <paramref name="channelId"/> with a conversation of its own (state is keyed by conversation).</summary>
    public static TestAdapter Adapter(string channelId, string? conversationType = null)
    {
        var reference = TestAdapter.CreateConversation("conversation-" + Guid.NewGuid().ToString("N"));
        reference.ChannelId = channelId;
        reference.Conversation.ConversationType = conversationType;
        return new TestAdapter(reference);
    }
}

[CollectionDefinition(Name)]
public sealed class BotCollection : ICollectionFixture<BotFixture>
{
    public const string Name = "bot";
}
