using Clippings.Embeddings;
using Clippings.Retrieval;
using Clippings.Storage;
using Clippings.Storage.Sqlite;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clippings.Tests.Retrieval;

/// <summary>Retrievals beyond <see cref="RetrievalOptions.MaxConcurrentRetrievals"/> wait their turn (the server's load guard).</summary>
public sealed class ArchiveRetrieverConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task AtMostTheConfiguredNumberOfRetrievalsRunAtOnce(int limit)
    {
        var path = ClippingsTestHost.TempIndexPath("retriever-gate");
        await using var index = new SqliteArchiveIndex(path);
        var generator = new SlowEmbeddingGenerator();
        var embedder = new ArchiveEmbedder(generator, new EmbeddingSpace("slow", 4), null);
        using var catalog = new ArchiveCatalogProvider(index);
        using var retriever = new ArchiveRetriever(index, embedder, catalog, Options.Create(new RetrievalOptions { MaxConcurrentRetrievals = limit }), NullLogger<ArchiveRetriever>.Instance);

        // Eight different questions: the embedder remembers recent ones, so a repeated question would not reach the model.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            retriever.RetrieveAsync(new QueryPlan { Question = $"harbour {i}", SearchText = $"harbour {i}" }, SearchMode.Hybrid, CancellationToken.None))));

        Assert.Equal(8, generator.Calls);
        Assert.Equal(limit, generator.MostAtOnce);
    }

    [Fact]
    public async Task AWaitingRetrievalCanBeCancelled()
    {
        var path = ClippingsTestHost.TempIndexPath("retriever-cancel");
        await using var index = new SqliteArchiveIndex(path);
        var generator = new SlowEmbeddingGenerator { Delay = TimeSpan.FromSeconds(2) };
        var embedder = new ArchiveEmbedder(generator, new EmbeddingSpace("slow", 4), null);
        using var catalog = new ArchiveCatalogProvider(index);
        using var retriever = new ArchiveRetriever(index, embedder, catalog, Options.Create(new RetrievalOptions { MaxConcurrentRetrievals = 1 }), NullLogger<ArchiveRetriever>.Instance);
        var plan = new QueryPlan { Question = "harbour", SearchText = "harbour" };

        var running = retriever.RetrieveAsync(plan, SearchMode.Hybrid, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retriever.RetrieveAsync(plan, SearchMode.Hybrid, cancel.Token));
        await running;
        Assert.Equal(1, generator.Calls);
    }

    /// <summary>An embedder that takes a while and records how many calls overlap.</summary>
    private sealed class SlowEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private int _running;
        private int _mostAtOnce;
        private int _calls;

        public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(60);

        public int MostAtOnce => _mostAtOnce;

        public int Calls => _calls;

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _running);
            lock (this)
            {
                _mostAtOnce = Math.Max(_mostAtOnce, now);
            }

            await Task.Delay(Delay, cancellationToken);
            Interlocked.Decrement(ref _running);
            return [.. values.Select(_ => new Embedding<float>(new float[] { 0.5f, 0.5f, 0.5f, 0.5f }))];
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
