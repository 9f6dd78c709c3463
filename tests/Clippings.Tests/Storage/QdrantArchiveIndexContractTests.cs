using Clippings.Storage;
using Clippings.Storage.Qdrant;
using Qdrant.Client;

namespace Clippings.Tests.Storage;

/// <summary>
/// The index contract on a live Qdrant: set QDRANT_URL to its gRPC endpoint (e.g. http://localhost:6334; QDRANT_API_KEY
/// if it needs one). Each test uses its own pair of collections and deletes them afterwards.
/// </summary>
[RequiresEnvironment("QDRANT_URL", "no Qdrant server to run the index contract against (start one with docker run -p 6334:6334 qdrant/qdrant and set QDRANT_URL=http://localhost:6334).")]
public sealed class QdrantArchiveIndexContractTests : ArchiveIndexContract
{
    private static string Url => Environment.GetEnvironmentVariable("QDRANT_URL")!;

    private static string? ApiKey => Environment.GetEnvironmentVariable("QDRANT_API_KEY");

    private readonly List<string> _collections = [];

    protected override Task<IArchiveIndex> CreateEmptyIndexAsync()
    {
        var collection = "clippings-contract-" + Guid.NewGuid().ToString("N")[..12];
        _collections.Add(collection);
        var options = new IndexOptions { Url = Url, ApiKey = ApiKey, Collection = collection };
        return Task.FromResult<IArchiveIndex>(QdrantIndexFactory.Create(Url, collection, options, null));
    }

    protected override async Task DropAsync(IArchiveIndex index)
    {
        using var client = new QdrantClient(new Uri(Url), ApiKey);
        foreach (var collection in _collections.SelectMany(c => new[] { c, c + QdrantRequests.DocsSuffix }))
        {
            if (await client.CollectionExistsAsync(collection))
            {
                await client.DeleteCollectionAsync(collection);
            }
        }

        _collections.Clear();
    }
}
