using System.Globalization;
using Clippings.Server.Bot;
using Microsoft.Bot.Builder;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using StackExchange.Redis;

namespace Clippings.Server.State;

/// <summary>
/// A Bot Framework <see cref="IStorage"/> in Redis, shared by every instance: conversation state, API conversations and
/// feedback. Items are JSON with their .NET types (as <see cref="SqliteStorage"/> writes them). Optimistic concurrency
/// follows <see cref="MemoryStorage"/>: an <see cref="IStoreItem"/> whose ETag is not "*" must carry the stored ETag, and
/// one write is checked and applied whole in one script, so a conflict writes nothing.
/// </summary>
public sealed class RedisStorage : IStorage
{
    // Checks every expected ETag before writing anything (ARGV per key: check flag, expected, new ETag, JSON, lifetime in ms or 0).
    private const string WriteScript = """
        for i = 1, #KEYS do
          local base = (i - 1) * 5
          if ARGV[base + 1] == '1' then
            local stored = redis.call('HGET', KEYS[i], 'e')
            if stored and stored ~= ARGV[base + 2] then return i end
          end
        end
        for i = 1, #KEYS do
          local base = (i - 1) * 5
          redis.call('HSET', KEYS[i], 'e', ARGV[base + 3], 'j', ARGV[base + 4])
          local ttl = tonumber(ARGV[base + 5])
          if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) else redis.call('PERSIST', KEYS[i]) end
        end
        return 0
        """;

    private readonly RedisState _redis;
    private readonly TimeSpan _lifetime;
    private readonly JsonSerializer _serializer = StateSerialization.CreateSerializer();

    /// <param name="lifetime">How long an item lives after its last write; feedback (<see cref="FeedbackStore.KeyPrefix"/>) is kept.</param>
    public RedisStorage(RedisState redis, TimeSpan lifetime)
    {
        _redis = redis;
        _lifetime = lifetime;
    }

    public async Task<IDictionary<string, object>> ReadAsync(string[] keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
        {
            return result;
        }

        RedisValue[] values;
        try
        {
            // Pipelined: one round trip however many keys.
            values = await Task.WhenAll(distinct.Select(k => _redis.Database.HashGetAsync(ItemKey(k), "j"))).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisState.IsUnavailable(ex))
        {
            throw _redis.Unavailable(ex);
        }

        for (var i = 0; i < distinct.Length; i++)
        {
            if (values[i].HasValue && JObject.Parse(values[i].ToString()).ToObject<object>(_serializer) is { } value)
            {
                result[distinct[i]] = value;
            }
        }

        return result;
    }

    public async Task WriteAsync(IDictionary<string, object> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        var keys = new List<RedisKey>(changes.Count);
        var arguments = new List<RedisValue>(changes.Count * 5);
        var names = new List<string>(changes.Count);
        foreach (var (key, value) in changes)
        {
            var etag = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
            var json = JObject.FromObject(value, _serializer);
            var check = false;
            var expected = "";
            if (value is IStoreItem item)
            {
                check = item.ETag != "*";
                expected = item.ETag ?? "";
                json["ETag"] = etag;
            }

            var lifetime = key.StartsWith(FeedbackStore.KeyPrefix, StringComparison.Ordinal) ? 0 : (long)_lifetime.TotalMilliseconds;
            keys.Add(ItemKey(key));
            names.Add(key);
            arguments.AddRange([check ? "1" : "0", expected, etag, json.ToString(Formatting.None), lifetime]);
        }

        RedisResult result;
        try
        {
            result = await _redis.Database.ScriptEvaluateAsync(WriteScript, [.. keys], [.. arguments]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisState.IsUnavailable(ex))
        {
            throw _redis.Unavailable(ex);
        }

        var conflict = (int)result;
        if (conflict > 0)
        {
            throw new InvalidOperationException($"ETag conflict writing '{names[conflict - 1]}': the item changed since it was read; nothing was written.");
        }
    }

    public async Task DeleteAsync(string[] keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Length == 0)
        {
            return;
        }

        try
        {
            await _redis.Database.KeyDeleteAsync([.. keys.Select(ItemKey)]).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisState.IsUnavailable(ex))
        {
            throw _redis.Unavailable(ex);
        }
    }

    private RedisKey ItemKey(string key) => _redis.Key("state:" + key);
}
