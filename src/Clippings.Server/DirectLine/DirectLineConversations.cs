using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Clippings.Server.DirectLine;

/// <summary>
/// One Direct Line conversation: its activity feed (numbered by watermark, capped) and a lock that runs
/// its bot turns one at a time, so a follow-up is answered after the question before it.
/// </summary>
public sealed class DirectLineConversation
{
    private readonly object _gate = new();
    private readonly LinkedList<(long Sequence, string Id, JObject Activity)> _feed = new();
    private readonly int _maxActivities;
    private long _sequence;

    internal DirectLineConversation(string id, string? userId, int maxActivities, DateTimeOffset now)
    {
        Id = id;
        UserId = userId;
        _maxActivities = maxActivities;
        LastActive = now;
    }

    public string Id { get; }

    /// <summary>The user the conversation's token was issued for, or the first user who posted.</summary>
    public string? UserId { get; internal set; }

    public DateTimeOffset LastActive { get; internal set; }

    internal SemaphoreSlim TurnLock { get; } = new(1, 1);

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
    /// Activities after <paramref name="watermark"/> and the new watermark. Without a watermark (history, e.g. after a
    /// reload) typing activities are left out: a typing indicator or streaming update is news only while it is live.
    /// </summary>
    public (IReadOnlyList<JObject> Activities, long Watermark) ReadAfter(long? watermark)
    {
        lock (_gate)
        {
            var after = watermark ?? 0;
            var activities = _feed
                .Where(e => e.Sequence > after && (watermark is not null || (string?)e.Activity["type"] != ActivityTypes.Typing))
                .Select(e => (JObject)e.Activity.DeepClone())
                .ToList();
            return (activities, _sequence);
        }
    }

    private void Add(long sequence, Activity activity)
    {
        // A snapshot: the bot may keep and change its Activity object after sending it.
        _feed.AddLast((sequence, activity.Id!, JObject.FromObject(activity, DirectLineJson.Serializer)));
        while (_feed.Count > _maxActivities)
        {
            _feed.RemoveFirst();
        }
    }

    private bool RemoveById(string? activityId)
    {
        for (var node = _feed.First; node is not null; node = node.Next)
        {
            if (string.Equals(node.Value.Id, activityId, StringComparison.Ordinal))
            {
                _feed.Remove(node);
                return true;
            }
        }

        return false;
    }
}

/// <summary>All live Direct Line conversations, in memory, bounded in count and idle time.</summary>
public sealed class DirectLineConversations
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DirectLineConversation> _conversations = new(StringComparer.Ordinal);
    private readonly DirectLineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DirectLineConversations> _logger;
    private DateTimeOffset _lastSweep;

    public DirectLineConversations(IOptions<DirectLineOptions> options, TimeProvider time, ILogger<DirectLineConversations> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _lastSweep = time.GetUtcNow();
    }

    public int Count => _conversations.Count;

    /// <summary>Starts the conversation with this id, or returns it when it already exists (created = false).</summary>
    public DirectLineConversation GetOrStart(string id, string? userId, out bool created)
    {
        Sweep();
        var now = _time.GetUtcNow();
        var isNew = false;
        var conversation = _conversations.GetOrAdd(id, key =>
        {
            isNew = true;
            return new DirectLineConversation(key, userId, Math.Max(1, _options.MaxActivitiesPerConversation), now);
        });
        conversation.LastActive = now;
        created = isNew;
        if (created)
        {
            _logger.LogInformation("Direct Line conversation {ConversationId} started ({Conversations} live)", id, _conversations.Count);
            EvictBeyondLimit();
        }

        return conversation;
    }

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
            _conversations.TryRemove(id, out _);
            return null;
        }

        conversation.LastActive = now;
        return conversation;
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
                _conversations.TryRemove(id, out _);
            }
        }
    }

    private void EvictBeyondLimit()
    {
        var excess = _conversations.Count - Math.Max(1, _options.MaxConversations);
        if (excess <= 0)
        {
            return;
        }

        foreach (var stale in _conversations.Values.OrderBy(c => c.LastActive).Take(excess))
        {
            _conversations.TryRemove(stale.Id, out _);
            _logger.LogInformation("Direct Line conversation {ConversationId} forgotten: more than {MaxConversations} live", stale.Id, _options.MaxConversations);
        }
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
