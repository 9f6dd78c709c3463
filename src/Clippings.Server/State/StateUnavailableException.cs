namespace Clippings.Server.State;

/// <summary>The shared state store (Redis) does not answer: conversations wait for it (503 with Retry-After); stateless answers go on.</summary>
public sealed class StateUnavailableException : ClippingsException
{
    public StateUnavailableException() { }
    public StateUnavailableException(string message) : base(message) { }
    public StateUnavailableException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>How long a client should wait before trying again: the connection is retried about every second.</summary>
    public static TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(5);
}
