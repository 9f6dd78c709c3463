using System.Text.Json;
using Clippings.Tests.ChatModel;
using Clippings.Tests.Robustness;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Cli;

/// <summary><c>clippings calibrate</c> as a user runs it: several sets in one run, JSON per set, one clear line for a mistake.</summary>
public sealed class CalibrateCommandTests
{
    private static readonly string SamplesQuestions = Path.Combine(SharedCorpus.RepoRoot, "tests", "questions", "samples-archive.jsonl");

    [Fact]
    public async Task Two_sets_on_one_index_give_a_grid_each_and_the_configured_point_is_plain_eval()
    {
        var index = await SampleArchiveIndex.PathAsync();

        var (exit, stdout, stderr) = await CliBinary.RunAsync(null, "calibrate", "--questions", SamplesQuestions, "--questions", SamplesQuestions,
            "--index", index, "--relevance", "0.45,0.55", "--confident", "0.62", "--json");
        var (evalExit, evalOut, _) = await CliBinary.RunAsync(null, "eval", "--questions", SamplesQuestions, "--index", index, "--json");

        Assert.True(exit == 0, stderr);
        Assert.Equal(0, evalExit);
        var root = JsonDocument.Parse(stdout).RootElement;
        var eval = JsonDocument.Parse(evalOut).RootElement;
        var sets = root.GetProperty("sets");
        Assert.Equal(2, sets.GetArrayLength());
        foreach (var set in sets.EnumerateArray())
        {
            // 0.45 and 0.55, plus the configured 0.50 the grid always holds.
            Assert.Equal(3, set.GetProperty("points").GetArrayLength());
            var configured = set.GetProperty("configured");
            Assert.Equal(0.5, configured.GetProperty("relevance_threshold").GetDouble());
            Assert.Equal(eval.GetProperty("refusal_accuracy").GetDouble(), configured.GetProperty("refusal_accuracy").GetDouble());
            Assert.Equal(eval.GetProperty("false_refusal_rate").GetDouble(), configured.GetProperty("false_refusal_rate").GetDouble());
            Assert.Equal(eval.GetProperty("recall_at_5").GetDouble(), set.GetProperty("eval").GetProperty("recall_at_5").GetDouble());
            Assert.Equal(File.ReadLines(SamplesQuestions).Count(l => l.Trim().Length > 0), set.GetProperty("by_question").GetArrayLength());
        }

        Assert.Equal(0.5, root.GetProperty("common_best").GetProperty("relevance_threshold").GetDouble());
    }

    [Theory]
    [InlineData("--index", "a.db", "--index", "b.db", "--index", "c.db", "error: 2 --questions sets but 3 --index files")]
    [InlineData("--relevance", "0.6:0.4:0.05", null, null, null, null, "error: A threshold range needs from ≤ to")]
    [InlineData("--confident", "lots", null, null, null, null, "error: 'lots' is not a cosine between -1 and 1")]
    public async Task A_mistake_in_the_options_is_one_line_and_exit_code_2(string option, string value, string? option2, string? value2, string? option3, string? value3, string expected)
    {
        var args = new List<string> { "calibrate", "--questions", SamplesQuestions, "--questions", SamplesQuestions, option, value };
        if (option2 is not null)
        {
            args.AddRange([option2, value2!, option3!, value3!]);
        }

        var (exit, _, stderr) = await CliBinary.RunAsync(null, [.. args]);

        Assert.Equal(2, exit);
        Assert.StartsWith(expected, stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
