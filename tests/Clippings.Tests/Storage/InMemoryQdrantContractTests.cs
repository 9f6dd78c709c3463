using Clippings.Cli.Benchmarks;
using Clippings.Storage;
using Clippings.Storage.Qdrant;

namespace Clippings.Tests.Storage;

/// <summary>
/// The index contract on the Qdrant index over the bench's in-memory server (no network): the write protocol, filters,
/// catalog and export run for real; only ranking differs from a server's (no HNSW, no IDF), so it is no substitute for
/// the live-server run (<see cref="QdrantArchiveIndexContractTests"/>), only a check of the protocol on every build.
/// </summary>
public sealed class InMemoryQdrantContractTests : ArchiveIndexContract
{
    private readonly InMemoryQdrant _server;
    private readonly Qdrant.Client.IQdrantClient _client;

    public InMemoryQdrantContractTests()
    {
        (_client, _server) = InMemoryQdrant.Create();
    }

    protected override Task<IArchiveIndex> CreateEmptyIndexAsync() =>
        Task.FromResult<IArchiveIndex>(new QdrantArchiveIndex(_client, "http://in-memory:6334", "contract-" + Guid.NewGuid().ToString("N")[..8], new QdrantScaleOptions(), ownsClient: false));
}
