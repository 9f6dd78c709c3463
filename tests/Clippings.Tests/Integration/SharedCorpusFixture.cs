using Clippings.Answering;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Integration;

/// <summary>
/// The shared corpus (articles.jsonl + authors.jsonl) ingested once for the integration tests. The index is kept
/// in the test output folder, so a re-run only re-ingests what changed (incremental ingest doing its job).
/// </summary>
public sealed class SharedCorpusFixture : IAsyncLifetime
{
    public ServiceProvider? Services { get; private set; }
    public IngestSummary? Summary { get; private set; }
    public string IndexPath { get; } = Path.Combine(AppContext.BaseDirectory, "shared-corpus-index", "corpus.db");

    public ArchiveAssistant Assistant => Services!.GetRequiredService<ArchiveAssistant>();

    public async Task InitializeAsync()
    {
        if (SharedCorpus.Root is null)
        {
            return;
        }

        Services = ClippingsTestHost.Create(IndexPath);
        Summary = await Services.GetRequiredService<ArchiveIngestor>().IngestAsync(
            [SharedCorpus.Path("articles.jsonl"), SharedCorpus.Path("authors.jsonl")], new IngestOptions(Prune: true), null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Services is not null)
        {
            await Services.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedCorpusCollection : ICollectionFixture<SharedCorpusFixture>
{
    public const string Name = "shared corpus";
}
