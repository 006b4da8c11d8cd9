using OssBackup.Engine.Inventory;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.Inventory;

public sealed class InventoryCleanerTests : IDisposable
{
    private static readonly InventoryLocation Location = LocalInventory.LocationOf();
    private readonly LocalInventory _bucket = new();

    public void Dispose() => _bucket.Dispose();

    [Fact]
    public async Task Deleting_a_run_removes_its_manifest_its_checksum_and_its_data_files_and_nothing_else()
    {
        var older = _bucket.Write(new InventoryOptions { RunTime = LocalInventory.T0.AddDays(-1), FilesCount = 2 });
        var current = _bucket.Write(new InventoryOptions { RunTime = LocalInventory.T0, FilesCount = 3 });
        var candidate = (await _bucket.ListAsync(Location)).Single(c => c.Folder == current.RunFolder);

        var result = await new InventoryCleaner(_bucket.Store).DeleteAsync(candidate, CancellationToken.None);

        Assert.Equal(older.Keys.Order(StringComparer.Ordinal), _bucket.Keys());
        Assert.Equal(current.Keys.Order(StringComparer.Ordinal), result.DeletedKeys.Order(StringComparer.Ordinal));
        Assert.Equal([current.RunFolder], result.DeletedRuns);
        Assert.Empty(result.KeptSharedKeys);
    }

    [Fact]
    public async Task Deleting_older_runs_keeps_the_given_run_and_newer_ones_with_their_data_files()
    {
        var t = LocalInventory.T0;
        var oldest = _bucket.Write(new InventoryOptions { RunTime = t.AddDays(-2) });
        var old = _bucket.Write(new InventoryOptions { RunTime = t.AddDays(-1), OmitChecksum = true });
        var kept = _bucket.Write(new InventoryOptions { RunTime = t, FilesCount = 2 });
        var newer = _bucket.Write(new InventoryOptions { RunTime = t.AddDays(1), OmitChecksum = true });

        var result = await new InventoryCleaner(_bucket.Store).DeleteOlderAsync(Location, new DateTimeOffset(t), CancellationToken.None);

        Assert.Equal(kept.Keys.Concat(newer.Keys).Order(StringComparer.Ordinal), _bucket.Keys());
        Assert.Equal(oldest.Keys.Concat(old.Keys).Order(StringComparer.Ordinal), result.DeletedKeys.Order(StringComparer.Ordinal));
        Assert.Equal([old.RunFolder, oldest.RunFolder], result.DeletedRuns);
    }

    [Fact]
    public async Task A_data_file_that_a_kept_run_also_names_is_not_deleted()
    {
        var t = LocalInventory.T0;
        var objects = InventoryWriter.AwkwardObjects(t);
        var old = _bucket.Write(new InventoryOptions { RunTime = t.AddDays(-1), DataFileStem = "shared", FilesCount = 2 }, objects);
        var kept = _bucket.Write(new InventoryOptions { RunTime = t, DataFileStem = "shared", FilesCount = 1 }, objects);

        var result = await new InventoryCleaner(_bucket.Store).DeleteOlderAsync(Location, new DateTimeOffset(t), CancellationToken.None);

        Assert.Equal([kept.DataFiles[0].Key], result.KeptSharedKeys);
        Assert.DoesNotContain(kept.DataFiles[0].Key, result.DeletedKeys);
        Assert.Contains(old.DataFiles[1].Key, result.DeletedKeys);
        Assert.Equal(kept.Keys.Order(StringComparer.Ordinal), _bucket.Keys());
        var manifest = await _bucket.Reader.SelectNewestAsync(Location, TimeSpan.FromDays(7), new DateTimeOffset(t), null, CancellationToken.None);
        Assert.Equal(objects.Count, (await _bucket.ReadRowsAsync(manifest)).Count);
    }

    [Fact]
    public async Task Orphan_data_files_that_no_manifest_names_are_left_alone()
    {
        var run = _bucket.Write(new InventoryOptions { RunTime = LocalInventory.T0.AddDays(-1) });
        var orphan = Path.Combine(_bucket.Root, run.RuleFolder, "data", "orphan.csv.gz");
        File.WriteAllBytes(orphan, [1, 2, 3]);

        await new InventoryCleaner(_bucket.Store).DeleteOlderAsync(Location, new DateTimeOffset(LocalInventory.T0), CancellationToken.None);

        Assert.Equal([run.RuleFolder + "data/orphan.csv.gz"], _bucket.Keys());
    }
}
