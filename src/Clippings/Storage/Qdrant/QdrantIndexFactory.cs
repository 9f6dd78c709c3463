using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Clippings.Storage.Qdrant;

/// <summary>Builds the Qdrant index from <c>Clippings:Index</c> (Url, ApiKey, Collection, Qdrant:*).</summary>
public static class QdrantIndexFactory
{
    /// <summary>The largest reply the channel accepts (the gRPC default is 4 MB).</summary>
    internal const int MaxReceiveBytes = 64 * 1024 * 1024;

    public static IArchiveIndex Create(IndexOptions options, IServiceProvider services) =>
        Create(options.Url, options.Collection, options, services.GetService<ILoggerFactory>());

    /// <summary>The index at <paramref name="url"/> (the gRPC endpoint, e.g. http://localhost:6334) in <paramref name="collection"/>.</summary>
    public static QdrantArchiveIndex Create(string? url, string collection, IndexOptions options, ILoggerFactory? loggerFactory)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new ClippingsException("Clippings:Index:Url is required when Clippings:Index:Provider is 'qdrant': the server's gRPC endpoint, e.g. http://localhost:6334.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ClippingsException($"Clippings:Index:Url '{url}' is not an http(s) URL. Use the Qdrant gRPC endpoint, e.g. http://localhost:6334 (https://… for Qdrant Cloud).");
        }

        if (QdrantRequests.CollectionNameProblem(collection) is { } problem)
        {
            throw new ClippingsException($"Clippings:Index:Collection '{collection}' is not a valid Qdrant collection name: {problem}. Use letters, digits, '-' and '_'.");
        }

        if (options.Qdrant.TimeoutSeconds <= 0)
        {
            throw new ClippingsException("Clippings:Index:Qdrant:TimeoutSeconds must be positive (seconds per request).");
        }

        // Our own channel, for its receive limit: the default 4 MB is less than one scroll page of large vectors plus an
        // outsized article; pages are sized to ~1 MB (QdrantArchiveIndex.PageBudgetBytes), this is headroom, not the plan.
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = MaxReceiveBytes, MaxSendMessageSize = MaxReceiveBytes });
        var invoker = string.IsNullOrWhiteSpace(options.ApiKey)
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("api-key", options.ApiKey);
                return metadata;
            });

        // No logger factory for the client: it logs every failed call with a stack trace, and the index already logs
        // retries and turns the final failure into one message.
        var client = new QdrantClient(new QdrantGrpcClient(invoker), TimeSpan.FromSeconds(options.Qdrant.TimeoutSeconds));
        return new QdrantArchiveIndex(client, address.GetLeftPart(UriPartial.Authority), collection, options.Qdrant, loggerFactory?.CreateLogger<QdrantArchiveIndex>(), transport: channel);
    }
}
