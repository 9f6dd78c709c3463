using Clippings.Archive;
using Clippings.Retrieval;
using Clippings.Storage;

namespace Clippings.Tests.Retrieval;

public class QueryAnalyzerTests
{
    private static readonly ArchiveCatalog Catalog = new(
        [
            Summary("fed-10", "Federalist No. 10: The Union as a Safeguard", ["James Madison"], "The New-York Packet", "Federalist", new DateOnly(1787, 11, 22)),
            Summary("fed-18", "Federalist No. 18: The Same Subject", ["James Madison", "Alexander Hamilton"], "The Independent Journal", "Federalist", new DateOnly(1787, 12, 7)),
            Summary("spec-329", "The Spectator, No. 329", ["Joseph Addison"], "The Spectator", "The Spectator", new DateOnly(1712, 3, 18)),
            Summary("elia-old-china", "Old China", ["Charles Lamb"], "The London Magazine", "Last Essays of Elia", new DateOnly(1823, 3, 1), DatePrecision.Month),
            Summary("gkc-hat", "On Running After One's Hat", ["G. K. Chesterton"], "The Illustrated London News", "All Things Considered", new DateOnly(1908, 1, 1), DatePrecision.Year),
        ],
        [
            new AuthorSummary("James Madison", "Fourth president.", 2, null, null),
            new AuthorSummary("Charles Lamb", "Essayist.", 1, null, null),
        ]);

    private readonly QueryAnalyzer _analyzer = new();

    [Fact]
    public void RecognisesAnAuthorByLastNameAndPossessive()
    {
        var plan = _analyzer.Analyze("What did Madison's papers say about faction?", Catalog);
        Assert.Equal(["James Madison"], plan.Authors);
        Assert.Equal(["James Madison"], plan.Filter.Authors);
    }

    [Fact]
    public void LowerCaseCommonWordIsNotAnAuthor()
    {
        var plan = _analyzer.Analyze("How should a lamb be roasted?", Catalog);
        Assert.Empty(plan.Authors);
        Assert.Null(plan.Filter.Authors);
    }

    [Fact]
    public void InitialsAreOptionalInAuthorNames()
    {
        Assert.Equal(["G. K. Chesterton"], _analyzer.Analyze("What does Chesterton say about hats?", Catalog).Authors);
        Assert.Equal(["G. K. Chesterton"], _analyzer.Analyze("What does GK Chesterton say about hats?", Catalog).Authors);
    }

    [Theory]
    [InlineData("Which papers appeared in 1788?", "1788-01-01", "1788-12-31")]
    [InlineData("What was written before 1712?", null, "1711-12-31")]
    [InlineData("Essays from the 1750s", "1750-01-01", "1759-12-31")]
    [InlineData("What ran in December 1787?", "1787-12-01", "1787-12-31")]
    [InlineData("What came out on 27 October 1787?", "1787-10-27", "1787-10-27")]
    [InlineData("What came out on October 27, 1787?", "1787-10-27", "1787-10-27")]
    [InlineData("Which paper came out on Christmas Day 1711?", "1711-12-25", "1711-12-25")]
    [InlineData("Pieces between 1820 and 1825", "1820-01-01", "1825-12-31")]
    [InlineData("Find our pieces on transport since 2020", "2020-01-01", null)]
    [InlineData("What did he write after 1800?", "1801-01-01", null)]
    public void TurnsDatesIntoRanges(string question, string? from, string? to)
    {
        var plan = _analyzer.Analyze(question, Catalog);
        Assert.Equal(from is null ? null : DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), plan.Filter.From);
        Assert.Equal(to is null ? null : DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), plan.Filter.To);
    }

    [Fact]
    public void ABareYearIsATopicNotADateFilter()
    {
        var plan = _analyzer.Analyze("What did Madison write about the War of 1812?", Catalog);
        Assert.Null(plan.Filter.From);
        Assert.Null(plan.Filter.To);
    }

    [Fact]
    public void SeriesNumbersNameArticles()
    {
        var plan = _analyzer.Analyze("According to Federalist No. 10, what is a faction?", Catalog);
        Assert.Equal(["fed-10"], plan.NamedArticleIds);
        Assert.Equal(["fed-10"], plan.Filter.ArticleIds);
    }

    [Fact]
    public void SeveralSeriesNumbersInOneReference()
    {
        var plan = _analyzer.Analyze("How do Federalist Nos. 10 and 18 differ?", Catalog);
        Assert.Equal(["fed-10", "fed-18"], plan.NamedArticleIds);
    }

    [Fact]
    public void AMissingSeriesNumberIsReported()
    {
        var plan = _analyzer.Analyze("How does the very first number of The Spectator begin?", Catalog);
        Assert.Empty(plan.NamedArticleIds);
        Assert.Equal("Spectator No. 1", plan.MissingArticle);
    }

    [Fact]
    public void QuotedTitlesNameArticles()
    {
        var plan = _analyzer.Analyze("In 'Old China', what does Bridget say?", Catalog);
        Assert.Equal(["elia-old-china"], plan.NamedArticleIds);
    }

    [Fact]
    public void PublicationIsPreferredToItsSection()
    {
        var plan = _analyzer.Analyze("Which Federalist papers were printed in The New-York Packet during December 1787?", Catalog);
        Assert.Equal(["The New-York Packet"], plan.Filter.Sections);
        Assert.Equal(QuestionIntent.ArticleList, plan.Intent);
    }

    [Fact]
    public void ASpectatorIsNotTheSpectator()
    {
        var plan = _analyzer.Analyze("What does a spectator at a play notice?", Catalog);
        Assert.Empty(plan.Sections);
    }

    [Theory]
    [InlineData("Who was Charles Lamb?", QuestionIntent.AuthorProfile)]
    [InlineData("Tell me about Madison", QuestionIntent.AuthorProfile)]
    [InlineData("What have we said about faction?", QuestionIntent.Coverage)]
    [InlineData("Have we written about china before?", QuestionIntent.Coverage)]
    [InlineData("Which essays did Lamb publish in 1823?", QuestionIntent.ArticleList)]
    [InlineData("Which of Lamb's essays describe blue china cups?", QuestionIntent.Passages)]
    [InlineData("What does Madison say is the cause of faction?", QuestionIntent.Passages)]
    public void DetectsIntent(string question, QuestionIntent intent)
    {
        Assert.Equal(intent, _analyzer.Analyze(question, Catalog).Intent);
    }

    [Fact]
    public void CoverageKeepsTheTopic()
    {
        var plan = _analyzer.Analyze("What have we said about the size of a republic?", Catalog);
        Assert.Equal("the size of a republic", plan.Topic);
    }

    [Fact]
    public void JointlyRequiresEveryAuthor()
    {
        var plan = _analyzer.Analyze("Which Federalist papers are credited jointly to Madison and Hamilton?", Catalog);
        Assert.True(plan.RequireAllAuthors);
        Assert.Equal(QuestionIntent.ArticleList, plan.Intent);
    }

    [Fact]
    public void ArticleScopeHoldsUntilTheQuestionWidens()
    {
        Assert.Equal("elia-old-china", _analyzer.Analyze("What does the author mean by the old blue china?", Catalog, null, "elia-old-china").ScopedArticleId);
        Assert.Null(_analyzer.Analyze("Has this magazine written about china before?", Catalog, null, "elia-old-china").ScopedArticleId);
    }

    [Fact]
    public void CallerFiltersWin()
    {
        var filter = new SearchFilter { Authors = ["Charles Lamb"] };
        var plan = _analyzer.Analyze("What did Madison write?", Catalog, filter);
        Assert.Equal(["Charles Lamb"], plan.Filter.Authors);
    }

    [Fact]
    public void MetadataQuestionsAreRecognised()
    {
        Assert.True(_analyzer.Analyze("Who wrote Federalist No. 10?", Catalog).AsksForMetadata);
        Assert.True(_analyzer.Analyze("When and in which newspaper did it first appear?", Catalog).AsksForMetadata);
        Assert.False(_analyzer.Analyze("What is a faction?", Catalog).AsksForMetadata);
    }

    private static ArticleSummary Summary(string id, string title, string[] authors, string publication, string section, DateOnly date, DatePrecision precision = DatePrecision.Day) =>
        new(id, title, authors, publication, section, date, precision, $"https://example.org/{id}");
}
