namespace Clippings;

/// <summary>
/// An error a user can hit (bad file, bad configuration, unreachable service). Its message says what
/// happened and what to do; hosts print it without a stack trace.
/// </summary>
public class ClippingsException : Exception
{
    public ClippingsException() { }
    public ClippingsException(string message) : base(message) { }
    public ClippingsException(string message, Exception innerException) : base(message, innerException) { }
}
