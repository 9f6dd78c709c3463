using Clippings.Archive;
using Clippings.Retrieval;
using Clippings.Retrieval.Understanding;
using Clippings.Storage;

namespace Clippings.Tests.Retrieval.Understanding;

/// <summary>Each recogniser on its own, over a draft prepared by the steps it relies on.</summary>
public class RecogniserTests
{
    private static readonly ArchiveCatalog Catalog = new(
        [
            Summary("fed-10", "Federalist No. 10: The Union as a Safeguard", ["James Madison"], "The New-York Packet", "Federalist", new DateOnly(1787, 11, 22)),
            Summary("fed-51", "Federalist No. 51: The Structure of the Government", ["James Madison"], "The Independent Journal", "Federalist", new DateOnly(1788, 2, 6)),
            Summary("elia-sweeps", "The Praise of Chimney-Sweepers", ["Charles Lamb"], "The London Magazine", "Essays of Elia", new DateOnly(1822, 5, 1)),
            Summary("tide-eel", "Eel grass survey counts the meadows", ["Maren Holt"], "Harbour Times", "Tidelines", new DateOnly(2024, 6, 3)),
            Summary("table-oyster", "The oyster season opens", ["Ada Quill"], "Harbour Times", "Table Talk", new DateOnly(2024, 9, 14)),
        ],
        [
            new AuthorSummary("James Madison", "Fourth president.", 2, null, null),
            new AuthorSummary("Charles Lamb", "Essayist.", 1, null, null),
            new AuthorSummary("Maren Holt", "Writes Tidelines, the column on the bay's ecology.", 1, null, null),
            new AuthorSummary("Ada Quill", "Food writer: the Table Talk column on restaurants and the harbour's food.", 1, null, null),
        ]);

    private static QuestionDraft Run(string question, params IQuestionRecogniser[] steps)
    {
        var draft = new QuestionDraft(question, Catalog);
        foreach (var step in steps)
        {
            step.Recognise(draft);
        }

        return draft;
    }

    [Theory]
    [InlineData("what ran on 27 october 1787?", "1787-10-27", "1787-10-27", DatePrecision.Day)]
    [InlineData("papers from december 1787", "1787-12-01", "1787-12-31", DatePrecision.Month)]
    [InlineData("essays of the 1820s", "1820-01-01", "1829-12-31", DatePrecision.Year)]
    [InlineData("anything since 2020?", "2020-01-01", null, DatePrecision.Year)]
    [InlineData("what did the blog announce in early 2018?", "2018-01-01", "2018-04-30", DatePrecision.Month)]
    [InlineData("posts from late 2019", "2019-09-01", "2019-12-31", DatePrecision.Month)]
    [InlineData("papers from the summer of 1788", "1788-06-01", "1788-08-31", DatePrecision.Month)]
    [InlineData("what ran in mid-2020", "2020-05-01", "2020-08-31", DatePrecision.Month)]
    [InlineData("the second half of 1787", "1787-07-01", "1787-12-31", DatePrecision.Month)]
    [InlineData("anything from winter 2020?", "2019-12-01", "2020-02-29", DatePrecision.Month)]
    public void Dates_become_one_range_at_the_precision_used_and_their_words_are_claimed(string question, string from, string? to, DatePrecision precision)
    {
        var draft = Run(question, new DateRecogniser());
        Assert.NotNull(draft.Dates);
        Assert.Equal(DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), draft.Dates!.From);
        Assert.Equal(to is null ? null : DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture), draft.Dates.To);
        Assert.Equal(precision, draft.Dates.Precision);
        var phrase = Assert.Single(draft.Dates.Phrases);
        var at = draft.Text.IndexOf(phrase, StringComparison.Ordinal);
        Assert.True(draft.IsClaimed(at, at + phrase.Length));
    }

    [Fact]
    public void A_bare_year_is_not_a_date() => Assert.Null(Run("what caused the war of 1812?", new DateRecogniser()).Dates);

    [Fact]
    public void Names_start_as_writers_and_a_typo_is_told()
    {
        var draft = Run("what did charles lmab write about chimney sweeps?", new AuthorNameRecogniser());
        Assert.Equal(["Charles Lamb"], draft.Writers);
        Assert.Contains(draft.Notes, n => n.Contains("Charles Lamb", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mentioned_author_is_no_writer_and_apart_from_their_own_leaves_them_out()
    {
        var mentioned = Run("which pieces mention James Madison?", new AuthorNameRecogniser(), new MentionRecogniser());
        Assert.Empty(mentioned.Writers);
        Assert.Equal(new AuthorRole("James Madison", AuthorRoleKind.Mentioned), Assert.Single(mentioned.Roles));

        var excluded = Run("pieces that mention madison, apart from his own", new AuthorNameRecogniser(), new MentionRecogniser());
        Assert.Equal(AuthorRoleKind.Excluded, Assert.Single(excluded.Roles).Role);
        Assert.Equal("James Madison", excluded.MentionedName);
    }

    [Theory]
    [InlineData("the latest tidelines column", DateOrder.NewestFirst, "tidelines column")]
    [InlineData("what was the very first federalist paper about", DateOrder.OldestFirst, "federalist paper about")]
    [InlineData("when did the oyster season first appear?", DateOrder.None, null)]
    public void Order_words_are_read_with_what_they_order(string question, DateOrder order, string? subject)
    {
        var draft = Run(question, new OrderRecogniser());
        Assert.Equal(order, draft.Order);
        Assert.Equal(subject, draft.OrderSubject);
    }

    [Fact]
    public void A_described_author_is_found_by_their_note() =>
        Assert.Equal(["Ada Quill"], Run("who writes about restaurants and food here?", new AuthorNameRecogniser(), new AuthorByBioRecogniser()).Writers);

    [Fact]
    public void Series_numbers_name_articles_and_a_number_never_reached_is_missing()
    {
        var named = Run("how do federalist nos. 10 and 51 use the size of the republic?", new SectionRecogniser(), new ArticleReferenceRecogniser());
        Assert.Equal(["fed-10", "fed-51"], named.NamedArticleIds);
        Assert.Contains(named.Claims, c => c.By == nameof(ArticleReferenceRecogniser));

        var missing = Run("what does Federalist No. 90 say?", new SectionRecogniser(), new ArticleReferenceRecogniser());
        Assert.Empty(missing.NamedArticleIds);
        Assert.Equal("Federalist No. 90", missing.MissingArticle);
    }

    [Fact]
    public void Quoted_phrases_are_kept_and_a_quoted_title_names_its_article()
    {
        var draft = Run("what is \"The Praise of Chimney-Sweepers\" about, and what does 'sweet soot' mean?", new ArticleReferenceRecogniser());
        Assert.Equal(["elia-sweeps"], draft.NamedArticleIds);
        Assert.Equal(["The Praise of Chimney-Sweepers", "sweet soot"], draft.QuotedPhrases);
    }

    [Theory]
    [InlineData("what did Maren Holt write about the new airport?", "the new airport")]
    [InlineData("anything regarding the harbour crane, and who wrote it?", "the harbour crane")]
    [InlineData("Which tidelines columns did Maren Holt write?", null)]
    public void The_about_phrase_is_what_follows_about(string question, string? phrase) =>
        Assert.Equal(phrase, Run(question, new AboutPhraseRecogniser()).AboutPhrase);

    [Fact]
    public void Premise_checks_name_the_first_problem()
    {
        var steps = new IQuestionRecogniser[] { new DateRecogniser(), new AuthorNameRecogniser(), new SectionRecogniser(), new PremiseRecogniser() };
        Assert.Contains("nothing before 1 January 1600", Run("what was printed before 1600?", steps).Premise, StringComparison.Ordinal);
        Assert.Contains("No one named Jane Austen", Run("essays by jane austen", steps).Premise, StringComparison.Ordinal);
        Assert.Contains("so it has nothing on 2031", Run("what did we say about the 2031 regatta?", steps).Premise, StringComparison.Ordinal);
        Assert.Contains("no motoring column", Run("who writes the motoring column?", steps).Premise, StringComparison.Ordinal);
        Assert.Null(Run("what did madison say about factions in 1787?", steps).Premise);
    }

    [Theory]
    [InlineData("who writes for this paper?", QuestionIntent.AuthorList)]
    [InlineData("what have we said about the oyster season?", QuestionIntent.Coverage)]
    [InlineData("what else has maren holt written?", QuestionIntent.ArticleList)]
    [InlineData("who was charles lamb?", QuestionIntent.AuthorProfile)]
    [InlineData("what does the eel grass survey count?", QuestionIntent.Passages)]
    public void The_kind_is_decided_in_one_place(string question, QuestionIntent intent)
    {
        var draft = Run(question, new DateRecogniser(), new AuthorNameRecogniser(), new MentionRecogniser(), new OrderRecogniser(), new SectionRecogniser(), new IntentRecogniser());
        Assert.Equal(intent, draft.Intent);
    }

    private static readonly IQuestionRecogniser[] BeforeParts =
        [new DateRecogniser(), new AuthorNameRecogniser(), new MentionRecogniser(), new OrderRecogniser(), new SectionRecogniser(), new ArticleReferenceRecogniser(), new IntentRecogniser(), new QuestionPartsRecogniser()];

    [Theory]
    [InlineData("the eel grass survey and the oyster beds in the bay", "the eel grass survey", "the oyster beds in the bay")]
    [InlineData("lamb on chimney sweepers and on beggars", "lamb on chimney sweepers", "lamb on beggars")]
    [InlineData("what did madison say about majority factions and about the extended republic?", "what did madison say about majority factions", "what did madison say about the extended republic")]
    public void Two_subjects_are_two_parts(string question, string first, string second) =>
        Assert.Equal([first, second], Run(question, BeforeParts).Parts);

    [Theory]
    [InlineData("what did madison say about trade and commerce?")]
    [InlineData("how do federalist nos. 10 and 51 use the size of the republic?")]
    [InlineData("papers between 1787 and 1788 on the senate")]
    [InlineData("what did james madison and charles lamb have in common?")]
    [InlineData("which pieces mention madison and the senate?")]
    [InlineData("what happened to the oyster beds in 2024 and when did they recover?")]
    [InlineData("what did the very first program do, and what was the arrow used for in it?")]
    public void An_and_inside_one_subject_is_no_split(string question) =>
        Assert.Empty(Run(question, BeforeParts).Parts);

    [Theory]
    [InlineData("which pieces ran between the eel grass survey and the oyster season?", "eel grass survey", "oyster season")]
    [InlineData("Which posts did we publish between the Go 1.16 and Go 1.17 release announcements?", "Go 1.16 release announcements", "Go 1.17 release announcements")]
    [InlineData("what did we publish since the eel grass survey?", "eel grass survey", null)]
    public void A_listing_between_two_pieces_keeps_them_as_its_bounds(string question, string? after, string? before)
    {
        var plan = new QueryAnalyzer().Analyze(question, Catalog);
        Assert.True(plan.Intent == QuestionIntent.ArticleList, System.Text.Json.JsonSerializer.Serialize(plan));
        Assert.Equal(new EventRange(after, before), plan.Events);
    }

    [Fact]
    public void Two_pieces_a_question_compares_are_its_subject_not_bounds()
    {
        var plan = new QueryAnalyzer().Analyze("how did the meadows change between the eel grass survey and the oyster season?", Catalog);
        Assert.Equal(QuestionIntent.Passages, plan.Intent);
        Assert.Null(plan.Events);
        Assert.Equal(2, plan.Parts.Count);
    }

    [Fact]
    public void Dates_of_one_clause_only_favour_pieces_when_the_other_clause_asks_when()
    {
        var favoured = new QueryAnalyzer().Analyze("what happened to the eel grass in 2024 and when did the meadows come back?", Catalog);
        Assert.True(favoured.DatesFavourOnly);
        Assert.Null(favoured.Filter.From);
        Assert.NotNull(favoured.Dates);

        var scoped = new QueryAnalyzer().Analyze("which federalist paper came out on 22 november 1787, and who wrote it?", Catalog);
        Assert.False(scoped.DatesFavourOnly);
        Assert.Equal(new DateOnly(1787, 11, 22), scoped.Filter.From);
    }

    [Fact]
    public void A_scoped_conversation_stays_on_its_article_unless_the_question_widens_it()
    {
        var steps = new IQuestionRecogniser[] { new ArticleReferenceRecogniser(), new IntentRecogniser(), new ArticleScopeRecogniser() };
        var kept = new QuestionDraft("what does it say about meadows?", Catalog, scopedArticleId: "tide-eel");
        var widened = new QuestionDraft("have we written about meadows elsewhere?", Catalog, scopedArticleId: "tide-eel");
        foreach (var step in steps)
        {
            step.Recognise(kept);
            step.Recognise(widened);
        }

        Assert.Equal("tide-eel", kept.KeptScope);
        Assert.Null(widened.KeptScope);
    }

    private static ArticleSummary Summary(string id, string title, string[] authors, string publication, string section, DateOnly date) =>
        new(id, title, authors, publication, section, date, DatePrecision.Day, $"https://example.org/{id}");
}
