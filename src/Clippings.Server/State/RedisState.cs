using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Clippings.Server.State;

/// <summary>
/// The one Redis connection every shared piece uses (bot state, Direct Line, rate limits, keys), with its health:
/// commands fail at once while Redis is away (no queueing behind a dead socket), and the connection comes back by itself.
/// </summary>
public sealed class RedisState : IDisposable
{
    private readonly ILogger<RedisState> _logger;
    private readonly Lazy<ConnectionMultiplexer> _connection;
    private string? _lastFailure;

    public RedisState(IOptions<StateOptions> options, ILogger<RedisState> logger)
    {
        _logger = logger;
        Prefix = options.Value.KeyPrefix;
        var configuration = ConfigurationOptions.Parse(options.Value.Redis ?? "");
        // Start even when Redis is away (the start-up check reports it), and reconnect by itself afterwards.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ConnectTimeout = 3000;
        configuration.ClientName ??= "clippings-" + Environment.MachineName + "-" + Environment.ProcessId;
        Endpoints = string.Join(",", configuration.EndPoints.Select(e => e.ToString()));
        _connection = new Lazy<ConnectionMultiplexer>(() => Connect(configuration));
    }

    /// <summary>Where Redis is (host:port), without the password of the connection string.</summary>
    public string Endpoints { get; }

    public string Prefix { get; }

    public IConnectionMultiplexer Connection => _connection.Value;

    public IDatabase Database => Connection.GetDatabase();

    public bool IsConnected => Connection.IsConnected;

    /// <summary>Why the connection is down (null while it is up).</summary>
    public string? Failure => IsConnected ? null : _lastFailure ?? "not connected";

    public RedisKey Key(string name) => Prefix + name;

    /// <summary>
    /// Checks Redis answers; one clear error otherwise. Called once at start, so an unreachable Redis stops
    /// <c>serve</c> with what to do instead of every conversation failing later.
    /// </summary>
    public async Task EnsureReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Database.PingAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex) || ex is TimeoutException)
        {
            throw new ClippingsException(
                $"Cannot reach Redis at {Endpoints} (Clippings:State:Redis): {FirstLine(ex.Message)}. Start Redis or fix the setting; " +
                "with Clippings:State:Provider = memory one instance runs without it.", ex);
        }
    }

    /// <summary>
    /// A secret every instance shares (the Direct Line token signing key): the first instance to start makes it, the
    /// others read it, so a token from one instance is valid on all. Read once at start, after the reachability check.
    /// </summary>
    public byte[] SharedSecret(string name, int bytes)
    {
        var key = Key(name);
        try
        {
            Database.StringSet(key, RandomNumberGenerator.GetBytes(bytes), when: When.NotExists);
            var stored = (byte[]?)Database.StringGet(key);
            return stored is { Length: > 0 } ? stored : throw new ClippingsException($"Redis at {Endpoints} did not keep the shared key '{name}'.");
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>True for the exceptions StackExchange.Redis throws when Redis is away or too slow (not for a script's own error).</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is RedisConnectionException or RedisTimeoutException
        || (exception is RedisServerException server && server.Message.StartsWith("LOADING", StringComparison.Ordinal));

    /// <summary>
    /// The error to raise for a failed round trip: that it is temporary. Readers see it, so it does not name the
    /// Redis address; the log does.
    /// </summary>
    public StateUnavailableException Unavailable(Exception exception)
    {
        _logger.LogWarning("Redis at {Endpoints} did not answer: {Reason}", Endpoints, FirstLine(exception.Message));
        return new StateUnavailableException("Conversations are unavailable for a moment: the shared state store does not answer. Try again shortly.", exception);
    }

    public void Dispose()
    {
        if (_connection.IsValueCreated)
        {
            _connection.Value.Dispose();
        }
    }

    private ConnectionMultiplexer Connect(ConfigurationOptions configuration)
    {
        var connection = ConnectionMultiplexer.Connect(configuration);
        connection.ConnectionFailed += (_, e) =>
        {
            // Shown on /health, which anyone may read: the kind of failure, not the address.
            _lastFailure = e.FailureType.ToString();
            _logger.LogWarning("Redis at {Endpoints} lost: {FailureType} ({Reason}); conversations answer 503 until it returns", Endpoints, e.FailureType, FirstLine(e.Exception?.Message ?? "connection lost"));
        };
        connection.ConnectionRestored += (_, _) =>
        {
            _lastFailure = null;
            _logger.LogInformation("Redis at {Endpoints} reachable again", Endpoints);
        };
        return connection;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }
}
