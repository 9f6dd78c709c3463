using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Clippings.Answering;
using Clippings.Embeddings;
using Clippings.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// Resident memory of the services a server hosts (ArchiveAssistant over the SQLite index, local model loaded,
/// vectors cached) after answering a few questions, each index in a fresh child process; the baseline is the same
/// process over an empty index, so the difference per passage is what the archive costs.
/// </summary>
internal sealed class MemoryBenchmark(BenchSettings settings, TextWriter log)
{
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var corpus = await CorpusIndex.EnsureAsync(settings, log, cancellationToken);
        var empty = Path.Combine(settings.WorkFolder, "empty.db");
        IngestBenchmark.DeleteIndex(empty);
        await using (var index = new Storage.Sqlite.SqliteArchiveIndex(empty))
        {
            await index.OpenAsync(ArcticEmbeddingGenerator.Space, cancellationToken);
        }

        var targets = new List<(string Name, string Path)> { ("empty index (baseline)", empty), (settings.CorpusIndexPath is null ? "shared corpus" : "real vectors", corpus) };
        foreach (var size in settings.SyntheticSizes.Where(s => s <= 100_000))
        {
            targets.Add(($"synthetic {size:N0}", await SyntheticIndex.EnsureAsync(corpus, settings.WorkFolder, size, ArcticEmbeddingGenerator.Space, log, cancellationToken)));
        }

        var results = new List<(string Name, int Passages, double WorkingSet, double Managed)>();
        foreach (var (name, path) in targets)
        {
            var probes = new List<Probe>();
            for (var run = 0; run < Math.Min(settings.Runs, 3); run++)
            {
                probes.Add(await RunProbeAsync(path, cancellationToken));
            }

            results.Add((name, probes[0].Passages, Stats.Median(probes.Select(p => (double)p.WorkingSet)), Stats.Median(probes.Select(p => (double)p.Managed))));
            await log.WriteLineAsync($"memory: {name}: {results[^1].WorkingSet / 1e6:F0} MB working set");
        }

        var baseline = results[0];
        var md = new StringBuilder();
        md.AppendLine("## Memory").AppendLine();
        md.AppendLine("Working set of a fresh process hosting the core services (as the server does) after answering 10 questions, median of");
        md.AppendLine($"{Math.Min(settings.Runs, 3)} processes. Per passage = (working set − empty-index baseline) ÷ passages; a passage's float32 vector alone is");
        md.AppendLine($"{ArcticEmbeddingGenerator.Dimensions * sizeof(float):N0} bytes.").AppendLine();
        md.AppendLine("| index | passages | working set (MB) | managed heap (MB) | above baseline (MB) | per passage (bytes) | ratio to the vector's bytes |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, passages, workingSet, managed) in results)
        {
            var above = workingSet - baseline.WorkingSet;
            var perPassage = passages > 0 ? above / passages : double.NaN;
            md.AppendLine($"| {name} | {passages:N0} | {workingSet / 1e6:F0} | {managed / 1e6:F0} | {above / 1e6:F0} | {Stats.F(perPassage, 0)} | {(passages > 0 ? (perPassage / (ArcticEmbeddingGenerator.Dimensions * sizeof(float))).ToString("F2", CultureInfo.InvariantCulture) + "×" : "–")} |");
        }

        return md.ToString();
    }

    private static async Task<Probe> RunProbeAsync(string indexPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var processPath = Environment.ProcessPath ?? "dotnet";
        start.FileName = processPath;
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        }

        foreach (var argument in new[] { "bench", "memory", "--probe", indexPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new ClippingsException("Could not start the memory probe process.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new ClippingsException($"The memory probe failed on {indexPath}: {await error}");
        }

        return JsonSerializer.Deserialize<Probe>((await output).Trim().Split('\n')[^1]) ?? throw new ClippingsException("The memory probe printed nothing.");
    }

    /// <summary>Inside the child process: load the services on the index, answer questions, report memory as one JSON line.</summary>
    public static async Task<int> ProbeAsync(string indexPath, CancellationToken cancellationToken)
    {
        var configuration = CliHost.BuildConfiguration(CommonOptions.Overrides(indexPath));
        await using var services = CliHost.BuildServices(configuration, verbose: false);
        var assistant = services.GetRequiredService<ArchiveAssistant>();
        var passages = (await services.GetRequiredService<IArchiveIndex>().GetStatsAsync(cancellationToken)).Passages;
        foreach (var question in new[]
        {
            "What did the author argue about liberty?", "Who wrote about the harbour?", "What have we said about trade before?",
            "the dangers of faction in a large republic", "When did the essays on government appear?", "What does he say about friendship?",
            "taxation and the power of the purse", "What was written in 1788?", "memories of childhood and old books", "the role of the judiciary",
        })
        {
            await assistant.AskAsync(new AskRequest(question), cancellationToken);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.Out.WriteLine(JsonSerializer.Serialize(new Probe(passages, self.WorkingSet64, GC.GetTotalMemory(false))));
        return 0;
    }

    internal sealed record Probe(int Passages, long WorkingSet, long Managed);
}
