namespace Clippings.Server.State;

/// <summary>Where conversation state lives (<c>Clippings:State</c>): one process, one host, or shared by several <c>serve</c> instances.</summary>
public sealed class StateOptions
{
    public const string SectionName = "Clippings:State";

    /// <summary>
    /// <c>memory</c> (default: Direct Line in this process, bot state as <c>Clippings:Bot:StateStore</c> says),
    /// <c>sqlite</c> (one host: bot state, API conversations and feedback in <c>Clippings:Bot:StatePath</c>; Direct Line in memory)
    /// or <c>redis</c> (every instance sharing <see cref="Redis"/>).
    /// </summary>
    public string Provider { get; set; } = "memory";

    /// <summary>A StackExchange.Redis connection string for <c>Provider = redis</c>, e.g. <c>redis.internal:6379,password=…</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every key and channel, so several deployments (or tests) can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "clippings:";

    /// <summary>
    /// With <c>redis</c>: how long bot conversation state and API conversations are kept after their last change
    /// (feedback is kept). Memory keeps them until the process stops.
    /// </summary>
    public TimeSpan StoredStateLifetime { get; set; } = TimeSpan.FromDays(30);

    public bool UsesRedis => string.Equals(Provider.Trim(), "redis", StringComparison.OrdinalIgnoreCase);

    public bool UsesSqlite => string.Equals(Provider.Trim(), "sqlite", StringComparison.OrdinalIgnoreCase);
}
