using System.Text.Json;
using Clippings.Answering;
using Clippings.Insights;
using Clippings.Storage;
using Clippings.Tests.ChatModel;
using Clippings.Tests.Robustness;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clippings.Tests.Cli;

/// <summary>
/// <c>clippings insights</c> as an editor runs it, over a question log the server would have written and the sample index
/// (for titles): the JSON of <c>GET /api/insights</c>, a readable text report, and one clear line for a bad date or when off.
/// </summary>
public sealed class InsightsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-insights-cli-").FullName;

    [Fact]
    public async Task TheReportIsTheApisJsonOrAReadableSummary()
    {
        var logPath = Path.Combine(_folder, "questions.db");
        await WriteSettingsAsync(logPath, enabled: true);
        using (var log = new QuestionLog(Options.Create(new InsightsOptions { Path = logPath }), Options.Create(new IndexOptions()), TimeProvider.System, NullLogger<QuestionLog>.Instance))
        {
            var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
            foreach (var (question, channel) in new[] { ("Did we cover the lighthouse keepers' strike?", "msteams"), ("did we cover the lighthouse keepers strike", "directline"), ("Did we cover the lighthouse keepers' strke?", "msteams") })
            {
                await log.RecordAsync(new LoggedQuestion(yesterday, channel, question, true, RefusalReason.NothingFound, []));
            }

            await log.RecordAsync(new LoggedQuestion(yesterday, "api", "How much eel grass did the divers find?", false, RefusalReason.None, ["tidelines-eel-grass"]));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var (exit, stdout, stderr) = await CliBinary.RunAsync(_folder, "insights", "--json");
        Assert.True(exit == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["since", "until", "questions", "refused", "downrated", "topics", "mostCited"], report.EnumerateObject().Select(p => p.Name));
        var group = Assert.Single(report.GetProperty("refused").EnumerateArray());
        Assert.Equal(3, group.GetProperty("count").GetInt32());
        Assert.Equal(["directline", "msteams"], group.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("What the Eel Grass Knows", report.GetProperty("mostCited")[0].GetProperty("title").GetString());

        (exit, stdout, stderr) = await CliBinary.RunAsync(_folder, "insights");
        Assert.True(exit == 0, stderr);
        Assert.Contains("4 asked, 1 answered, 3 refused", stdout, StringComparison.Ordinal);
        Assert.Contains("Questions the archive could not answer", stdout, StringComparison.Ordinal);
        Assert.Contains("What the Eel Grass Knows", stdout, StringComparison.Ordinal);

        (exit, _, stderr) = await CliBinary.RunAsync(_folder, "insights", "--since", "yesterday");
        Assert.Equal(2, exit);
        Assert.Equal("error: since is 'yesterday'; use a date as yyyy-mm-dd, e.g. 2026-11-01.", stderr.Trim());
    }

    [Fact]
    public async Task SwitchedOffTheCommandSaysSoInOneLine()
    {
        await WriteSettingsAsync(Path.Combine(_folder, "questions.db"), enabled: false);
        var (exit, stdout, stderr) = await CliBinary.RunAsync(_folder, "insights", "--json");
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Equal("error: " + InsightsReporter.OffMessage, stderr.Trim());
    }

    private async Task WriteSettingsAsync(string logPath, bool enabled)
    {
        var settings = new { Clippings = new { Index = new { Provider = "sqlite", Path = await SampleArchiveIndex.PathAsync() }, Insights = new { Enabled = enabled, Path = logPath } } };
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), JsonSerializer.Serialize(settings));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
