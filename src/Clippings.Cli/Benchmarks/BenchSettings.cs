namespace Clippings.Cli.Benchmarks;

/// <summary>What a bench run works on: the corpus, a scratch folder for its indexes, and how much to measure.</summary>
internal sealed record BenchSettings(string CorpusPath, string WorkFolder, int Runs, int PolicySample, IReadOnlyList<int> SyntheticSizes, int Queries, int IngestArticles, int MaxIndexSize, string? CorpusIndexPath)
{
    /// <summary>
    /// The files the ingest benchmark reads: the whole corpus, or (with --articles N) every k-th line of articles.jsonl
    /// written to the work folder, so a contended 2-core machine can repeat the runs in minutes.
    /// </summary>
    public IReadOnlyList<string> IngestFiles()
    {
        var files = CorpusFiles();
        if (IngestArticles <= 0)
        {
            return files;
        }

        var lines = File.ReadAllLines(files[0]).Where(l => l.Trim().Length > 0).ToList();
        var step = Math.Max(1, lines.Count / IngestArticles);
        var subset = Path.Combine(WorkFolder, $"articles-every-{step}th.jsonl");
        File.WriteAllLines(subset, lines.Where((_, i) => i % step == 0).Take(IngestArticles));
        return [subset, .. files.Skip(1)];
    }

    /// <summary>The corpus files an ingest reads: articles.jsonl and authors.jsonl.</summary>
    public IReadOnlyList<string> CorpusFiles()
    {
        var files = new[] { "articles.jsonl", "authors.jsonl" }.Select(f => Path.Combine(CorpusPath, f)).Where(File.Exists).ToList();
        return files.Count > 0 ? files : throw new ClippingsException($"No articles.jsonl in {CorpusPath}. Pass the shared corpus folder with --corpus.");
    }

    /// <summary>Queries for an index size: fewer at 1M passages so a run stays within minutes.</summary>
    public int QueriesFor(int passages) => passages >= 500_000 ? Math.Max(20, Queries / 4) : Queries;
}
