using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Prune;

/// <summary>Prune: removes points, deletes packs no remaining point references, rewrites the index, under an exclusive lock.</summary>
public sealed class VaultPrunerTests : IAsyncLifetime
{
    private PruneTestVault _vault = null!;

    // Three points: 'shared' is in all three (stored by the first), 'one' only in the first, 'two' in the second and third.
    private static readonly byte[] Shared = TestData.RandomBytes(3 * PruneTestVault.ChunkSize + 100, seed: 1);
    private static readonly byte[] One = TestData.RandomBytes(5 * PruneTestVault.ChunkSize, seed: 2);
    private static readonly byte[] Two = TestData.CompressibleText(4 * PruneTestVault.ChunkSize + 7, seed: 3);
    private static readonly byte[] Three = TestData.RandomBytes(PruneTestVault.ChunkSize / 2, seed: 4);

    private string _first = "";
    private string _second = "";
    private string _third = "";

    public async Task InitializeAsync()
    {
        _vault = await PruneTestVault.CreateAsync();
        _first = await _vault.BackupAsync(new Dictionary<string, byte[]> { ["docs/shared.bin"] = Shared, ["docs/one.bin"] = One, ["docs/empty"] = [] });
        _second = await _vault.BackupAsync(new Dictionary<string, byte[]> { ["docs/shared.bin"] = Shared, ["docs/two.txt"] = Two });
        _third = await _vault.BackupAsync(new Dictionary<string, byte[]> { ["docs/shared.bin"] = Shared, ["docs/two.txt"] = Two, ["docs/three.bin"] = Three });
    }

    public Task DisposeAsync()
    {
        _vault.Dispose();
        return Task.CompletedTask;
    }

    private Task<PruneResult> PruneAsync(IReadOnlyCollection<string> ids, PruneOptions? options = null) =>
        VaultPruner.PruneAsync(_vault.Vault, ids, options, CancellationToken.None);

    [Fact]
    public async Task Removing_the_first_of_three_points_keeps_the_other_two_fully_readable()
    {
        var result = await PruneAsync([_first]);

        Assert.Equal(1, result.SnapshotsRemoved);
        Assert.Equal(2, result.SnapshotsKept);
        Assert.Equal(new[] { $"snapshots/{_second}", $"snapshots/{_third}" }.Order(StringComparer.Ordinal), _vault.FilesUnder("snapshots/").Keys);
        await _vault.AssertPointReadsBackAsync(_second);
        await _vault.AssertPointReadsBackAsync(_third);
        Assert.Empty(_vault.FilesUnder("locks/"));
    }

    [Fact]
    public async Task Data_only_the_removed_point_used_is_freed_and_data_shared_with_a_kept_point_is_not()
    {
        var onlyFirst = await _vault.PacksOfAsync(_first);
        onlyFirst.ExceptWith(await _vault.PacksOfAsync(_second));
        onlyFirst.ExceptWith(await _vault.PacksOfAsync(_third));
        var onePack = await _vault.PackOfAsync(_first, "docs/one.bin");
        var sharedPack = await _vault.PackOfAsync(_first, "docs/shared.bin");
        var expectedFreed = onlyFirst.Sum(p => _vault.Files()[p.FileName]);
        var before = _vault.DataBytes;
        var packsBefore = _vault.FilesUnder("data/").Count;

        var result = await PruneAsync([_first]);

        // The first point's own data pack and its table pack; 'shared' was stored by the first point but is still used.
        Assert.Equal(2, onlyFirst.Count);
        Assert.Contains(onePack, onlyFirst);
        Assert.Equal(onlyFirst.Count, result.PacksDeleted);
        Assert.Equal(expectedFreed, result.BytesFreed);
        Assert.Equal(before - expectedFreed, _vault.DataBytes);
        Assert.Equal(packsBefore - onlyFirst.Count, result.PacksKept);
        Assert.Equal(_vault.DataBytes, result.BytesKept);
        Assert.All(onlyFirst, p => Assert.False(_vault.PackExists(p), $"pack {p} should have been deleted"));
        Assert.True(_vault.PackExists(sharedPack), "the pack holding data shared with kept points was deleted");
        Assert.Equal(0, result.UnindexedPacksKept);
        Assert.Equal(0, result.ReferencedPacksMissing);
    }

    [Fact]
    public async Task The_rewritten_index_forgets_deleted_packs_so_a_later_backup_stores_their_data_again()
    {
        var onePack = await _vault.PackOfAsync(_first, "docs/one.bin");
        var indexBefore = _vault.FilesUnder("index/").Keys.ToList();

        var result = await PruneAsync([_first]);

        // Only the first point's index file named deleted packs: it is replaced by one naming its still-used pack ('shared').
        Assert.Equal(1, result.IndexFilesRewritten);
        Assert.Equal(1, result.IndexFilesWritten);
        var indexAfter = _vault.FilesUnder("index/").Keys.ToList();
        Assert.Equal(indexBefore.Count, indexAfter.Count);
        Assert.Equal(indexBefore.Count - 1, indexBefore.Intersect(indexAfter).Count());
        using var index = await (await VaultRepository.OpenAsync(new FileBlobStore(_vault.Root), CancellationToken.None)).LoadIndexAsync(_vault.IndexCacheRoot, CancellationToken.None);
        Assert.False(index.TryGet(BlobId.Of(One.AsSpan(0, PruneTestVault.ChunkSize)), out _));
        Assert.True(index.TryGet(BlobId.Of(Shared.AsSpan(0, PruneTestVault.ChunkSize)), out var shared));
        Assert.True(_vault.PackExists(shared.Pack));

        var again = await _vault.BackupAsync(new Dictionary<string, byte[]> { ["docs/one.bin"] = One, ["docs/shared.bin"] = Shared });

        Assert.NotEqual(onePack, await _vault.PackOfAsync(again, "docs/one.bin"));
        await _vault.AssertPointReadsBackAsync(again);
        await _vault.AssertPointReadsBackAsync(_second);
    }

    [Fact]
    public async Task Removing_every_point_leaves_no_packs_no_index_and_no_snapshot()
    {
        var indexFiles = _vault.FilesUnder("index/").Count;
        var before = _vault.DataBytes;

        var result = await PruneAsync([_first, _second, _third]);

        Assert.Empty(_vault.FilesUnder("data/"));
        Assert.Empty(_vault.FilesUnder("index/"));
        Assert.Empty(_vault.FilesUnder("snapshots/"));
        Assert.Empty(_vault.FilesUnder("locks/"));
        Assert.Equal(["config"], _vault.Files().Keys);
        Assert.Equal(3, result.SnapshotsRemoved);
        Assert.Equal(0, result.SnapshotsKept);
        Assert.Equal(before, result.BytesFreed);
        Assert.Equal(0, result.PacksKept);
        Assert.Equal(0, result.BytesKept);
        Assert.Equal(indexFiles, result.IndexFilesRewritten);
        Assert.Equal(0, result.IndexFilesWritten);
    }

    [Fact]
    public async Task A_dry_run_deletes_nothing_but_reports_what_the_prune_then_does()
    {
        var files = _vault.Files();

        var dry = await PruneAsync([_first, _second], new PruneOptions { DryRun = true });

        Assert.Equal(files, _vault.Files());
        Assert.True(dry.DryRun);
        Assert.True(dry.PacksDeleted > 0);
        Assert.True(dry.BytesFreed > 0);

        var real = await PruneAsync([_first, _second]);

        Assert.False(real.DryRun);
        Assert.Equal(dry with { DryRun = false }, real);
        Assert.Equal(files.Where(f => f.Key.StartsWith("data/", StringComparison.Ordinal)).Sum(f => f.Value) - real.BytesFreed, _vault.DataBytes);
        await _vault.AssertPointReadsBackAsync(_third);
    }

    [Fact]
    public async Task An_unknown_snapshot_id_fails_before_anything_is_deleted()
    {
        var files = _vault.Files();

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => PruneAsync([_first, "0123456789abcdef"]));

        Assert.Contains("'0123456789abcdef'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_first, error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was deleted", error.Message, StringComparison.Ordinal);
        Assert.Equal(files, _vault.Files());
        await _vault.AssertPointReadsBackAsync(_first);
    }

    [Fact]
    public async Task A_pack_partly_used_by_a_kept_point_is_kept_whole()
    {
        using var vault = await PruneTestVault.CreateAsync();
        var a = TestData.RandomBytes(10_000, seed: 10);
        var b = TestData.RandomBytes(10_000, seed: 11);
        // One pack holding a, b and the first point's table; the second point only adds its table.
        var first = await vault.BackupAsync(new Dictionary<string, byte[]> { ["a"] = a, ["b"] = b }, packPerObject: false);
        var second = await vault.BackupAsync(new Dictionary<string, byte[]> { ["b"] = b }, packPerObject: false);
        var files = vault.Files();

        var result = await VaultPruner.PruneAsync(vault.Vault, [first], null, CancellationToken.None);

        Assert.Equal(0, result.PacksDeleted);
        Assert.Equal(0, result.BytesFreed);
        Assert.Equal(2, result.PacksKept);
        Assert.Equal(0, result.IndexFilesRewritten);
        Assert.Equal(files.Where(f => f.Key != $"snapshots/{first}"), vault.Files());
        await vault.AssertPointReadsBackAsync(second);
    }

    [Fact]
    public async Task Packs_no_index_file_names_are_never_deleted()
    {
        // A backup still running has uploaded a pack but not yet written its index file (nor its snapshot).
        await using var running = _vault.Vault.NewPackWriter(_vault.Scratch);
        var blob = TestData.RandomBytes(5000, seed: 99);
        await running.AddAsync(BlobType.Data, BlobId.Of(blob), blob, tryCompress: true, CancellationToken.None);
        var pack = (await running.SealAsync(CancellationToken.None))!;

        var dry = await PruneAsync([_first, _second, _third], new PruneOptions { DryRun = true });
        var result = await PruneAsync([_first, _second, _third]);

        Assert.Equal(dry with { DryRun = false }, result);
        Assert.Equal([pack.Id.FileName], _vault.FilesUnder("data/").Keys);
        Assert.Equal(1, result.PacksKept);
        Assert.Equal(1, result.UnindexedPacksKept);
        Assert.Equal(pack.Size, result.UnindexedBytesKept);
        Assert.Equal(pack.Size, result.BytesKept);

        // Once that backup commits, its point reads the pack.
        await _vault.Vault.WriteIndexAsync([pack], CancellationToken.None);
        Assert.Equal(blob, await _vault.Vault.NewBlobReader().ReadAsync(pack.Blobs[0].Location, CancellationToken.None));
    }

    [Fact]
    public async Task Indexed_packs_no_point_references_are_deleted_even_when_no_point_is_removed()
    {
        // A cancelled backup indexes the packs it wrote but writes no snapshot.
        await using var cancelled = _vault.Vault.NewPackWriter(_vault.Scratch);
        var blob = TestData.RandomBytes(5000, seed: 98);
        await cancelled.AddAsync(BlobType.Data, BlobId.Of(blob), blob, tryCompress: true, CancellationToken.None);
        var pack = (await cancelled.SealAsync(CancellationToken.None))!;
        await _vault.Vault.WriteIndexAsync([pack], CancellationToken.None);

        var result = await PruneAsync([]);

        Assert.Equal(0, result.SnapshotsRemoved);
        Assert.Equal(3, result.SnapshotsKept);
        Assert.Equal(1, result.PacksDeleted);
        Assert.Equal(pack.Size, result.BytesFreed);
        Assert.Equal(1, result.IndexFilesRewritten);
        Assert.Equal(0, result.IndexFilesWritten);
        Assert.False(_vault.PackExists(pack.Id));
        await _vault.AssertPointReadsBackAsync(_first);
        await _vault.AssertPointReadsBackAsync(_second);
        await _vault.AssertPointReadsBackAsync(_third);
    }

    [Fact]
    public async Task A_corrupt_table_of_a_kept_point_fails_the_prune_before_anything_is_deleted()
    {
        var snapshot = await _vault.Vault.LoadSnapshotAsync(_third, CancellationToken.None);
        var segment = snapshot.Segments[0].Blob;
        var path = Path.Combine(_vault.Root, segment.Pack.FileName.Replace('/', Path.DirectorySeparatorChar));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[segment.Offset + segment.StoredLength / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);
        var files = _vault.Files();

        await Assert.ThrowsAsync<InvalidDataException>(() => PruneAsync([_first]));

        Assert.Equal(files, _vault.Files());
    }

    [Fact]
    public async Task An_exclusive_lock_held_by_another_process_makes_prune_fail_naming_the_holder()
    {
        await using var other = await VaultLock.AcquireExclusiveAsync(_vault.Store, new VaultLockOptions { HostName = "backup-host-2", ProcessId = 4242 }, CancellationToken.None);
        var files = _vault.Files();

        var error = await Assert.ThrowsAsync<VaultLockedException>(() => PruneAsync([_first]));

        Assert.Contains("process 4242 on host 'backup-host-2'", error.Message, StringComparison.Ordinal);
        Assert.Contains("since", error.Message, StringComparison.Ordinal);
        Assert.Equal(other.Info.Id, error.Holder!.Id);
        Assert.Equal(files, _vault.Files());

        // A dry run takes no lock, so it still reports.
        Assert.Equal(1, (await PruneAsync([_first], new PruneOptions { DryRun = true })).SnapshotsRemoved);
    }

    [Fact]
    public async Task A_shared_lock_of_a_live_process_on_this_host_blocks_prune()
    {
        var sleeper = LockTestProcesses.StartSleeper();
        try
        {
            var now = DateTimeOffset.UtcNow;
            await LockTestProcesses.WriteLockAsync(_vault.Store, VaultLockKind.Shared, Environment.MachineName, sleeper.Id, now, now);
            var files = _vault.Files();

            var error = await Assert.ThrowsAsync<VaultLockedException>(() => PruneAsync([_first]));

            Assert.Equal(sleeper.Id, error.Holder!.ProcessId);
            Assert.Contains($"process {sleeper.Id} on host '{Environment.MachineName}'", error.Message, StringComparison.Ordinal);
            Assert.Equal(files, _vault.Files());
        }
        finally
        {
            LockTestProcesses.Stop(sleeper);
        }
    }

    [Fact]
    public async Task Stale_locks_are_broken_and_the_prune_goes_on()
    {
        var old = DateTimeOffset.UtcNow.AddHours(-2);
        var timedOut = await LockTestProcesses.WriteLockAsync(_vault.Store, VaultLockKind.Exclusive, "backup-host-2", 4242, old, old);
        var now = DateTimeOffset.UtcNow;
        var ended = await LockTestProcesses.WriteLockAsync(_vault.Store, VaultLockKind.Shared, Environment.MachineName, LockTestProcesses.EndedProcessId(), now, now);

        var result = await PruneAsync([_first]);

        Assert.Equal(2, result.StaleLocksRemoved);
        Assert.Equal(1, result.SnapshotsRemoved);
        Assert.Empty(_vault.FilesUnder("locks/"));
        Assert.NotEqual(timedOut.Id, ended.Id);
        await _vault.AssertPointReadsBackAsync(_second);
    }

    [Fact]
    public async Task A_lock_refreshed_within_a_custom_stale_period_still_blocks()
    {
        var recent = DateTimeOffset.UtcNow.AddMinutes(-20);
        await LockTestProcesses.WriteLockAsync(_vault.Store, VaultLockKind.Shared, "backup-host-2", 4242, recent, recent);

        await Assert.ThrowsAsync<VaultLockedException>(() => PruneAsync([_first]));
        var result = await PruneAsync([_first], new PruneOptions { Lock = new VaultLockOptions { StaleAfter = TimeSpan.FromMinutes(10) } });

        Assert.Equal(1, result.StaleLocksRemoved);
    }
}
