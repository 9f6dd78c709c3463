using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;

namespace Clippings.Server.DirectLine;

/// <summary>
/// One Direct Line conversation: its activity feed (numbered by watermark, bounded in count and bytes) and a lock that
/// runs its bot turns one at a time, so a follow-up is answered after the question before it. Activities are kept as
/// their JSON text: what is counted against the budgets is what is held.
/// </summary>
public sealed class DirectLineConversation : IDirectLineConversation
{
    private readonly object _gate = new();
    private readonly LinkedList<FeedEntry> _feed = new();
    private readonly int _maxActivities;
    private readonly long _maxBytes;
    private readonly Action<long> _onBytesChanged;
    private long _sequence;
    private long _delivered;
    private long _bytes;
    private int _streams;
    private TaskCompletionSource _changed = NewSignal();

    internal DirectLineConversation(string id, string? userId, int maxActivities, long maxBytes, DateTimeOffset now, Action<long> onBytesChanged)
    {
        Id = id;
        UserId = userId;
        _maxActivities = maxActivities;
        _maxBytes = maxBytes;
        _onBytesChanged = onBytesChanged;
        LastActive = now;
    }

    public string Id { get; }

    /// <summary>The user the conversation's token was issued for, or the first user who posted.</summary>
    public string? UserId { get; internal set; }

    public DateTimeOffset LastActive { get; internal set; }

    /// <summary>Bytes of the activities this conversation holds.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal SemaphoreSlim TurnLock { get; } = new(1, 1);

    /// <summary>True once the conversation is forgotten (idle, evicted): its streams close.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// Completes at the next activity added to the feed, or when the conversation ends. A stream takes it before it
    /// reads, so an activity appended between its read and its wait still wakes it (no polling, no lost wake-up).
    /// </summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>Counts an open WebSocket stream; false when <paramref name="max"/> are already open.</summary>
    public bool TryOpenStream(int max)
    {
        while (true)
        {
            var open = Volatile.Read(ref _streams);
            if (open >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _streams, open + 1, open) == open)
            {
                return true;
            }
        }
    }

    public void CloseStream() => Interlocked.Decrement(ref _streams);

    public Task ClaimUserAsync(string userId, CancellationToken cancellationToken)
    {
        UserId ??= userId;
        return Task.CompletedTask;
    }

    public Task<string> AppendAsync(Activity activity, CancellationToken cancellationToken) => Task.FromResult(Append(activity));

    public Task<bool> ReplaceAsync(Activity activity, CancellationToken cancellationToken) => Task.FromResult(Replace(activity));

    public Task<bool> RemoveAsync(string activityId, CancellationToken cancellationToken) => Task.FromResult(Remove(activityId));

    public Task<DirectLineFeedPage> ReadAfterAsync(long? watermark, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Ended)
            {
                return Task.FromResult(DirectLineFeedPage.Gone);
            }

            var (json, count, mark) = ReadAfter(watermark);
            return Task.FromResult(new DirectLineFeedPage(json, count, mark, Ended: false));
        }
    }

    public async Task<IAsyncDisposable> EnterTurnAsync(CancellationToken cancellationToken)
    {
        await TurnLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new TurnRelease(TurnLock);
    }

    private sealed class TurnRelease(SemaphoreSlim turnLock) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turnLock.Release();
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Adds an activity to the feed, giving it the next id ("conversation|0000042"), and returns that id.</summary>
    public string Append(Activity activity)
    {
        lock (_gate)
        {
            var sequence = ++_sequence;
            activity.Id ??= Id + "|" + sequence.ToString("D7", CultureInfo.InvariantCulture);
            Add(sequence, activity);
            return activity.Id;
        }
    }

    /// <summary>
    /// Replaces an activity (the bot's UpdateActivity): the new version goes to the end of the feed under the same id,
    /// so clients that already read the old one receive it again and replace it.
    /// </summary>
    public bool Replace(Activity activity)
    {
        lock (_gate)
        {
            if (!RemoveById(activity.Id))
            {
                return false;
            }

            Add(++_sequence, activity);
            return true;
        }
    }

    public bool Remove(string activityId)
    {
        lock (_gate)
        {
            return RemoveById(activityId);
        }
    }

    /// <summary>
    /// Activities after <paramref name="watermark"/> (as a JSON array) and the new watermark. Reading with a watermark
    /// confirms the client has everything up to it, which lets those activities go when a budget is tight. Without a
    /// watermark (history, e.g. after a reload) typing activities are left out: they are news only while live.
    /// </summary>
    public (string ActivitiesJson, int Count, long Watermark) ReadAfter(long? watermark)
    {
        lock (_gate)
        {
            var after = watermark ?? 0;
            if (watermark is { } confirmed && confirmed <= _sequence)
            {
                _delivered = Math.Max(_delivered, confirmed);
            }

            var json = new System.Text.StringBuilder("[");
            var count = 0;
            foreach (var entry in _feed)
            {
                if (entry.Sequence > after && (watermark is not null || !entry.IsTyping))
                {
                    json.Append(count++ == 0 ? "" : ",").Append(entry.Json);
                }
            }

            return (json.Append(']').ToString(), count, _sequence);
        }
    }

    /// <summary>Drops activities the client has read, oldest first, until <paramref name="wanted"/> bytes are freed; returns the bytes freed.</summary>
    internal long TrimDelivered(long wanted)
    {
        lock (_gate)
        {
            long freed = 0;
            while (freed < wanted && _feed.First is { } first && first.Value.Sequence <= _delivered)
            {
                freed += first.Value.Bytes;
                RemoveNode(first);
            }

            return freed;
        }
    }

    /// <summary>Releases the conversation's bytes from the total when it is forgotten.</summary>
    internal void Forget()
    {
        lock (_gate)
        {
            _feed.Clear();
            _onBytesChanged(-Interlocked.Exchange(ref _bytes, 0));
            Ended = true;
            Signal();
        }
    }

    private void Add(long sequence, Activity activity)
    {
        // A snapshot: the bot may keep and change its Activity object after sending it.
        var json = JsonConvert.SerializeObject(activity, DirectLineJson.Settings);
        var entry = new FeedEntry(sequence, activity.Id!, activity.Type == ActivityTypes.Typing, json);
        _feed.AddLast(entry);
        Interlocked.Add(ref _bytes, entry.Bytes);
        _onBytesChanged(entry.Bytes);
        while (_feed.Count > _maxActivities || (_bytes > _maxBytes && _feed.Count > 1))
        {
            // The feed is in watermark order, so its head is the oldest: read ones go before unread ones, and when the
            // client has read nothing (it never polls), the oldest goes all the same.
            RemoveNode(_feed.First!);
        }

        Signal();
    }

    /// <summary>Wakes the streams waiting on <see cref="Changed"/> (called under the gate).</summary>
    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    // Continuations run on the pool, not inside Append's lock.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool RemoveById(string? activityId)
    {
        for (var node = _feed.First; node is not null; node = node.Next)
        {
            if (string.Equals(node.Value.Id, activityId, StringComparison.Ordinal))
            {
                RemoveNode(node);
                return true;
            }
        }

        return false;
    }

    private void RemoveNode(LinkedListNode<FeedEntry> node)
    {
        _feed.Remove(node);
        Interlocked.Add(ref _bytes, -node.Value.Bytes);
        _onBytesChanged(-node.Value.Bytes);
    }

    private sealed record FeedEntry(long Sequence, string Id, bool IsTyping, string Json)
    {
        /// <summary>What the entry holds in memory: its UTF-16 text plus a small allowance for the objects around it.</summary>
        public long Bytes { get; } = (Json.Length * sizeof(char)) + 96;
    }
}

/// <summary>Why a new conversation or activity was not accepted, and when to try again.</summary>
public sealed record DirectLineRefusal(string Reason, TimeSpan RetryAfter);

/// <summary>All live Direct Line conversations, in memory, bounded in count, bytes and idle time.</summary>
public sealed class DirectLineConversations : IDirectLineConversationStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DirectLineConversation> _conversations = new(StringComparer.Ordinal);
    private readonly DirectLineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DirectLineConversations> _logger;
    private readonly Lock _admission = new();
    private DateTimeOffset _lastSweep;
    private long _totalBytes;

    public DirectLineConversations(IOptions<DirectLineOptions> options, TimeProvider time, ILogger<DirectLineConversations> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _lastSweep = time.GetUtcNow();
    }

    public int Count => _conversations.Count;

    /// <summary>Bytes of activities held across all conversations.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>
    /// Starts the conversation with this id, or returns it when it already exists (created = false). Null with
    /// <paramref name="refusal"/> when the server is full of conversations active within <see cref="DirectLineOptions.EvictableAfter"/>.
    /// </summary>
    public DirectLineConversation? GetOrStart(string id, string? userId, out bool created, out DirectLineRefusal? refusal)
    {
        Sweep();
        var now = _time.GetUtcNow();
        created = false;
        refusal = null;
        if (_conversations.TryGetValue(id, out var existing))
        {
            existing.LastActive = now;
            return existing;
        }

        lock (_admission)
        {
            if (_conversations.TryGetValue(id, out existing))
            {
                existing.LastActive = now;
                return existing;
            }

            if (_conversations.Count >= _options.MaxConversations && !EvictOneIdle(now, out var retryAfter))
            {
                refusal = new DirectLineRefusal($"The chat is at capacity ({_options.MaxConversations} active conversations); try again shortly.", retryAfter);
                _logger.LogWarning("Direct Line conversation refused: all {MaxConversations} conversations were active in the last {EvictableAfter}", _options.MaxConversations, _options.EvictableAfter);
                return null;
            }

            var conversation = new DirectLineConversation(id, userId, _options.MaxActivitiesPerConversation, _options.MaxConversationBytes, now,
                delta => Interlocked.Add(ref _totalBytes, delta));
            _conversations[id] = conversation;
            created = true;
            _logger.LogInformation("Direct Line conversation {ConversationId} started ({Conversations} live)", id, _conversations.Count);
            return conversation;
        }
    }

    public Task<DirectLineStart> GetOrStartAsync(string id, string? userId, CancellationToken cancellationToken)
    {
        var conversation = GetOrStart(id, userId, out var created, out var refusal);
        return Task.FromResult(new DirectLineStart(conversation, created, refusal));
    }

    public Task<IDirectLineConversation?> FindAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IDirectLineConversation?>(Find(id));

    public Task<DirectLineRefusal?> ReserveAsync(long bytes, CancellationToken cancellationToken) => Task.FromResult(Reserve(bytes));

    /// <summary>The live conversation with this id (marking it active), or null when unknown or expired.</summary>
    public DirectLineConversation? Find(string id)
    {
        if (!_conversations.TryGetValue(id, out var conversation))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (now - conversation.LastActive > _options.ConversationIdleTimeout)
        {
            Forget(id);
            return null;
        }

        conversation.LastActive = now;
        return conversation;
    }

    /// <summary>
    /// Makes room for an activity of <paramref name="bytes"/> in the total budget: drops read activities of the least
    /// recently active conversations. Null when there is room, else the refusal (everything held is still unread).
    /// </summary>
    public DirectLineRefusal? Reserve(long bytes)
    {
        var excess = TotalBytes + bytes - _options.MaxTotalBytes;
        if (excess <= 0)
        {
            return null;
        }

        lock (_admission)
        {
            foreach (var conversation in _conversations.Values.OrderBy(c => c.LastActive))
            {
                excess -= conversation.TrimDelivered(excess);
                if (excess <= 0)
                {
                    return null;
                }
            }
        }

        _logger.LogWarning("Direct Line activity refused: {TotalBytes} bytes held, the budget is {MaxTotalBytes}", TotalBytes, _options.MaxTotalBytes);
        return new DirectLineRefusal("The chat is busy; try again shortly.", TimeSpan.FromSeconds(30));
    }

    private void Forget(string id)
    {
        if (_conversations.TryRemove(id, out var gone))
        {
            gone.Forget();
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        if (now - _lastSweep < SweepInterval)
        {
            return;
        }

        _lastSweep = now;
        foreach (var (id, conversation) in _conversations)
        {
            if (now - conversation.LastActive > _options.ConversationIdleTimeout)
            {
                Forget(id);
            }
        }
    }

    /// <summary>
    /// Forgets the least recently active conversation if it has been idle for <see cref="DirectLineOptions.EvictableAfter"/>
    /// (one pass, no sort); otherwise says when the oldest will be.
    /// </summary>
    private bool EvictOneIdle(DateTimeOffset now, out TimeSpan retryAfter)
    {
        DirectLineConversation? oldest = null;
        foreach (var conversation in _conversations.Values)
        {
            if (oldest is null || conversation.LastActive < oldest.LastActive)
            {
                oldest = conversation;
            }
        }

        retryAfter = TimeSpan.Zero;
        if (oldest is null)
        {
            return true;
        }

        var idle = now - oldest.LastActive;
        if (idle < _options.EvictableAfter)
        {
            retryAfter = _options.EvictableAfter - idle;
            return false;
        }

        Forget(oldest.Id);
        _logger.LogInformation("Direct Line conversation {ConversationId} forgotten: more than {MaxConversations} live, idle for {Idle}", oldest.Id, _options.MaxConversations, idle);
        return true;
    }
}

/// <summary>Activities travel as Bot Framework JSON (Newtonsoft, nulls left out), as Azure's Direct Line sends them.</summary>
internal static class DirectLineJson
{
    public static readonly JsonSerializerSettings Settings = new()
    {
        NullValueHandling = NullValueHandling.Ignore,
        MaxDepth = 64,
        DateParseHandling = DateParseHandling.DateTimeOffset,
    };

    public static readonly JsonSerializer Serializer = JsonSerializer.Create(Settings);
}
