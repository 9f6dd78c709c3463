using System.Collections.Concurrent;
using System.Globalization;
using Clippings.Server.State;
using Microsoft.Bot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using StackExchange.Redis;

namespace Clippings.Server.DirectLine;

/// <summary>
/// Direct Line conversations in Redis, shared by every <c>serve</c> instance: a conversation started on one continues
/// on any other. Each change is one Lua script (atomic: watermarks never skip or repeat, budgets hold across instances),
/// and a change is published so a stream open on another instance wakes and reads it. Keys expire a while after the
/// idle timeout as a backstop; the sweep forgets idle conversations and keeps the byte counters exact.
/// </summary>
/// <remarks>
/// Keys (under the prefix): <c>dl:c:ID</c> (user, last watermark, confirmed watermark, bytes), <c>dl:o:ID</c> (watermarks in
/// order), <c>dl:a:ID</c> (watermark → activity, activity id → watermark); <c>dl:active</c> (id → last active, ms),
/// <c>dl:sizes</c> (id → bytes), <c>dl:total</c> (bytes of all); channel <c>dl:changed</c> (a conversation id).
/// One Redis primary (the scripts name their keys at run time, which Redis Cluster does not allow).
/// </remarks>
public sealed class RedisDirectLineConversations : IDirectLineConversationStore, IDisposable
{
    /// <summary>Stands for the activity id in the JSON an append sends; the script puts the id it assigns there.</summary>
    internal const string IdPlaceholder = "@@clippings-activity-id@@";

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan TurnLockLifetime = TimeSpan.FromSeconds(15);

    private const string Common = """
        local P = ARGV[1]
        local function k(kind, id) return P .. 'dl:' .. kind .. ':' .. id end
        local function account(id, delta)
          redis.call('HINCRBY', k('c', id), 'b', delta)
          redis.call('HINCRBY', P .. 'dl:sizes', id, delta)
          redis.call('INCRBY', P .. 'dl:total', delta)
        end
        local function removeSeq(id, seq)
          local items = k('a', id)
          redis.call('ZREM', k('o', id), seq)
          local entry = redis.call('HGET', items, seq)
          if not entry then return 0 end
          redis.call('HDEL', items, seq)
          local nl = string.find(entry, '\n', 1, true)
          local aid = string.sub(entry, 3, nl - 1)
          if redis.call('HGET', items, 'i:' .. aid) == seq then redis.call('HDEL', items, 'i:' .. aid) end
          local bytes = #entry - nl + 96
          account(id, -bytes)
          return bytes
        end
        local function add(id, seq, aid, typing, json)
          redis.call('HSET', k('a', id), seq, typing .. '|' .. aid .. '\n' .. json, 'i:' .. aid, seq)
          redis.call('ZADD', k('o', id), seq, seq)
          account(id, #json + 96)
        end
        local function trim(id, maxCount, maxBytes)
          while true do
            local count = redis.call('ZCARD', k('o', id))
            local bytes = tonumber(redis.call('HGET', k('c', id), 'b') or '0')
            if not (count > maxCount or (bytes > maxBytes and count > 1)) then return end
            removeSeq(id, redis.call('ZRANGE', k('o', id), 0, 0)[1])
          end
        end
        local function expire(id, ttl)
          redis.call('PEXPIRE', k('c', id), ttl)
          redis.call('PEXPIRE', k('o', id), ttl)
          redis.call('PEXPIRE', k('a', id), ttl)
        end
        local function forget(id)
          local b = tonumber(redis.call('HGET', P .. 'dl:sizes', id) or '0')
          if b ~= 0 then redis.call('DECRBY', P .. 'dl:total', b) end
          redis.call('HDEL', P .. 'dl:sizes', id)
          redis.call('ZREM', P .. 'dl:active', id)
          redis.call('DEL', k('c', id), k('o', id), k('a', id))
          redis.call('PUBLISH', P .. 'dl:changed', id)
        end

        """;

    // ARGV: prefix, id, user, now, max conversations, evictable after (ms), key lifetime (ms).
    private const string StartScript = Common + """
        local id, user, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
        local meta = k('c', id)
        if redis.call('EXISTS', meta) == 1 then
          redis.call('ZADD', P .. 'dl:active', now, id)
          expire(id, ARGV[7])
          return {0, redis.call('HGET', meta, 'u') or '', ''}
        end
        local evicted = ''
        redis.call('ZREM', P .. 'dl:active', id)
        if redis.call('ZCARD', P .. 'dl:active') >= tonumber(ARGV[5]) then
          local oldest = redis.call('ZRANGE', P .. 'dl:active', 0, 0, 'WITHSCORES')
          local idle = now - tonumber(oldest[2])
          if idle < tonumber(ARGV[6]) then return {-1, tostring(tonumber(ARGV[6]) - idle), ''} end
          evicted = oldest[1]
          forget(evicted)
        end
        redis.call('HSET', meta, 'u', user, 's', 0, 'd', 0, 'b', 0)
        redis.call('HSET', P .. 'dl:sizes', id, 0)
        redis.call('ZADD', P .. 'dl:active', now, id)
        expire(id, ARGV[7])
        return {1, user, evicted}
        """;

    // ARGV: prefix, id, now, idle timeout (ms), key lifetime (ms). The user ('' for none), or nil when gone.
    private const string FindScript = Common + """
        local id, now = ARGV[2], tonumber(ARGV[3])
        local score = redis.call('ZSCORE', P .. 'dl:active', id)
        if not score then return false end
        if redis.call('EXISTS', k('c', id)) == 0 or now - tonumber(score) > tonumber(ARGV[4]) then
          forget(id)
          return false
        end
        redis.call('ZADD', P .. 'dl:active', now, id)
        expire(id, ARGV[5])
        return redis.call('HGET', k('c', id), 'u') or ''
        """;

    // ARGV: prefix, id, JSON, placeholder, typing (1/0), given id or '', max activities, max bytes, key lifetime (ms).
    private const string AppendScript = Common + """
        local id = ARGV[2]
        if redis.call('EXISTS', k('c', id)) == 0 then return false end
        local seq = redis.call('HINCRBY', k('c', id), 's', 1)
        local aid = ARGV[6]
        if aid == '' then aid = id .. '|' .. string.format('%07d', seq) end
        local json = ARGV[3]
        local at = string.find(json, ARGV[4], 1, true)
        if at then json = string.sub(json, 1, at - 1) .. aid .. string.sub(json, at + #ARGV[4]) end
        add(id, tostring(seq), aid, ARGV[5], json)
        trim(id, tonumber(ARGV[7]), tonumber(ARGV[8]))
        expire(id, ARGV[9])
        redis.call('PUBLISH', P .. 'dl:changed', id)
        return aid
        """;

    // ARGV: prefix, id, activity id, JSON, typing, max activities, max bytes. 1 when replaced, 0 when the activity is gone.
    private const string ReplaceScript = Common + """
        local id, aid = ARGV[2], ARGV[3]
        if redis.call('EXISTS', k('c', id)) == 0 then return 0 end
        local old = redis.call('HGET', k('a', id), 'i:' .. aid)
        if not old then return 0 end
        removeSeq(id, old)
        local seq = redis.call('HINCRBY', k('c', id), 's', 1)
        add(id, tostring(seq), aid, ARGV[5], ARGV[4])
        trim(id, tonumber(ARGV[6]), tonumber(ARGV[7]))
        redis.call('PUBLISH', P .. 'dl:changed', id)
        return 1
        """;

    // ARGV: prefix, id, activity id.
    private const string RemoveScript = Common + """
        local id, aid = ARGV[2], ARGV[3]
        local old = redis.call('HGET', k('a', id), 'i:' .. aid)
        if not old then return 0 end
        removeSeq(id, old)
        return 1
        """;

    // ARGV: prefix, id, watermark or '' (history). {last watermark, activity JSON...}, or nil when gone.
    private const string ReadScript = Common + """
        local id = ARGV[2]
        local meta = k('c', id)
        if redis.call('EXISTS', meta) == 0 then return false end
        local seq = tonumber(redis.call('HGET', meta, 's'))
        local live = ARGV[3] ~= ''
        local after = 0
        if live then
          after = tonumber(ARGV[3])
          if after <= seq and after > tonumber(redis.call('HGET', meta, 'd')) then redis.call('HSET', meta, 'd', after) end
        end
        local out = {seq}
        local seqs = redis.call('ZRANGEBYSCORE', k('o', id), '(' .. after, '+inf')
        if #seqs > 0 then
          local entries = redis.call('HMGET', k('a', id), unpack(seqs))
          for _, e in ipairs(entries) do
            if e and (live or string.sub(e, 1, 1) == '0') then
              out[#out + 1] = string.sub(e, string.find(e, '\n', 1, true) + 1)
            end
          end
        end
        return out
        """;

    // ARGV: prefix, bytes wanted, max total. Drops read activities of the least recently active conversations; 1 when there is room.
    private const string ReserveScript = Common + """
        local total = tonumber(redis.call('GET', P .. 'dl:total') or '0')
        local excess = total + tonumber(ARGV[2]) - tonumber(ARGV[3])
        if excess <= 0 then return 1 end
        for _, id in ipairs(redis.call('ZRANGE', P .. 'dl:active', 0, -1)) do
          local delivered = tonumber(redis.call('HGET', k('c', id), 'd') or '0')
          while excess > 0 do
            local first = redis.call('ZRANGE', k('o', id), 0, 0, 'WITHSCORES')
            if #first == 0 or tonumber(first[2]) > delivered then break end
            excess = excess - removeSeq(id, first[1])
          end
          if excess <= 0 then return 1 end
        end
        return 0
        """;

    // ARGV: prefix, now, idle timeout (ms). How many conversations were forgotten.
    private const string SweepScript = Common + """
        local ids = redis.call('ZRANGEBYSCORE', P .. 'dl:active', '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[3])))
        for _, id in ipairs(ids) do forget(id) end
        return #ids
        """;

    // KEYS: lock; ARGV: owner, lifetime (ms). Renews or releases only the owner's lock.
    private const string RenewLockScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
    private const string ReleaseLockScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private readonly RedisState _redis;
    private readonly DirectLineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisDirectLineConversations> _logger;
    private readonly ConcurrentDictionary<string, LocalStreams> _local = new(StringComparer.Ordinal);
    private readonly RedisChannel _changedChannel;
    private long _lastSweepTicks;

    public RedisDirectLineConversations(RedisState redis, IOptions<DirectLineOptions> options, TimeProvider time, ILogger<RedisDirectLineConversations> logger)
    {
        _redis = redis;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _changedChannel = RedisChannel.Literal(redis.Prefix + "dl:changed");
        _lastSweepTicks = time.GetUtcNow().UtcTicks;
    }

    /// <summary>Keys live this long past the idle timeout, so a conversation no instance sweeps (all stopped) still goes.</summary>
    private long KeyLifetimeMs => (long)(_options.ConversationIdleTimeout + TimeSpan.FromMinutes(10)).TotalMilliseconds;

    /// <summary>
    /// Subscribes to the change channel: a change on any instance wakes this instance's streams on that conversation.
    /// Losing and regaining Redis wakes them all, so they read what they missed (or close while it is away).
    /// </summary>
    public async Task SubscribeAsync()
    {
        await _redis.Connection.GetSubscriber().SubscribeAsync(_changedChannel, (_, message) => Wake(message.ToString())).ConfigureAwait(false);
        _redis.Connection.ConnectionRestored += (_, _) => WakeAll();
        _redis.Connection.ConnectionFailed += (_, _) => WakeAll();
    }

    public async Task<DirectLineStart> GetOrStartAsync(string id, string? userId, CancellationToken cancellationToken)
    {
        await SweepAsync().ConfigureAwait(false);
        var result = (RedisResult[])(await EvaluateAsync(StartScript,
            [id, userId ?? "", Now(), _options.MaxConversations, (long)_options.EvictableAfter.TotalMilliseconds, KeyLifetimeMs]).ConfigureAwait(false))!;
        var outcome = (int)result[0];
        if (outcome < 0)
        {
            _logger.LogWarning("Direct Line conversation refused: all {MaxConversations} conversations were active in the last {EvictableAfter}", _options.MaxConversations, _options.EvictableAfter);
            return new DirectLineStart(null, false, new DirectLineRefusal(
                $"The chat is at capacity ({_options.MaxConversations} active conversations); try again shortly.", TimeSpan.FromMilliseconds((long)result[1])));
        }

        if (outcome == 1)
        {
            if (result[2].ToString() is { Length: > 0 } evicted)
            {
                _logger.LogInformation("Direct Line conversation {ConversationId} forgotten: more than {MaxConversations} live", evicted, _options.MaxConversations);
            }

            _logger.LogInformation("Direct Line conversation {ConversationId} started (shared in Redis)", id);
        }

        return new DirectLineStart(new Conversation(this, id, NullIfEmpty(result[1].ToString())), outcome == 1, null);
    }

    public async Task<IDirectLineConversation?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var user = await EvaluateAsync(FindScript, [id, Now(), (long)_options.ConversationIdleTimeout.TotalMilliseconds, KeyLifetimeMs]).ConfigureAwait(false);
        return user.IsNull ? null : new Conversation(this, id, NullIfEmpty(user.ToString()));
    }

    public async Task<DirectLineRefusal?> ReserveAsync(long bytes, CancellationToken cancellationToken)
    {
        var room = (int)await EvaluateAsync(ReserveScript, [bytes, _options.MaxTotalBytes]).ConfigureAwait(false);
        if (room == 1)
        {
            return null;
        }

        _logger.LogWarning("Direct Line activity refused: the shared budget of {MaxTotalBytes} bytes is held by unread activities", _options.MaxTotalBytes);
        return new DirectLineRefusal("The chat is busy; try again shortly.", TimeSpan.FromSeconds(30));
    }

    /// <summary>Bytes of activities held across all conversations of all instances.</summary>
    public async Task<long> TotalBytesAsync()
    {
        var total = await _redis.Database.StringGetAsync(_redis.Key("dl:total")).ConfigureAwait(false);
        return total.IsNull ? 0 : (long)total;
    }

    public void Dispose()
    {
        foreach (var local in _local.Values)
        {
            local.Wake();
        }
    }

    private async Task SweepAsync()
    {
        var now = _time.GetUtcNow();
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < SweepInterval.Ticks || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        var forgotten = (int)await EvaluateAsync(SweepScript, [Now(), (long)_options.ConversationIdleTimeout.TotalMilliseconds]).ConfigureAwait(false);
        if (forgotten > 0)
        {
            _logger.LogInformation("Direct Line: {Forgotten} idle conversations forgotten", forgotten);
        }
    }

    private async Task<RedisResult> EvaluateAsync(string script, RedisValue[] arguments, RedisKey[]? keys = null)
    {
        try
        {
            return await _redis.Database.ScriptEvaluateAsync(script, keys, [_redis.Prefix, .. arguments]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisState.IsUnavailable(ex))
        {
            throw _redis.Unavailable(ex);
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private void Wake(string conversationId)
    {
        if (_local.TryGetValue(conversationId, out var local))
        {
            local.Wake();
        }
    }

    private void WakeAll()
    {
        foreach (var local in _local.Values)
        {
            local.Wake();
        }
    }

    private static string Serialize(Activity activity) => JsonConvert.SerializeObject(activity, DirectLineJson.Settings);

    /// <summary>This instance's streams on one conversation: their count and the signal that wakes them.</summary>
    private sealed class LocalStreams
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Open;

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

        public void Wake()
        {
            TaskCompletionSource woken;
            lock (_gate)
            {
                woken = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            woken.TrySetResult();
        }
    }

    /// <summary>A handle on one shared conversation for one request: every call goes to Redis.</summary>
    private sealed class Conversation(RedisDirectLineConversations store, string id, string? userId) : IDirectLineConversation
    {
        public string Id { get; } = id;

        public string? UserId { get; private set; } = userId;

        public Task Changed => store._local.GetOrAdd(Id, _ => new LocalStreams()).Changed;

        public async Task ClaimUserAsync(string userId, CancellationToken cancellationToken)
        {
            try
            {
                await store._redis.Database.ScriptEvaluateAsync(
                    "if redis.call('HGET', KEYS[1], 'u') == '' then redis.call('HSET', KEYS[1], 'u', ARGV[1]) end return 0",
                    [store._redis.Key("dl:c:" + Id)], [userId]).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisState.IsUnavailable(ex))
            {
                throw store._redis.Unavailable(ex);
            }

            UserId ??= userId;
        }

        public async Task<string> AppendAsync(Activity activity, CancellationToken cancellationToken)
        {
            var given = activity.Id;
            activity.Id ??= IdPlaceholder;
            var json = Serialize(activity);
            activity.Id = given;
            var assigned = await store.EvaluateAsync(AppendScript,
                [Id, json, IdPlaceholder, activity.Type == ActivityTypes.Typing ? "1" : "0", given ?? "",
                 store._options.MaxActivitiesPerConversation, store._options.MaxConversationBytes, store.KeyLifetimeMs]).ConfigureAwait(false);
            if (assigned.IsNull)
            {
                throw new InvalidOperationException($"Direct Line conversation '{Id}' has expired.");
            }

            activity.Id = assigned.ToString();
            store.Wake(Id);
            return activity.Id;
        }

        public async Task<bool> ReplaceAsync(Activity activity, CancellationToken cancellationToken)
        {
            var replaced = (int)await store.EvaluateAsync(ReplaceScript,
                [Id, activity.Id ?? "", Serialize(activity), activity.Type == ActivityTypes.Typing ? "1" : "0",
                 store._options.MaxActivitiesPerConversation, store._options.MaxConversationBytes]).ConfigureAwait(false);
            store.Wake(Id);
            return replaced == 1;
        }

        public async Task<bool> RemoveAsync(string activityId, CancellationToken cancellationToken) =>
            (int)await store.EvaluateAsync(RemoveScript, [Id, activityId]).ConfigureAwait(false) == 1;

        public async Task<DirectLineFeedPage> ReadAfterAsync(long? watermark, CancellationToken cancellationToken)
        {
            var result = await store.EvaluateAsync(ReadScript, [Id, watermark?.ToString(CultureInfo.InvariantCulture) ?? ""]).ConfigureAwait(false);
            if (result.IsNull)
            {
                return DirectLineFeedPage.Gone;
            }

            var parts = (RedisResult[])result!;
            var json = new System.Text.StringBuilder("[");
            for (var i = 1; i < parts.Length; i++)
            {
                json.Append(i == 1 ? "" : ",").Append(parts[i].ToString());
            }

            return new DirectLineFeedPage(json.Append(']').ToString(), parts.Length - 1, (long)parts[0], Ended: false);
        }

        public bool TryOpenStream(int max)
        {
            var local = store._local.GetOrAdd(Id, _ => new LocalStreams());
            while (true)
            {
                var open = Volatile.Read(ref local.Open);
                if (open >= max)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref local.Open, open + 1, open) == open)
                {
                    return true;
                }
            }
        }

        public void CloseStream()
        {
            if (store._local.TryGetValue(Id, out var local) && Interlocked.Decrement(ref local.Open) <= 0)
            {
                store._local.TryRemove(new KeyValuePair<string, LocalStreams>(Id, local));
            }
        }

        public async Task<IAsyncDisposable> EnterTurnAsync(CancellationToken cancellationToken)
        {
            var key = store._redis.Key("dl:lock:" + Id);
            var owner = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
            var wait = TimeSpan.FromMilliseconds(10);
            while (true)
            {
                bool taken;
                try
                {
                    taken = await store._redis.Database.StringSetAsync(key, owner, TurnLockLifetime, When.NotExists).ConfigureAwait(false);
                }
                catch (Exception ex) when (RedisState.IsUnavailable(ex))
                {
                    throw store._redis.Unavailable(ex);
                }

                if (taken)
                {
                    return new TurnLock(store._redis, key, owner);
                }

                // Another instance runs this conversation's turn; its lock lapses within TurnLockLifetime should it die.
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 200));
            }
        }
    }

    /// <summary>A held turn lock, renewed while the turn runs (a long answer outlives one lifetime) and released at the end.</summary>
    private sealed class TurnLock : IAsyncDisposable
    {
        private readonly RedisState _redis;
        private readonly RedisKey _key;
        private readonly string _owner;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public TurnLock(RedisState redis, RedisKey key, string owner)
        {
            _redis = redis;
            _key = key;
            _owner = owner;
            _renewing = RenewAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewing.ConfigureAwait(false);
            _stop.Dispose();
            try
            {
                await _redis.Database.ScriptEvaluateAsync(ReleaseLockScript, [_key], [_owner]).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisState.IsUnavailable(ex))
            {
                // Redis is away: the lock lapses by itself within its lifetime.
            }
        }

        private async Task RenewAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(TurnLockLifetime / 3, _stop.Token).ConfigureAwait(false);
                    await _redis.Database.ScriptEvaluateAsync(RenewLockScript, [_key], [_owner, (long)TurnLockLifetime.TotalMilliseconds]).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The turn ended.
            }
            catch (Exception ex) when (RedisState.IsUnavailable(ex))
            {
                // Redis is away: the turn finishes; the lock lapses by itself.
            }
        }
    }
}
