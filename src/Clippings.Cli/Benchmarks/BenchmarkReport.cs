using System.Text;

namespace Clippings.Cli.Benchmarks;

/// <summary>
/// BENCHMARKS.md: a header with the machine, then one section per benchmark between markers, so running one
/// benchmark replaces its own section and keeps the others.
/// </summary>
internal static class BenchmarkReport
{
    private const string Title = "# Benchmarks";

    public static void WriteSection(string path, string name, BenchMachine machine, string markdown)
    {
        var begin = $"<!-- bench:{name} -->";
        var end = $"<!-- /bench:{name} -->";
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var sections = new List<(string Name, string Body)>();
        var cursor = 0;
        while (true)
        {
            var open = existing.IndexOf("<!-- bench:", cursor, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }

            var nameEnd = existing.IndexOf(" -->", open, StringComparison.Ordinal);
            var sectionName = existing[(open + "<!-- bench:".Length)..nameEnd];
            var close = existing.IndexOf($"<!-- /bench:{sectionName} -->", nameEnd, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            sections.Add((sectionName, existing[open..(close + $"<!-- /bench:{sectionName} -->".Length)]));
            cursor = close + 1;
        }

        var body = $"{begin}\n{markdown.TrimEnd()}\n\n_{machine.ToMarkdownLine()} Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC._\n{end}";
        var index = sections.FindIndex(s => s.Name == name);
        if (index >= 0)
        {
            sections[index] = (name, body);
        }
        else
        {
            sections.Add((name, body));
        }

        var order = new[] { "ingest", "search", "memory", "load" };
        var text = new StringBuilder();
        text.AppendLine(Title).AppendLine();
        text.AppendLine("Written by `clippings bench <ingest|search|memory|load>` (see README, Performance). Every figure is measured in the same run as its");
        text.AppendLine("baseline; latencies are p50/p95/p99 over the stated number of queries, throughputs are medians of the stated runs.");
        foreach (var (_, sectionBody) in sections.OrderBy(s => Array.IndexOf(order, s.Name) is var i && i < 0 ? int.MaxValue : i))
        {
            text.AppendLine().AppendLine(sectionBody);
        }

        File.WriteAllText(path, text.ToString());
    }
}
