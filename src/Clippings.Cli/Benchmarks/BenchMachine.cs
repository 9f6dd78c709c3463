using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Clippings.Cli.Benchmarks;

/// <summary>The machine a benchmark ran on, and its measured memory copy bandwidth (the bound for exact vector scans).</summary>
internal sealed record BenchMachine(int Cores, string Cpu, string Os, string Runtime, string EmbeddingModel)
{
    public static BenchMachine Detect(string embeddingModel) => new(
        Environment.ProcessorCount,
        CpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        embeddingModel);

    public string ToMarkdownLine() =>
        $"Machine: {Cores} cores, {Cpu}, {Os}, {Runtime}; embedding model {EmbeddingModel}.";

    /// <summary>
    /// Bytes copied per second between two 256 MB arrays (far larger than any cache), split over all cores like the
    /// parallel vector scan; median of several copies.
    /// </summary>
    public static double MeasureCopyBandwidth(int repeats = 7)
    {
        const int size = 256 * 1024 * 1024;
        var source = GC.AllocateUninitializedArray<byte>(size);
        var target = GC.AllocateUninitializedArray<byte>(size);
        // Every source page written: untouched pages all map to the kernel's one zero page, which reads from cache and
        // overstates the bandwidth (an earlier version did that: 24–27 GB/s). The first, page-faulting copy is not counted.
        source.AsSpan().Fill(0x5A);
        var parts = Environment.ProcessorCount;
        var chunk = size / parts;
        var rates = new List<double>();
        for (var r = 0; r < repeats + 1; r++)
        {
            var stopwatch = Stopwatch.StartNew();
            Parallel.For(0, parts, p => source.AsSpan(p * chunk, chunk).CopyTo(target.AsSpan(p * chunk, chunk)));
            stopwatch.Stop();
            if (r > 0)
            {
                rates.Add(size / stopwatch.Elapsed.TotalSeconds);
            }
        }

        return Stats.Median(rates);
    }

    /// <summary>
    /// Bytes read per second summing a 256 MB float array across all cores (a scan only reads, while a copy moves each
    /// byte twice, so this is the tighter bound for the vector scan); median of several passes.
    /// </summary>
    public static double MeasureReadBandwidth(int repeats = 7)
    {
        const int floats = 64 * 1024 * 1024;
        var data = GC.AllocateUninitializedArray<float>(floats);
        data.AsSpan().Fill(0.5f);
        var parts = Environment.ProcessorCount;
        var chunk = floats / parts;
        var sums = new float[parts];
        var rates = new List<double>();
        for (var r = 0; r < repeats + 1; r++)
        {
            var stopwatch = Stopwatch.StartNew();
            Parallel.For(0, parts, p => sums[p] = System.Numerics.Tensors.TensorPrimitives.Sum(data.AsSpan(p * chunk, chunk)));
            stopwatch.Stop();
            if (r > 0)
            {
                rates.Add(floats * (double)sizeof(float) / stopwatch.Elapsed.TotalSeconds);
            }
        }

        return Stats.Median(rates);
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
