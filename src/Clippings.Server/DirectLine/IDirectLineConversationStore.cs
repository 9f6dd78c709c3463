using Microsoft.Bot.Schema;

namespace Clippings.Server.DirectLine;

/// <summary>
/// Where Direct Line conversations live: in this process (<see cref="DirectLineConversations"/>) or in Redis, shared by
/// every <c>serve</c> instance (<see cref="RedisDirectLineConversations"/>). Both apply the same budgets and idle rules.
/// </summary>
public interface IDirectLineConversationStore
{
    /// <summary>Starts the conversation with this id, or finds it when it exists; a refusal when the store is full of active conversations.</summary>
    Task<DirectLineStart> GetOrStartAsync(string id, string? userId, CancellationToken cancellationToken);

    /// <summary>The live conversation with this id (marking it active), or null when unknown or expired.</summary>
    Task<IDirectLineConversation?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Makes room for an activity of <paramref name="bytes"/> in the total budget; null when there is room, else the refusal.</summary>
    Task<DirectLineRefusal?> ReserveAsync(long bytes, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IDirectLineConversationStore.GetOrStartAsync"/>: the conversation, or why there is none.</summary>
public sealed record DirectLineStart(IDirectLineConversation? Conversation, bool Created, DirectLineRefusal? Refusal);

/// <summary>Activities after a watermark (a JSON array), how many, the new watermark, and whether the conversation has ended.</summary>
public sealed record DirectLineFeedPage(string ActivitiesJson, int Count, long Watermark, bool Ended)
{
    public static DirectLineFeedPage Gone { get; } = new("[]", 0, 0, Ended: true);
}

/// <summary>One Direct Line conversation's feed (numbered by watermark), its turn order and its open streams.</summary>
public interface IDirectLineConversation
{
    string Id { get; }

    /// <summary>The user the conversation's token was issued for, or the first user who posted.</summary>
    string? UserId { get; }

    /// <summary>Records <paramref name="userId"/> as the conversation's user when it has none yet.</summary>
    Task ClaimUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Adds an activity to the feed, giving it the next id ("conversation|0000042"), and returns that id.</summary>
    Task<string> AppendAsync(Activity activity, CancellationToken cancellationToken);

    /// <summary>Replaces an activity: the new version goes to the end of the feed under the same id.</summary>
    Task<bool> ReplaceAsync(Activity activity, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string activityId, CancellationToken cancellationToken);

    /// <summary>
    /// Activities after <paramref name="watermark"/>; reading with a watermark confirms the client has everything up
    /// to it (the budgets may then drop those). Without one (history) typing activities are left out.
    /// </summary>
    Task<DirectLineFeedPage> ReadAfterAsync(long? watermark, CancellationToken cancellationToken);

    /// <summary>
    /// Completes at the next change of the feed, or when the conversation ends. Taken before a read, so a change
    /// between the read and the wait still wakes the reader.
    /// </summary>
    Task Changed { get; }

    /// <summary>Counts an open WebSocket stream (on this instance); false when <paramref name="max"/> are already open.</summary>
    bool TryOpenStream(int max);

    void CloseStream();

    /// <summary>Waits until no other turn of this conversation runs (on any instance), so a follow-up is answered after the question before it.</summary>
    Task<IAsyncDisposable> EnterTurnAsync(CancellationToken cancellationToken);
}
