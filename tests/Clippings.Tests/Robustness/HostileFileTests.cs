using System.Diagnostics;
using System.Text;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Clippings.Tests.Robustness;

/// <summary>
/// Hostile and broken files: each gets a clear per-file error within bounded time and memory, and the rest of the
/// archive still ingests.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-hostile-" + Guid.NewGuid().ToString("N"));

    public HostileFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string> Files => new()
    {
        { "invalid-utf8.txt", "UTF-8" },
        { "junk.html", "binary" },
        { "one-line-50mb.html", "page limit" },
        { "nested.html", "nested" },
        { "billion-laughs.xml", "DTD" },
        { "external-entity.xml", "DTD" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task EachHostileFileGetsAClearErrorInBoundedTimeAndMemory(string name, string reason)
    {
        var path = Create(name);
        var loader = new ArchiveLoader();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();

        var result = await loader.ReadFileAsync(path, CancellationToken.None);

        stopwatch.Stop();
        var allocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (1024.0 * 1024.0);
        Assert.True(result.Failed, $"{name} was read as {result.Articles.Count} articles");
        Assert.Contains(reason, result.Error!, StringComparison.OrdinalIgnoreCase);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"{name} took {stopwatch.Elapsed.TotalSeconds:F1} s");
        // The 50 MB file is read whole (bytes, then text) but never parsed; everything else stays small.
        Assert.True(allocatedMb < (name.StartsWith("one-line", StringComparison.Ordinal) ? 400 : 100), $"{name} allocated {allocatedMb:F0} MB");
    }

    [Fact]
    public async Task TheRestOfTheArchiveIngestsBesideHostileFiles()
    {
        foreach (var name in new[] { "invalid-utf8.txt", "junk.html", "nested.html", "billion-laughs.xml", "external-entity.xml" })
        {
            Create(name);
        }

        File.WriteAllText(Path.Combine(_folder, "good.md"), "---\ntitle: Good\nauthor: Ann Example\ndate: 2024-05-01\n---\n\n# Good\n\nAn ordinary essay about the weather over the harbour.\n");
        await using var services = ClippingsTestHost.Create(ClippingsTestHost.TempIndexPath("hostile"));
        var summary = await services.GetRequiredService<ArchiveIngestor>().IngestAsync([_folder], new IngestOptions(), null, CancellationToken.None);
        Assert.Equal((1, 5), (summary.New, summary.Failed));
        Assert.All(summary.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Reason)));
    }

    private string Create(string name)
    {
        var path = Path.Combine(_folder, name);
        switch (name)
        {
            case "invalid-utf8.txt":
                File.WriteAllBytes(path, [.. "Title\n\nSome text "u8, 0xFF, 0xFE, 0xC3, 0x28, .. " more text.\n"u8]);
                break;
            case "junk.html":
                var junk = new byte[64 * 1024];
                new Random(3).NextBytes(junk);
                File.WriteAllBytes(path, junk);
                break;
            case "one-line-50mb.html":
                using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
                {
                    writer.Write("<html><head><title>Huge</title></head><body><article><p>");
                    var words = "lorem ipsum dolor sit amet consectetur adipiscing elit ";
                    for (var written = 0L; written < 50L * 1024 * 1024; written += words.Length)
                    {
                        writer.Write(words);
                    }

                    writer.Write("</p></article></body></html>");
                }

                break;
            case "nested.html":
                File.WriteAllText(path, "<html><head><title>Deep</title></head><body><article>" + string.Concat(Enumerable.Repeat("<div>", 200_000))
                    + "<p>Deep text.</p>" + string.Concat(Enumerable.Repeat("</div>", 200_000)) + "</article></body></html>");
                break;
            case "billion-laughs.xml":
                File.WriteAllText(path, Wxr("""
                    <!DOCTYPE lolz [
                     <!ENTITY lol "lol">
                     <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                     <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
                     <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
                     <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
                     <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
                     <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
                     <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
                     <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
                     <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
                    ]>
                    """, "&lol9;"));
                break;
            case "external-entity.xml":
                File.WriteAllText(path, Wxr("""<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>""", "&xxe;"));
                break;
        }

        return path;
    }

    private static string Wxr(string doctype, string content) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        {doctype}
        <rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <channel><title>Export</title>
        <item><title>Laughs</title><dc:creator>ann</dc:creator><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
        <content:encoded>{content}</content:encoded></item>
        </channel></rss>
        """;
}
