using Clippings.Archive;
using Clippings.Ingestion;
using Clippings.Retrieval;

namespace Clippings.Tests.TestSupport;

/// <summary>
/// Query-understanding catalogs of real archives, read with the archive readers and no embedding (cheap):
/// samples/archive in the repo, and the shared corpus and Go blog beside it when present.
/// </summary>
public static class ArchiveCatalogs
{
    private static readonly Lazy<Task<ArchiveCatalog>> SamplesCatalog = new(() => FromAsync([Path.Combine(SharedCorpus.RepoRoot, "samples", "archive")]));
    private static readonly Lazy<Task<ArchiveCatalog>> CorpusCatalog = new(() => FromAsync([SharedCorpus.Path("articles.jsonl"), SharedCorpus.Path("authors.jsonl")]));
    private static readonly Lazy<Task<ArchiveCatalog>> BlogCatalog = new(() => FromAsync([Path.Combine(SharedData.Require("corpus-modern"), "blog")]));

    public static Task<ArchiveCatalog> SamplesAsync() => SamplesCatalog.Value;

    public static Task<ArchiveCatalog> SharedCorpusAsync() => CorpusCatalog.Value;

    public static Task<ArchiveCatalog> GoBlogAsync() => BlogCatalog.Value;

    private static Task<ArchiveCatalog> FromAsync(IReadOnlyList<string> paths) => ArchiveCatalog.ReadFromSourcesAsync(paths, CancellationToken.None);
}
