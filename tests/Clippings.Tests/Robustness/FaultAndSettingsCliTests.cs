using System.Diagnostics;
using Clippings.Storage.Sqlite;
using Clippings.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace Clippings.Tests.Robustness;

/// <summary>
/// Issue 10, medium: the CLI as a child process meets bad settings files and values, a damaged index, a read-only index and
/// a second ingest on one index. Each gives one <c>error:</c> line (exit 2), never a stack trace.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FaultAndSettingsCliTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "clippings-faults-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public FaultAndSettingsCliTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
    }

    private string Samples => Path.Combine(SharedCorpus.RepoRoot, "samples", "archive");
    private string Index => Path.Combine(_folder, "index.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var (code, _, error) = await RunAsync("ingest", Samples, "--index", Index);
        Assert.True(code == 0, error);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(_folder))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("{ \"Clippings\": { ", "appsettings.json is not valid JSON at line 1, position 18")]
    [InlineData("", "appsettings.json is not valid JSON at line 1")]
    [InlineData("[1, 2]", "appsettings.json is not a valid settings file")]
    [InlineData("{\"Clippings\":{\"Retrieval\":{\"CandidatePassages\":\"lots\"}}}", "Clippings:Retrieval:CandidatePassages is 'lots'; allowed: a whole number.")]
    [InlineData("{\"Clippings\":{\"Retrieval\":{\"CandidatePassages\":0}}}", "Clippings:Retrieval:CandidatePassages is '0'; allowed: 1 to 1000.")]
    [InlineData("{\"Clippings\":{\"Retrieval\":{\"RelevanceThreshold\":5}}}", "Clippings:Retrieval:RelevanceThreshold is '5'; allowed: -1 to 1 (a cosine).")]
    [InlineData("{\"Clippings\":{\"Index\":{\"Path\":\"\"}}}", "Clippings:Index:Path is ''; allowed: a file path such as data/clippings.db.")]
    public async Task BadSettingsAreOneLineNamingTheFileOrSetting(string settings, string expected)
    {
        var work = Path.Combine(_folder, "work-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(work);
        await File.WriteAllTextAsync(Path.Combine(work, "appsettings.json"), settings);
        var arguments = settings.Contains("\"Path\"", StringComparison.Ordinal) ? new[] { "ask", "ferry" } : ["ask", "ferry", "--index", Index];
        var (code, _, error) = await RunInAsync(work, arguments);

        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADamagedIndexIsOneLineSayingHowToRebuild()
    {
        var damaged = Path.Combine(_folder, "damaged.db");
        File.Copy(Index, damaged);
        Corrupt(damaged);
        foreach (var arguments in new[] { new[] { "ask", "Who writes the food column?", "--index", damaged }, ["ingest", Samples, "--index", damaged] })
        {
            var (code, _, error) = await RunAsync(arguments);
            Assert.Equal(2, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"error: The index file {damaged} is damaged", line, StringComparison.Ordinal);
            Assert.Contains("clippings ingest", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AReadOnlyIndexIsReadByAskAndRefusedByIngestInOneLine()
    {
        var readOnly = Path.Combine(_folder, "read-only.db");
        File.Copy(Index, readOnly);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (asked, answer, askError) = await RunAsync("ask", "Who writes the food column?", "--index", readOnly);
        Assert.True(asked == 0, askError);
        Assert.Contains("Tobias Achterberg", answer, StringComparison.Ordinal);

        var (code, _, error) = await RunAsync("ingest", Path.Combine(Samples, Directory.EnumerateFiles(Samples).Order(StringComparer.Ordinal).First()), "--index", readOnly, "--prune");
        Assert.Equal(2, code);
        Assert.Equal($"error: The index file {readOnly} is read-only: this command needs to write to it. Make it writable, or use another file (--index).", error.Trim());
    }

    [Fact]
    public async Task ASecondIngestOfTheSameIndexRefusesInOneLine()
    {
        // The lock a running ingest holds (the same OS lock the CLI takes).
        using (new FileStream(Index + ".ingest-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
            var (code, _, error) = await RunAsync("ingest", Samples, "--index", Index);
            Assert.Equal(2, code);
            Assert.Equal($"error: Another ingest is writing {Index}. Wait for it to finish, then run this one: it will skip what the other stored.", error.Trim());
        }

        var (after, output, afterError) = await RunAsync("ingest", Samples, "--index", Index);
        Assert.True(after == 0, afterError);
        Assert.Contains("0 new, 0 updated, 20 unchanged", output, StringComparison.Ordinal);
    }

    [CanMountFact]
    public async Task AFullDiskIsOneLineWithWhatIsHeldAndTheRerunCompletes()
    {
        // A real full disk: a 160 KB tmpfs (the attribute skips, saying why, where mounting is not allowed).
        var disk = Path.Combine(_folder, "small-disk");
        Directory.CreateDirectory(disk);
        Assert.True(await ShellAsync("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", disk) == 0, "mounting a 160 KB tmpfs failed although this process may mount");

        try
        {
            var index = Path.Combine(disk, "index.db");
            var (code, _, error) = await RunAsync("ingest", Samples, "--index", index);
            Assert.Equal(2, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"error: The disk holding {index} is full.", line, StringComparison.Ordinal);
            Assert.Matches(@"The index now holds \d+ articles", line);

            Assert.Equal(0, await ShellAsync("mount", "-o", "remount,size=8m", disk));
            var (rerun, output, rerunError) = await RunAsync("ingest", Samples, "--index", index);
            Assert.True(rerun == 0, rerunError);
            Assert.Contains("0 failed", output, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await ShellAsync("umount", disk);
        }
    }

    private static async Task<int> ShellAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    [Fact]
    public void AFullDiskAndAReadOnlyWriteAreDescribedInOneSentence()
    {
        Assert.StartsWith("The disk holding /x/index.db is full. Every article already written is complete;",
            FaultReportingIndex.Describe(new SqliteException("database or disk is full", 13), "/x/index.db"), StringComparison.Ordinal);
        Assert.Null(FaultReportingIndex.Describe(new SqliteException("constraint failed", 19), "/x/index.db"));
    }

    /// <summary>Overwrites the middle of the file (the passages' pages), leaving the header: SQLite opens it, then reads garbage.</summary>
    internal static void Corrupt(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        var pages = file.Length / 4096;
        var noise = new byte[4096 * Math.Max(1, pages / 2)];
        new Random(10).NextBytes(noise);
        file.Position = 4096 * Math.Max(2, pages / 4);
        file.Write(noise);
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments) => RunInAsync(_folder, arguments);

    private static Task<(int Code, string Output, string Error)> RunInAsync(string workingDirectory, params string[] arguments) =>
        CliBinary.RunAsync(workingDirectory, arguments);
}

/// <summary>A fact that needs to mount a small tmpfs: it runs as root with CAP_SYS_ADMIN, and skips saying so elsewhere.</summary>
public sealed class CanMountFactAttribute : FactAttribute
{
    public CanMountFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !HasSysAdmin())
        {
            Skip = "mounting a tmpfs to fill a disk needs root with CAP_SYS_ADMIN (CI runs as root); this process has neither";
        }
    }

    private static bool HasSysAdmin()
    {
        // CapEff in /proc/self/status is a hex mask; CAP_SYS_ADMIN is bit 21.
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal)) : null;
        return line is not null && ulong.TryParse(line["CapEff:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var mask)
            && (mask & (1UL << 21)) != 0;
    }
}
