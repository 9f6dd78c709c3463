using Clippings.Text;

namespace Clippings.Tests.Text;

public class SentenceSplitterTests
{
    [Fact]
    public void SplitsOnSentenceEndsAndKeepsExactOffsets()
    {
        const string text = "Mr. Spectator went out. He saw No. 10 on the door! Was it G. K. Chesterton? \"Yes,\" said he.\n\nA new paragraph";
        var sentences = SentenceSplitter.Split(text);
        Assert.Equal(
            ["Mr. Spectator went out.", "He saw No. 10 on the door!", "Was it G. K. Chesterton?", "\"Yes,\" said he.", "A new paragraph"],
            sentences.Select(s => s.Text));
        Assert.All(sentences, s => Assert.Equal(s.Text, text[s.Start..s.End]));
    }

    [Fact]
    public void VerseLinesStayInOneSentenceWithinAParagraph()
    {
        const string text = "Thus the line\nruns on and on\nto the end.";
        Assert.Single(SentenceSplitter.Split(text));
    }

    [Fact]
    public void SplitsARangeWithOffsetsIntoTheWholeText()
    {
        const string text = "First one. Second one. Third one.";
        var sentences = SentenceSplitter.Split(text, 11, text.Length);
        Assert.Equal("Second one.", sentences[0].Text);
        Assert.Equal(11, sentences[0].Start);
    }

    [Fact]
    public void LowerCaseAfterAPeriodDoesNotEndASentence()
    {
        Assert.Single(SentenceSplitter.Split("It was 3 p.m. and still raining."));
    }
}
