using System.Text.Json;
using Clippings.Archive;
using Clippings.Ingestion;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Ingestion;

public class PassageChunkerTests
{
    private readonly PassageChunker _chunker = new();

    [Fact]
    public void PassagesAreExactSlicesInOrderOnSentenceBoundaries()
    {
        var paragraphs = Enumerable.Range(1, 12).Select(p => string.Join(' ', Enumerable.Range(1, 6).Select(s => $"Paragraph {p} sentence {s} has exactly nine words in it.")));
        var article = new Article { Id = "a", Title = "T", Text = string.Join("\n\n", paragraphs) };
        var passages = _chunker.Split(article);
        Assert.True(passages.Count > 1);
        for (var i = 0; i < passages.Count; i++)
        {
            Assert.Equal(article.Text[passages[i].Start..passages[i].End], passages[i].Text);
            Assert.Equal(i, passages[i].Ordinal);
            Assert.EndsWith(".", passages[i].Text, StringComparison.Ordinal);
            Assert.InRange(Words(passages[i].Text), 50, 250);
            if (i > 0)
            {
                Assert.True(passages[i].Start > passages[i - 1].End);
            }
        }
    }

    [Fact]
    public void AnUnpunctuatedWallOfTextIsCutBetweenWords()
    {
        var article = new Article { Id = "w", Title = "T", Text = string.Join(' ', Enumerable.Repeat("word", 1000)) };
        var passages = _chunker.Split(article);
        Assert.True(passages.Count >= 4);
        Assert.All(passages, p => Assert.True(Words(p.Text) <= 250));
        Assert.All(passages, p => Assert.Equal(article.Text[p.Start..p.End], p.Text));
    }

    [SharedCorpusFact]
    public void EveryCorpusPassageIsAnExactSliceOfReasonableLength()
    {
        var oversized = 0;
        var total = 0;
        foreach (var line in File.ReadLines(SharedCorpus.Path("articles.jsonl")))
        {
            var element = JsonDocument.Parse(line).RootElement;
            var article = new Article { Id = element.GetProperty("id").GetString()!, Title = "t", Text = TextNormalizer.Join(element.GetProperty("body").GetString()!.Split("\n\n")) };
            var passages = _chunker.Split(article);
            Assert.NotEmpty(passages);
            foreach (var passage in passages)
            {
                Assert.Equal(article.Text[passage.Start..passage.End], passage.Text);
                total++;
                oversized += Words(passage.Text) > 300 ? 1 : 0;
            }
        }

        // Only very long single sentences (verse, lists) may run over; they are rare.
        Assert.True(oversized <= total / 100, $"{oversized} of {total} passages over 300 words");
    }

    private static int Words(string text) => text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;
}
