using Clippings.Answering;
using Clippings.Ingestion;
using Clippings.Storage;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.ChatModel;

/// <summary>OpenAI-style embeddings (Clippings:Embeddings) against the fake server, and the index refusing another embedding space.</summary>
public sealed class RemoteEmbeddingsTests : IAsyncDisposable
{
    private readonly FakeChatServer _server = new() { EmbeddingDimensions = 16 };

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task AnIndexBuiltWithRemoteEmbeddingsAnswersAndRefusesTheLocalModel()
    {
        var path = ClippingsTestHost.TempIndexPath("remote-embeddings");
        var remote = new Dictionary<string, string?>
        {
            ["Clippings:Embeddings:Provider"] = "openai",
            ["Clippings:Embeddings:Endpoint"] = _server.Endpoint.ToString(),
            ["Clippings:Embeddings:ApiKey"] = "test-key",
            ["Clippings:Embeddings:Model"] = "fake-embedding",
            ["Clippings:Embeddings:Dimensions"] = "16",
        };
        var samples = Path.Combine(SharedCorpus.RepoRoot, "samples", "archive");

        await using (var services = ClippingsTestHost.Create(path, remote))
        {
            var result = await services.GetRequiredService<ArchiveIngestor>().IngestAsync([samples], new IngestOptions(), null, CancellationToken.None);
            Assert.Equal((20, 0), (result.New, result.Failed));
            Assert.Equal(new EmbeddingSpace("openai:fake-embedding", 16), await services.GetRequiredService<IArchiveIndex>().GetEmbeddingSpaceAsync(CancellationToken.None));
            var answer = await services.GetRequiredService<ArchiveAssistant>().AskAsync(new AskRequest("How much will restoring the crane on Gull Quay cost?", Mode: SearchMode.Lexical), CancellationToken.None);
            Assert.Contains(answer.Citations, c => c.ArticleId == "tidelines-gull-quay-crane");
        }

        var request = _server.Requests[0];
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("fake-embedding", request.Body["model"]!.GetValue<string>());
        Assert.Equal(16, request.Body["dimensions"]!.GetValue<int>());

        await using (var local = ClippingsTestHost.Create(path))
        {
            var error = await Assert.ThrowsAsync<IndexMismatchException>(() => local.GetRequiredService<ArchiveIngestor>().IngestAsync([samples], new IngestOptions(), null, CancellationToken.None));
            Assert.Contains("built with embedder openai:fake-embedding (16 dimensions)", error.Message, StringComparison.Ordinal);
            Assert.Contains("local:snowflake-arctic-embed-xs (384 dimensions)", error.Message, StringComparison.Ordinal);
            Assert.Contains("--index NEW.db", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnUnknownModelWithoutDimensionsIsAClearError()
    {
        var error = Assert.Throws<ClippingsException>(() => Embeddings.EmbeddingGeneratorFactory.Create(new Embeddings.EmbeddingOptions
        {
            Provider = "openai-compatible",
            Endpoint = "http://127.0.0.1:11434/v1",
            Model = "nomic-embed-text",
        }));
        Assert.Contains("Clippings:Embeddings:Dimensions is not set", error.Message, StringComparison.Ordinal);
    }
}
