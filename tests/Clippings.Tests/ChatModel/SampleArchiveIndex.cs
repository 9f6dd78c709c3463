using Clippings.Ingestion;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.ChatModel;

/// <summary>samples/archive ingested once (local embeddings) into a temp SQLite index that the chat model tests share read-only.</summary>
public static class SampleArchiveIndex
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    public static Task<string> PathAsync() => Built.Value;

    private static async Task<string> BuildAsync()
    {
        var path = ClippingsTestHost.TempIndexPath("chat-samples");
        await using var services = ClippingsTestHost.Create(path);
        var result = await services.GetRequiredService<ArchiveIngestor>()
            .IngestAsync([System.IO.Path.Combine(SharedCorpus.RepoRoot, "samples", "archive")], new IngestOptions(), null, CancellationToken.None);
        return result.Failed == 0 ? path : throw new InvalidOperationException($"{result.Failed} sample files failed to ingest.");
    }
}
