using Clippings.Server.Tests.TestSupport;

namespace Clippings.Server.Tests.Hosting;

/// <summary>What the host does at start so the first and the concurrent requests are answered promptly.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task TheHostRaisesTheMinimumWorkerThreads()
    {
        await using var host = await ServerHost.StartAsync();

        ThreadPool.GetMinThreads(out var workers, out _);

        Assert.True(workers >= Environment.ProcessorCount * 16, $"min worker threads {workers}, expected at least {Environment.ProcessorCount * 16}");
    }

    [Fact]
    public async Task TheArchiveIsWarmedUpInTheBackgroundAtStart()
    {
        await using var host = await ServerHost.StartAsync();

        // No request is made: the catalog, encoder and search snapshot are loaded by the host itself.
        Assert.True(
            await host.Log.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Warmed up", StringComparison.Ordinal), 60_000),
            "no warm-up event within 60 s; events: " + string.Join(" | ", host.Log.Events.Select(e => e.RenderMessage(null))));
        var warmedUp = host.Log.Events.First(e => e.MessageTemplate.Text.StartsWith("Warmed up", StringComparison.Ordinal));
        Assert.NotNull(CapturedLog.Property(warmedUp, "ElapsedMs"));
    }
}
