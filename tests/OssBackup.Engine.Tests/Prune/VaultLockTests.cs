using System.Text.Json;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Prune;

/// <summary>Locks under locks/: shared ones coexist, an exclusive one excludes all others, stale ones are broken.</summary>
public sealed class VaultLockTests : IDisposable
{
    private readonly TempFolder _folder = new("locks");
    private readonly FileBlobStore _store;

    public VaultLockTests()
    {
        _store = new FileBlobStore(_folder.Combine("vault"));
    }

    public void Dispose() => _folder.Dispose();

    private static readonly VaultLockOptions OtherHost = new() { HostName = "backup-host-2", ProcessId = 4242 };

    [Fact]
    public async Task Shared_locks_coexist_and_an_exclusive_lock_excludes_them_both_ways()
    {
        await using (var first = await VaultLock.AcquireSharedAsync(_store, OtherHost, CancellationToken.None))
        await using (var second = await VaultLock.AcquireSharedAsync(_store, null, CancellationToken.None))
        {
            var error = await Assert.ThrowsAsync<VaultLockedException>(() => VaultLock.AcquireExclusiveAsync(_store, null, CancellationToken.None));
            Assert.Equal(VaultLockKind.Shared, error.Holder!.Kind);
            Assert.Equal(2, (await VaultLock.ListAsync(_store, CancellationToken.None)).Count);
        }

        await using (var exclusive = await VaultLock.AcquireExclusiveAsync(_store, OtherHost, CancellationToken.None))
        {
            var shared = await Assert.ThrowsAsync<VaultLockedException>(() => VaultLock.AcquireSharedAsync(_store, null, CancellationToken.None));
            var other = await Assert.ThrowsAsync<VaultLockedException>(() => VaultLock.AcquireExclusiveAsync(_store, null, CancellationToken.None));
            Assert.Equal(exclusive.Info.Id, shared.Holder!.Id);
            Assert.Equal(exclusive.Info.Id, other.Holder!.Id);
            Assert.Equal([exclusive.Name], (await VaultLock.ListAsync(_store, CancellationToken.None)).Select(l => l.Name));
        }
        Assert.Empty(await VaultLock.ListAsync(_store, CancellationToken.None));
    }

    [Fact]
    public async Task The_lock_file_is_json_naming_id_kind_host_process_and_times()
    {
        await using var held = await VaultLock.AcquireExclusiveAsync(_store, OtherHost, CancellationToken.None);

        var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_store.Location, "locks", held.Info.Id))).RootElement;

        Assert.Matches("^[0-9a-f]{32}$", held.Info.Id);
        Assert.Equal(held.Info.Id, json.GetProperty("id").GetString());
        Assert.Equal("exclusive", json.GetProperty("kind").GetString());
        Assert.Equal("backup-host-2", json.GetProperty("host").GetString());
        Assert.Equal(4242, json.GetProperty("processId").GetInt32());
        Assert.True(json.GetProperty("created").GetDateTimeOffset() <= json.GetProperty("refreshed").GetDateTimeOffset());
        Assert.InRange(json.GetProperty("created").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task The_message_names_the_holder_and_since_when()
    {
        var created = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var holder = await LockTestProcesses.WriteLockAsync(_store, VaultLockKind.Exclusive, "nas-01", 31337, created, DateTimeOffset.UtcNow);

        var error = await Assert.ThrowsAsync<VaultLockedException>(() => VaultLock.AcquireSharedAsync(_store, null, CancellationToken.None));

        Assert.Contains("process 31337", error.Message, StringComparison.Ordinal);
        Assert.Contains("host 'nas-01'", error.Message, StringComparison.Ordinal);
        Assert.Contains("since 2026-03-04 05:06:07Z", error.Message, StringComparison.Ordinal);
        Assert.Contains(_store.Location, error.Message, StringComparison.Ordinal);
        Assert.Equal(holder.Id, error.Holder!.Id);
        Assert.Equal(VaultLock.Folder + holder.Id, error.LockFile);
        Assert.Equal([error.LockFile], (await VaultLock.ListAsync(_store, CancellationToken.None)).Select(l => l.Name));
    }

    [Fact]
    public async Task A_lock_not_refreshed_within_the_stale_period_is_broken()
    {
        var old = DateTimeOffset.UtcNow.AddHours(-2);
        var stale = await LockTestProcesses.WriteLockAsync(_store, VaultLockKind.Exclusive, "gone-host", 1, old, old);
        var recent = DateTimeOffset.UtcNow.AddMinutes(-20);
        await LockTestProcesses.WriteLockAsync(_store, VaultLockKind.Shared, "other-host", 2, recent, recent);

        await using (var shared = await VaultLock.AcquireSharedAsync(_store, null, CancellationToken.None))
        {
            Assert.Equal([stale.Id], shared.BrokenLocks.Select(l => l.Id));
        }

        // With a 10-minute stale period, the lock refreshed 20 minutes ago is stale too.
        await using var exclusive = await VaultLock.AcquireExclusiveAsync(_store, new VaultLockOptions { StaleAfter = TimeSpan.FromMinutes(10) }, CancellationToken.None);
        Assert.Equal(["other-host"], exclusive.BrokenLocks.Select(l => l.Host));
        Assert.Equal([exclusive.Name], (await VaultLock.ListAsync(_store, CancellationToken.None)).Select(l => l.Name));
    }

    [Fact]
    public async Task A_lock_of_an_ended_process_on_this_host_is_broken_and_one_of_a_live_process_is_not()
    {
        var now = DateTimeOffset.UtcNow;
        var ended = await LockTestProcesses.WriteLockAsync(_store, VaultLockKind.Exclusive, Environment.MachineName, LockTestProcesses.EndedProcessId(), now, now);
        await using (var held = await VaultLock.AcquireExclusiveAsync(_store, null, CancellationToken.None))
        {
            Assert.Equal([ended.Id], held.BrokenLocks.Select(l => l.Id));
        }

        var sleeper = LockTestProcesses.StartSleeper();
        try
        {
            var live = await LockTestProcesses.WriteLockAsync(_store, VaultLockKind.Shared, Environment.MachineName, sleeper.Id, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

            var error = await Assert.ThrowsAsync<VaultLockedException>(() => VaultLock.AcquireExclusiveAsync(_store, null, CancellationToken.None));

            Assert.Equal(live.Id, error.Holder!.Id);
            Assert.Contains($"process {sleeper.Id}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            LockTestProcesses.Stop(sleeper);
        }
    }

    [Fact]
    public async Task A_process_id_reused_by_a_process_started_after_the_lock_does_not_keep_it_alive()
    {
        // This test process started long after 'created': the id the lock names now belongs to another process.
        var created = DateTimeOffset.UtcNow.AddDays(-1000);
        await LockTestProcesses.WriteLockAsync(_store, VaultLockKind.Exclusive, Environment.MachineName, Environment.ProcessId, created, DateTimeOffset.UtcNow);

        await using var held = await VaultLock.AcquireExclusiveAsync(_store, null, CancellationToken.None);

        Assert.Single(held.BrokenLocks);
    }

    [Fact]
    public async Task An_unreadable_lock_file_blocks_and_is_named()
    {
        await _store.PutAsync("locks/garbage", new MemoryStream("not json"u8.ToArray()), CancellationToken.None);

        var error = await Assert.ThrowsAsync<VaultLockedException>(() => VaultLock.AcquireSharedAsync(_store, null, CancellationToken.None));

        Assert.Null(error.Holder);
        Assert.Contains("locks/garbage", error.Message, StringComparison.Ordinal);
        Assert.Equal(["locks/garbage"], (await VaultLock.ListAsync(_store, CancellationToken.None)).Select(l => l.Name));
    }

    [Fact]
    public async Task Refreshing_rewrites_the_refresh_time_and_a_removed_lock_is_reported_lost()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        await using var held = await VaultLock.AcquireExclusiveAsync(_store, new VaultLockOptions { Time = time }, CancellationToken.None);
        time.Now += TimeSpan.FromMinutes(7);

        await held.RefreshAsync(CancellationToken.None);
        await held.EnsureHeldAsync(CancellationToken.None);

        var stored = (await VaultLock.ListAsync(_store, CancellationToken.None)).Single().Info!;
        Assert.Equal(time.Now, stored.Refreshed);
        Assert.Equal(time.Now - TimeSpan.FromMinutes(7), stored.Created);

        await _store.DeleteAsync(held.Name, CancellationToken.None);

        await Assert.ThrowsAsync<VaultLockLostException>(() => held.EnsureHeldAsync(CancellationToken.None));
        await Assert.ThrowsAsync<VaultLockLostException>(() => held.RefreshAsync(CancellationToken.None));
        Assert.Empty(await VaultLock.ListAsync(_store, CancellationToken.None));
    }

    [Fact]
    public async Task A_held_lock_that_was_not_refreshed_in_time_is_reported_lost()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        await using var held = await VaultLock.AcquireExclusiveAsync(_store, new VaultLockOptions { Time = time, RefreshInterval = TimeSpan.FromHours(1) }, CancellationToken.None);
        time.Now += TimeSpan.FromMinutes(31);

        await Assert.ThrowsAsync<VaultLockLostException>(() => held.EnsureHeldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_held_lock_is_refreshed_in_the_background()
    {
        await using var held = await VaultLock.AcquireSharedAsync(_store, new VaultLockOptions { RefreshInterval = TimeSpan.FromSeconds(1) }, CancellationToken.None);
        var created = held.Info.Created;

        var deadline = DateTime.UtcNow.AddSeconds(20);
        VaultLockInfo stored;
        do
        {
            await Task.Delay(200);
            stored = (await VaultLock.ListAsync(_store, CancellationToken.None)).Single().Info!;
        }
        while (stored.Refreshed == created && DateTime.UtcNow < deadline);

        Assert.True(stored.Refreshed > created, "the lock was not refreshed within 20 seconds");
        await held.EnsureHeldAsync(CancellationToken.None);
    }

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
