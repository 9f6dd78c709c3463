using System.Reflection;
using Qdrant.Client;

namespace Clippings.Tests.Storage;

/// <summary>
/// An <see cref="IQdrantClient"/> that records every call (method name and arguments, Qdrant.Client's own request types)
/// and answers through <see cref="Respond"/>: a test supplies the server's side of the few calls it cares about.
/// Unanswered calls go to <see cref="Fallback"/> when set, else return the type's default (null / empty), which the code
/// under test must not silently rely on.
/// </summary>
public class RecordingQdrantClient : DispatchProxy
{
    public List<(string Method, Dictionary<string, object?> Args)> Calls { get; } = [];

    /// <summary>Answers what <see cref="Respond"/> leaves unanswered (null), e.g. the in-memory server.</summary>
    public IQdrantClient? Fallback { get; set; }

    /// <summary>Returns the call's result (not a Task), or throws to simulate a server error.</summary>
    public Func<string, Dictionary<string, object?>, object?> Respond { get; set; } = (_, _) => null;

    public static (IQdrantClient Client, RecordingQdrantClient Recorder) Create()
    {
        var client = Create<IQdrantClient, RecordingQdrantClient>();
        return (client, (RecordingQdrantClient)(object)client);
    }

    public IEnumerable<Dictionary<string, object?>> CallsTo(string method) => Calls.Where(c => c.Method == method).Select(c => c.Args);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var named = targetMethod.GetParameters().Select((p, i) => (p.Name!, args![i])).ToDictionary(p => p.Item1, p => p.Item2);
        Calls.Add((targetMethod.Name, named));
        var returnType = targetMethod.ReturnType;
        try
        {
            var result = Respond(targetMethod.Name, named);
            if (result is null && Fallback is not null)
            {
                return targetMethod.Invoke(Fallback, args);
            }

            if (returnType == typeof(Task))
            {
                return Task.CompletedTask;
            }

            if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            {
                var valueType = returnType.GetGenericArguments()[0];
                result ??= valueType.IsValueType ? Activator.CreateInstance(valueType) : null;
                return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(valueType).Invoke(null, [result]);
            }

            return result;
        }
        catch (Exception error) when (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var valueType = returnType.GetGenericArguments()[0];
            return typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!.MakeGenericMethod(valueType).Invoke(null, [error]);
        }
        catch (Exception error) when (returnType == typeof(Task))
        {
            return Task.FromException(error);
        }
    }
}
