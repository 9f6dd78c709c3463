using System.Globalization;
using System.Text;

namespace Clippings.Tests.Robustness;

/// <summary>
/// Small Markdown archives written for a test: articles of seeded pseudo-words, each carrying a unique marker word
/// and an edition word in every paragraph, so a test can tell which version of an article a passage came from.
/// </summary>
internal static class GeneratedArchive
{
    private static readonly string[] Syllables = ["ba", "ko", "ri", "sa", "te", "lu", "mo", "ne", "vi", "da", "pe", "go", "har", "bor", "lin", "ster"];

    public static void Write(string folder, int articles, int paragraphs, string edition, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        for (var i = 0; i < articles; i++)
        {
            var body = new StringBuilder();
            for (var p = 0; p < paragraphs; p++)
            {
                body.Append(CultureInfo.InvariantCulture, $"Marker{i:D3} edition{edition} ");
                for (var s = 0; s < 6; s++)
                {
                    var words = Enumerable.Range(0, 14).Select(_ => Word(random));
                    body.Append(Capitalize(string.Join(' ', words))).Append(". ");
                }

                body.AppendLine().AppendLine();
            }

            File.WriteAllText(Path.Combine(folder, $"piece-{i:D3}.md"),
                $"---\ntitle: Piece {i} {Word(random)}\nauthor: Ann Example\ndate: 2024-{1 + (i % 12):D2}-{1 + (i % 28):D2}\n---\n\n{body}");
        }
    }

    private static string Word(Random random) =>
        string.Concat(Enumerable.Range(0, 2 + random.Next(2)).Select(_ => Syllables[random.Next(Syllables.Length)]));

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
