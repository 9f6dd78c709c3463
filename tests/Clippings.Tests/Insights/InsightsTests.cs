using Clippings.Answering;
using Clippings.Insights;
using Clippings.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Clippings.Tests.Insights;

/// <summary>
/// The question log and the editors' report on the real core (local embedding model, SQLite log in a temp folder):
/// one question typed several ways is one refused group, distinct questions stay apart, retention deletes old
/// questions, the off switch logs nothing, and the report counts per day, channel and reason.
/// </summary>
public sealed class InsightsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 15, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-insights-").FullName;
    private readonly ITestOutputHelper _output;
    private readonly ManualClock _clock = new(Now);

    public InsightsTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static readonly string[] EelGrassVariants =
    [
        "Who wrote about the eel grass survey?",
        "who wrote about the eel grass survey",
        "WHO WROTE ABOUT THE EEL-GRASS SURVEY??",
        "Who wrote abuot the eel grass survey?",
        "Who wrote about the eelgrass survey?",
        "who wrote about the eel grass servey",
    ];

    public static readonly string[] DistinctQuestions =
    [
        "Who wrote about the oyster harvest?",
        "What did the council pay for the ferry timetable?",
        "Is there a piece on the lighthouse keepers' strike?",
        "Who wrote about the eel grass restoration funding?",
        "Who wrote about the eel grass survey in 2021?",
    ];

    [Fact]
    public async Task TypoAndCaseVariantsOfOneQuestionJoinAndDistinctQuestionsDoNot()
    {
        await using var services = Services();
        var log = services.GetRequiredService<QuestionLog>();
        var grouper = services.GetRequiredService<QuestionGrouper>();
        foreach (var variant in EelGrassVariants.Skip(1).Concat(DistinctQuestions))
        {
            _output.WriteLine($"cosine {await grouper.SimilarityAsync(EelGrassVariants[0], variant, CancellationToken.None):0.000}  trigrams {QuestionGrouper.SharedTrigrams(EelGrassVariants[0], variant):0.00}  {variant}");
        }

        var asked = 0;
        foreach (var question in EelGrassVariants.Concat(EelGrassVariants.Take(2)).Concat(DistinctQuestions))
        {
            _clock.Now = Now.AddMinutes(-60 + asked++);
            await log.RecordAnswerAsync(asked % 2 == 0 ? "msteams" : "webchat", question, Refusal(RefusalReason.NothingFound));
        }

        _clock.Now = Now;
        var report = await services.GetRequiredService<InsightsReporter>().BuildAsync(Query(services), CancellationToken.None);

        var eelGrass = report.Refused[0];
        Assert.Equal(EelGrassVariants.Length + 2, eelGrass.Count);
        Assert.Equal(EelGrassVariants[1], eelGrass.Question);   // the spelling asked most often (twice, and last)
        Assert.Equal(5, eelGrass.Examples.Count);
        Assert.Equal(["msteams", "webchat"], eelGrass.Channels);
        Assert.Equal(1 + DistinctQuestions.Length, report.Refused.Count);
        Assert.All(report.Refused.Skip(1), group => Assert.Equal(1, group.Count));
        Assert.Equal(DistinctQuestions.Order(StringComparer.Ordinal), report.Refused.Skip(1).Select(g => g.Question).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task QuestionsOlderThanTheRetentionPeriodAreDeleted()
    {
        await using var services = Services(new() { ["Clippings:Insights:RetentionDays"] = "7" });
        var log = services.GetRequiredService<QuestionLog>();
        _clock.Now = Now.AddDays(-8);
        await log.RecordAnswerAsync("webchat", "What did the harbour master say in 2019?", Answered("tidelines-eel-grass"));
        await log.RecordRatingAsync("webchat/conversation/old-answer", new LoggedRating(_clock.Now, "webchat", "dislike", "Old", "Old question", []));
        _clock.Now = Now.AddDays(-6);
        await log.RecordAnswerAsync("webchat", "Who is Maren Holt?", Answered("tidelines-eel-grass"));
        _clock.Now = Now;

        var everything = (Since: Now.AddYears(-1), Until: Now.AddDays(1));
        Assert.Equal(2, (await log.ReadQuestionsAsync(everything.Since, everything.Until, null, CancellationToken.None)).Count);
        Assert.Equal(2, await log.PruneAsync(CancellationToken.None));   // the old question and the old rating
        var kept = await log.ReadQuestionsAsync(everything.Since, everything.Until, null, CancellationToken.None);
        Assert.Equal(["Who is Maren Holt?"], kept.Select(q => q.Question));
        Assert.Empty(await log.ReadRatingsAsync(everything.Since, everything.Until, null, CancellationToken.None));
    }

    [Fact]
    public async Task SwitchedOffNothingIsLoggedAndTheReportSaysInsightsAreOff()
    {
        await using var services = Services(new() { ["Clippings:Insights:Enabled"] = "false" });
        var log = services.GetRequiredService<QuestionLog>();
        await log.RecordAnswerAsync("webchat", "Who wrote about the eel grass survey?", Refusal(RefusalReason.NothingFound));
        await log.RecordRatingAsync("webchat/c/a", new LoggedRating(Now, "webchat", "dislike", "No", "Q", []));

        Assert.False(File.Exists(log.FilePath));
        Assert.Empty(Directory.GetFiles(_folder, "insights*"));
        var error = await Assert.ThrowsAsync<ClippingsException>(() => services.GetRequiredService<InsightsReporter>().BuildAsync(Query(services), CancellationToken.None));
        Assert.Equal(InsightsReporter.OffMessage, error.Message);
    }

    [Fact]
    public async Task TheLogSitsBesideTheIndexAndHoldsOnlyTheQuestionItsOutcomeChannelAndTime()
    {
        await using var services = Services();
        var log = services.GetRequiredService<QuestionLog>();
        Assert.Equal(Path.Combine(_folder, "insights.db"), log.FilePath);
        await log.RecordRatingAsync("msteams/a:1secret-conversation/answer-7", new LoggedRating(Now, "msteams", "dislike", "Wrong year", "When did the ferry stop?", ["a"]));

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={log.FilePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'table'";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(1));
        }

        // No column for a user, conversation or message id; the rating's key is kept only as a hash.
        Assert.DoesNotContain(tables, sql => sql.Contains("user", StringComparison.OrdinalIgnoreCase) || sql.Contains("conversation", StringComparison.OrdinalIgnoreCase));
        using var hash = connection.CreateCommand();
        hash.CommandText = "SELECT answer_hash FROM ratings";
        Assert.Matches("^[0-9a-f]{64}$", (string)hash.ExecuteScalar()!);
    }

    [Fact]
    public async Task TheReportCountsPerDayChannelAndReasonListsDownratedAnswersTopicsAndCitedPieces()
    {
        await using var services = Services();
        var log = services.GetRequiredService<QuestionLog>();
        _clock.Now = Now.AddDays(-2);
        await log.RecordAnswerAsync("webchat", "How many oysters will the cooperative harvest?", Answered("table-talk-oyster-season"));
        await log.RecordAnswerAsync("msteams", "What do the oysters cost?", Answered("table-talk-oyster-season", "tidelines-eel-grass"));
        _clock.Now = Now.AddHours(-1);
        await log.RecordAnswerAsync("api", "Did we cover the lighthouse strike?", Refusal(RefusalReason.AbsentName));
        await log.RecordAnswerAsync("webchat", "???", Refusal(RefusalReason.NotAQuestion));
        await log.RecordRatingAsync("msteams/c1/a1", new LoggedRating(_clock.Now, "msteams", "like", "Wrong year", "What do the oysters cost?", ["table-talk-oyster-season"]));
        // The reader changed their mind: the second click replaces the first.
        await log.RecordRatingAsync("msteams/c1/a1", new LoggedRating(_clock.Now, "msteams", "dislike", "Wrong year", "What do the oysters cost?", ["table-talk-oyster-season"]));
        await log.RecordRatingAsync("webchat/c2/a2", new LoggedRating(_clock.Now, "webchat", "like", null, "How many oysters will the cooperative harvest?", []));
        _clock.Now = Now;

        var reporter = services.GetRequiredService<InsightsReporter>();
        var report = await reporter.BuildAsync(reporter.Query("2026-11-17", "2026-11-20"), CancellationToken.None);

        Assert.Equal(("2026-11-17", "2026-11-20"), (report.Since, report.Until));
        Assert.Equal((4, 2, 2), (report.Questions.Total, report.Questions.Answered, report.Questions.Refused));
        Assert.Equal(["2026-11-17:0/0", "2026-11-18:2/0", "2026-11-19:0/0", "2026-11-20:2/2"], report.Questions.ByDay.Select(d => $"{d.Date}:{d.Total}/{d.Refused}"));
        Assert.Equal(["webchat:2/1", "api:1/1", "msteams:1/0"], report.Questions.ByChannel.Select(c => $"{c.Channel}:{c.Total}/{c.Refused}"));
        Assert.Equal(["absent-name", "not-a-question"], report.Questions.RefusalReasons.Select(r => r.Reason));
        Assert.Equal(["Did we cover the lighthouse strike?"], report.Refused.Select(g => g.Question));   // "???" is counted, not listed

        var down = Assert.Single(report.Downrated);
        Assert.Equal(("What do the oysters cost?", "Wrong year", "msteams"), (down.Question, down.Comment, down.Channel));
        Assert.Equal(["table-talk-oyster-season"], down.Citations.Select(c => c.Id));
        Assert.Equal("oysters", report.Topics[0].Topic);
        Assert.Equal((2, 0), (report.Topics[0].Count, report.Topics[0].Refused));
        Assert.Equal(["table-talk-oyster-season:2", "tidelines-eel-grass:1"], report.MostCited.Select(c => $"{c.Id}:{c.Count}"));

        var channel = await reporter.BuildAsync(reporter.Query("2026-11-17", null, "MSTeams"), CancellationToken.None);
        Assert.Equal(1, channel.Questions.Total);
        Assert.Single(channel.Downrated);
        Assert.Throws<ClippingsException>(() => reporter.Query("2026-11-21", "2026-11-20"));
        Assert.Equal("since is '20/11/2026'; use a date as yyyy-mm-dd, e.g. 2026-11-01.", Assert.Throws<ClippingsException>(() => reporter.Query("20/11/2026")).Message);
    }

    [Theory]
    [InlineData("RetentionDays", "0")]
    [InlineData("SimilarityThreshold", "1.5")]
    [InlineData("MaxItems", "0")]
    public async Task OutOfRangeSettingsAreRefusedAtStart(string name, string value)
    {
        await using var services = Services(new() { ["Clippings:Insights:" + name] = value });
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains($"Clippings:Insights:{name} is '{value}'", error.Message, StringComparison.Ordinal);
    }

    private InsightsQuery Query(IServiceProvider services) => services.GetRequiredService<InsightsReporter>().Query(null);

    private static Answer Refusal(RefusalReason reason) => new() { Text = "I couldn't find anything.", Refused = true, RefusalReason = reason, Form = AnswerForm.NotFound };

    private static Answer Answered(params string[] articleIds) => new()
    {
        Text = "An answer.",
        Citations = articleIds.Select((id, i) => new Citation(i + 1, id, "Title", ["Author"], null, "2024-01-01", null, "Quote.", 0, 6)).ToList(),
    };

    /// <summary>The core over an index path in the temp folder (the index itself is never built: titles come back empty).</summary>
    private ServiceProvider Services(Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Clippings:Index:Provider"] = "sqlite",
            ["Clippings:Index:Path"] = Path.Combine(_folder, "index.db"),
            ["Clippings:Embeddings:Provider"] = "local",
            ["Clippings:Embeddings:Threads"] = "1",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddClippings(configuration);
        return services.BuildServiceProvider();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
