using Clippings.Tests.Robustness;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Cli;

/// <summary><c>clippings bench intents</c> as a user runs it, on samples/archive (read from its sources) and a small labelled set.</summary>
public sealed class BenchIntentsCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clippings-bench-intents-").FullName;

    [Fact]
    public async Task Scores_the_patterns_and_the_vote_per_archive_and_writes_its_section()
    {
        var questions = Path.Combine(_folder, "intents.jsonl");
        File.WriteAllLines(questions,
        [
            """{"id": "t1", "archive": "samples", "question": "who writes for the harbour review", "intent": "AuthorList"}""",
            """{"id": "t2", "archive": "samples", "question": "who is maren holt", "intent": "AuthorProfile"}""",
            """{"id": "t3", "archive": "samples", "question": "why did the bakery close", "intent": "Passages"}""",
        ]);
        var output = Path.Combine(_folder, "BENCHMARKS.md");

        var (exit, stdout, stderr) = await CliBinary.RunAsync(SharedCorpus.RepoRoot, "bench", "intents", "--questions", questions, "--out", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("| samples | 3 |", stdout, StringComparison.Ordinal);
        Assert.Contains("| **overall** | 3 |", stdout, StringComparison.Ordinal);
        Assert.Contains("Confusion, patterns first", stdout, StringComparison.Ordinal);
        Assert.Contains("<!-- bench:intents -->", File.ReadAllText(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_that_is_no_kind_is_one_clear_error()
    {
        var questions = Path.Combine(_folder, "bad.jsonl");
        File.WriteAllText(questions, """{"id": "t1", "archive": "samples", "question": "who writes here", "intent": "Opinion"}""" + "\n");

        var (exit, _, stderr) = await CliBinary.RunAsync(SharedCorpus.RepoRoot, "bench", "intents", "--questions", questions, "--out", Path.Combine(_folder, "B.md"));

        Assert.Equal(2, exit);
        Assert.Contains("intent 'Opinion' is none of", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
