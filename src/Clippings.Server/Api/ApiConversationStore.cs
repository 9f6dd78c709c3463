using Clippings.Conversations;
using Clippings.Server.Bot;
using Microsoft.Bot.Builder;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.Api;

/// <summary>
/// Conversations of <c>POST /api/ask</c> callers that send a conversation id, kept in the bot's <see cref="IStorage"/>
/// (so they persist when the state store does) and partitioned by API client: one client cannot read another's turns.
/// </summary>
public sealed class ApiConversationStore
{
    private readonly IStorage _storage;

    public ApiConversationStore(IStorage storage)
    {
        _storage = storage;
    }

    public async Task<Conversation> GetAsync(string client, string conversationId, CancellationToken cancellationToken)
    {
        var key = Key(client, conversationId);
        var items = await _storage.ReadAsync([key], cancellationToken);
        var data = items.TryGetValue(key, out var value)
            ? value as BotConversationData ?? (value as JObject)?.ToObject<BotConversationData>()
            : null;
        return data?.ToConversation() ?? Conversation.Empty;
    }

    public async Task SaveAsync(string client, string conversationId, Conversation conversation, CancellationToken cancellationToken)
    {
        var data = new BotConversationData();
        data.Remember(conversation);
        await _storage.WriteAsync(new Dictionary<string, object> { [Key(client, conversationId)] = data }, cancellationToken);
    }

    private static string Key(string client, string conversationId) =>
        $"api/{Uri.EscapeDataString(client)}/{Uri.EscapeDataString(conversationId.Trim())}";
}
