using Clippings.Server.Tests.TestSupport;

namespace Clippings.Server.Tests.Hosting;

/// <summary>The host starts the thread pool wide enough that short requests do not queue behind answers (see bench load).</summary>
public sealed class ThreadPoolTests
{
    [Fact]
    public async Task TheHostRaisesTheMinimumWorkerThreads()
    {
        await using var host = await ServerHost.StartAsync();

        ThreadPool.GetMinThreads(out var workers, out _);

        Assert.True(workers >= Environment.ProcessorCount * 16, $"min worker threads {workers}, expected at least {Environment.ProcessorCount * 16}");
    }
}
