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

    private static async Task<ArchiveCatalog> FromAsync(IReadOnlyList<string> paths)
    {
        var loader = new ArchiveLoader();
        var articles = new Dictionary<string, Article>(StringComparer.OrdinalIgnoreCase);
        var bios = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in ArchiveLoader.EnumerateFiles(paths))
        {
            var result = await loader.ReadFileAsync(file, CancellationToken.None);
            foreach (var article in result.Articles)
            {
                articles[article.Id] = article;
            }

            foreach (var author in result.Authors)
            {
                bios[author.Name] = author.Bio;
            }
        }

        var summaries = articles.Values.Select(a => a.ToSummary()).OrderByDescending(a => a.Published ?? DateOnly.MinValue).ToList();
        var authors = summaries.SelectMany(a => a.Authors).Concat(bios.Keys).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(name =>
            {
                var theirs = summaries.Where(a => a.Authors.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
                return new AuthorSummary(name, bios.GetValueOrDefault(name), theirs.Count, theirs.Min(a => a.Published), theirs.Max(a => a.Published));
            }).ToList();
        return new ArchiveCatalog(summaries, authors);
    }
}
