using Clippings.Retrieval;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Retrieval;

/// <summary>
/// Query understanding of questions as readers type them, on more than one real archive: samples/archive (always),
/// the shared corpus and the Go blog (when they sit beside the repository).
/// </summary>
public sealed class ReaderQuestionTests
{
    private readonly QueryAnalyzer _analyzer = new();

    [Theory]
    [InlineData("what did maren holt write about the ferry", "Maren Holt")]
    [InlineData("does tobias think bacon belongs in chowder", "Tobias Achterberg")]
    [InlineData("what has lucia serrano written", "Lucia Serrano")]
    public async Task Names_in_any_case_and_first_names_on_the_sample_archive(string question, string author)
    {
        var plan = _analyzer.Analyze(question, await ArchiveCatalogs.SamplesAsync());
        Assert.Equal([author], plan.Filter.Authors);
    }

    [SharedCorpusTheory]
    [InlineData("who was g k chesterton", "G. K. Chesterton")]
    [InlineData("madison on factions", "James Madison")]
    [InlineData("lamb on chimney sweepers", "Charles Lamb")]
    public async Task Names_in_any_case_on_the_shared_corpus(string question, string author)
    {
        var plan = _analyzer.Analyze(question, await ArchiveCatalogs.SharedCorpusAsync());
        Assert.Equal([author], plan.Authors);
    }

    [SharedCorpusFact]
    public async Task A_common_word_in_lowercase_is_not_an_author()
    {
        var plan = _analyzer.Analyze("how should a lamb be roasted?", await ArchiveCatalogs.SharedCorpusAsync());
        Assert.Empty(plan.Authors);
    }

    [Fact]
    public async Task A_misspelt_name_is_read_as_the_one_close_author_and_said_on_the_sample_archive()
    {
        var plan = _analyzer.Analyze("what has Tobias Achterburg written", await ArchiveCatalogs.SamplesAsync());
        Assert.Equal(["Tobias Achterberg"], plan.Filter.Authors);
        Assert.Equal(QuestionIntent.ArticleList, plan.Intent);
        Assert.Contains(plan.Notes, n => n.Contains("Achterburg", StringComparison.Ordinal) && n.Contains("Tobias Achterberg", StringComparison.Ordinal));
    }

    [SharedCorpusTheory]
    [InlineData("alexander hamliton on the judiciary", "Alexander Hamilton")]
    [InlineData("samuel jonson on the vanity of authors", "Samuel Johnson")]
    public async Task A_misspelt_name_is_read_as_the_one_close_author_on_the_shared_corpus(string question, string author)
    {
        var plan = _analyzer.Analyze(question, await ArchiveCatalogs.SharedCorpusAsync());
        Assert.Equal([author], plan.Authors);
        Assert.NotEmpty(plan.Notes);
    }

    [SharedDataFact("corpus-modern")]
    public async Task Team_bylines_are_a_filter_only_when_asked_by_on_the_go_blog()
    {
        var catalog = await ArchiveCatalogs.GoBlogAsync();
        Assert.Empty(_analyzer.Analyze("what did the go team announce about modules", catalog).Authors);
        Assert.Equal(["ian lance taylor"], _analyzer.Analyze("ian lance tailor on why generics", catalog).Authors.Select(a => a.ToLowerInvariant()));
        Assert.NotEmpty(_analyzer.Analyze("posts by the go team", catalog).Authors);
    }

    [Fact]
    public async Task Who_writes_for_lists_the_authors_and_the_publication_is_no_filter_on_the_sample_archive()
    {
        var catalog = await ArchiveCatalogs.SamplesAsync();
        foreach (var question in new[] { "Who writes for this publication?", "who writes for the harbour review", "who are the columnists?" })
        {
            var plan = _analyzer.Analyze(question, catalog);
            Assert.Equal(QuestionIntent.AuthorList, plan.Intent);
            Assert.Null(plan.Filter.Authors);
        }
    }

    [SharedCorpusFact]
    public async Task Who_writes_for_a_section_lists_its_authors_on_the_shared_corpus()
    {
        var plan = _analyzer.Analyze("who writes for the spectator?", await ArchiveCatalogs.SharedCorpusAsync());
        Assert.Equal(QuestionIntent.AuthorList, plan.Intent);
        Assert.Equal(["The Spectator"], plan.Filter.Sections);
    }

    /// <summary>Every question the bot offers (welcome examples and answer suggestions) must be understood, for every author.</summary>
    [Fact]
    public async Task Every_suggested_question_is_understood_on_the_sample_archive() => AssertSuggestionsUnderstood(await ArchiveCatalogs.SamplesAsync());

    [SharedCorpusFact]
    public async Task Every_suggested_question_is_understood_on_the_shared_corpus() => AssertSuggestionsUnderstood(await ArchiveCatalogs.SharedCorpusAsync());

    [SharedDataFact("corpus-modern")]
    public async Task Every_suggested_question_is_understood_on_the_go_blog() => AssertSuggestionsUnderstood(await ArchiveCatalogs.GoBlogAsync());

    private void AssertSuggestionsUnderstood(ArchiveCatalog catalog)
    {
        foreach (var author in catalog.Authors.Where(a => a.ArticleCount > 0))
        {
            var profile = _analyzer.Analyze($"Who is {author.Name}?", catalog);
            Assert.True(profile.Intent == QuestionIntent.AuthorProfile && profile.Authors.Contains(author.Name), $"Who is {author.Name}? → {profile.Intent} [{string.Join(", ", profile.Authors)}]");
            var more = _analyzer.Analyze($"What else has {author.Name} written here?", catalog);
            Assert.True(more.Intent == QuestionIntent.ArticleList && more.Filter.Authors?.Contains(author.Name) == true, $"What else has {author.Name} written here? → {more.Intent} [{string.Join(", ", more.Filter.Authors ?? [])}]");
        }

        foreach (var section in catalog.SectionNames)
        {
            var plan = _analyzer.Analyze($"Which pieces appeared in {section}?", catalog);
            Assert.True(plan.Intent == QuestionIntent.ArticleList, $"Which pieces appeared in {section}? → {plan.Intent}");
        }
    }

    [Fact]
    public async Task First_and_latest_order_a_listing_on_the_sample_archive()
    {
        var catalog = await ArchiveCatalogs.SamplesAsync();
        var latest = _analyzer.Analyze("latest Council Watch column", catalog);
        Assert.Equal((QuestionIntent.ArticleList, DateOrder.NewestFirst), (latest.Intent, latest.Order));
        Assert.Equal(["Council Watch"], latest.Filter.Sections);
        var first = _analyzer.Analyze("what was the first piece Maren Holt wrote for us?", catalog);
        Assert.Equal((QuestionIntent.ArticleList, DateOrder.OldestFirst), (first.Intent, first.Order));
        Assert.Equal(DateOrder.None, _analyzer.Analyze("When did \"The Crane on Gull Quay\" first appear?", catalog).Order);
    }

    [SharedCorpusFact]
    public async Task First_and_latest_order_a_listing_on_the_shared_corpus()
    {
        var catalog = await ArchiveCatalogs.SharedCorpusAsync();
        var last = _analyzer.Analyze("the last rambler essay", catalog);
        Assert.Equal((QuestionIntent.ArticleList, DateOrder.NewestFirst), (last.Intent, last.Order));
        Assert.Equal(["The Rambler"], last.Filter.Sections);
        var earliest = _analyzer.Analyze("addison's earliest spectator here", catalog);
        Assert.Equal((QuestionIntent.ArticleList, DateOrder.OldestFirst), (earliest.Intent, earliest.Order));
        Assert.Equal(["Joseph Addison"], earliest.Filter.Authors);
    }

    [Fact]
    public async Task Ranges_between_two_months_and_since_a_year_on_the_sample_archive()
    {
        var catalog = await ArchiveCatalogs.SamplesAsync();
        var between = _analyzer.Analyze("what did we publish between march 2020 and june 2021?", catalog);
        Assert.Equal((new DateOnly(2020, 3, 1), new DateOnly(2021, 6, 30)), (between.Filter.From!.Value, between.Filter.To!.Value));
        Assert.Equal(QuestionIntent.ArticleList, between.Intent);
        Assert.Equal(QuestionIntent.ArticleList, _analyzer.Analyze("pieces since 2025", catalog).Intent);
    }

    [Fact]
    public async Task A_date_outside_the_archive_is_a_premise_refused_with_the_reason_on_the_sample_archive()
    {
        var catalog = await ArchiveCatalogs.SamplesAsync();
        var plan = _analyzer.Analyze("what did we publish in 2017?", catalog);
        Assert.Contains("2019", plan.PremiseProblem, StringComparison.Ordinal);
        Assert.Contains("2030", _analyzer.Analyze("what did the review say about the 2030 olympics?", catalog).PremiseProblem, StringComparison.Ordinal);
        Assert.Null(_analyzer.Analyze("what did we publish in 2021?", catalog).PremiseProblem);
    }

    [SharedCorpusFact]
    public async Task A_date_outside_an_authors_years_is_a_premise_on_the_shared_corpus()
    {
        var plan = _analyzer.Analyze("what did lamb write in 1850?", await ArchiveCatalogs.SharedCorpusAsync());
        Assert.Contains("Charles Lamb", plan.PremiseProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mentions_apart_from_the_writers_own_are_a_text_match_not_an_author_filter_on_the_sample_archive()
    {
        var plan = _analyzer.Analyze("pieces that mention Maren Holt, apart from her own", await ArchiveCatalogs.SamplesAsync());
        Assert.Equal("Maren Holt", plan.MentionedName);
        Assert.Equal(["Maren Holt"], plan.ExcludedAuthors);
        Assert.Null(plan.Filter.Authors);
    }

    [SharedCorpusFact]
    public async Task Mentions_apart_from_the_writers_own_on_the_shared_corpus()
    {
        var plan = _analyzer.Analyze("pieces that mention addison, apart from his own", await ArchiveCatalogs.SharedCorpusAsync());
        Assert.Equal("Joseph Addison", plan.MentionedName);
        Assert.Equal(["Joseph Addison"], plan.ExcludedAuthors);
    }

    [Fact]
    public async Task A_column_nobody_writes_and_a_byline_nobody_has_are_premises_on_the_sample_archive()
    {
        var catalog = await ArchiveCatalogs.SamplesAsync();
        Assert.Contains("sports", _analyzer.Analyze("who writes the sports column?", catalog).PremiseProblem, StringComparison.Ordinal);
        Assert.Equal(["Tobias Achterberg"], _analyzer.Analyze("who writes the food column", catalog).Authors);
    }

    [SharedCorpusFact]
    public async Task A_byline_nobody_has_is_a_premise_on_the_shared_corpus()
    {
        Assert.Contains("Jane Austen", _analyzer.Analyze("essays by jane austen", await ArchiveCatalogs.SharedCorpusAsync()).PremiseProblem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GK Chesterton", "G. K. Chesterton", 0)]
    [InlineData("seranno", "serrano", 2)]
    [InlineData("hamliton", "hamilton", 1)]
    [InlineData("achterburg", "achterberg", 1)]
    public void Edit_distance_counts_a_swap_as_one(string a, string b, int expected) =>
        Assert.Equal(expected, a == "GK Chesterton" ? 0 : NameRecogniser.EditDistance(a, b));
}
