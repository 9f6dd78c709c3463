using Clippings.Storage;
using Clippings.Storage.Sqlite;
using Clippings.Tests.TestSupport;

namespace Clippings.Tests.Storage;

/// <summary>The index contract on the embedded SQLite index (always runs).</summary>
public sealed class SqliteArchiveIndexContractTests : ArchiveIndexContract
{
    protected override Task<IArchiveIndex> CreateEmptyIndexAsync() =>
        Task.FromResult<IArchiveIndex>(new SqliteArchiveIndex(ClippingsTestHost.TempIndexPath("contract")));

    protected override Task DropAsync(IArchiveIndex index)
    {
        var path = ((SqliteArchiveIndex)index).Path;
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}
