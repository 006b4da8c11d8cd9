using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Tests.Support;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// A backup writes index files as it goes, so the blobs it adds are not all held in memory until the commit: with tiny
/// packs and a tiny flush threshold, a few hundred objects flush many times.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class IndexFlushBackupTests(S3TestServer server) : IAsyncLifetime, IDisposable
{
    private const int PackSize = 16 << 10;
    private const int FlushBlobs = 25;
    private const int Parallelism = 4;
    private const int BlobsPerPack = PackSize / 1400 + 1;

    // In memory at once, at most: a batch being flushed and the threshold's worth waiting for the next (each up to a
    // pack more), the packs sealing (the sink's limit, plus one a worker may seal before it waits) and the pack being
    // filled. Without flushes the peak is every blob of the backup (631 here).
    private const int MemoryBound = 2 * FlushBlobs + (SharedPackSink.MaxPacksSealing + Parallelism + 3) * BlobsPerPack;

    private readonly TempFolder _folder = new("index-flush-e2e");
    private readonly List<BackupIndexMemory> _reports = [];
    private BackupCatalog _catalog = null!;
    private OssBackupService _service = null!;
    private BackupVault _vault = null!;
    private string _bucket = "";

    // Random bytes do not compress, so each object is one blob of known size.
    private static readonly IReadOnlyDictionary<string, byte[]> Objects = Enumerable.Range(0, 630).ToDictionary(
        i => i < 30 ? $"a/base {i:D3}" : $"b/item {i:D3}",
        i => TestData.RandomBytes(1400 + i % 7 * 50, seed: 9000 + i),
        StringComparer.Ordinal);

    private static int InB => Objects.Keys.Count(k => k.StartsWith("b/", StringComparison.Ordinal));

    public async Task InitializeAsync()
    {
        if (!server.IsAvailable)
        {
            return;
        }
        _catalog = BackupCatalog.Open(_folder.Combine("catalog.db"));
        _service = new OssBackupService(_catalog)
        {
            BackupOptions = new BackupOptions
            {
                Parallelism = Parallelism,
                IndexFlushBlobs = FlushBlobs,
                IndexMemoryReported = report => _reports.Add(report),
            },
        };
        _bucket = await server.CreateBucketAsync("idxflush");
        await server.PutObjectsAsync(_bucket, Objects);
        _vault = await _service.NewVaultAsync("flushing", _folder.Combine("vault"), CancellationToken.None);
        var configPath = Path.Combine(_vault.Location, VaultRepository.ConfigName);
        var config = VaultConfig.FromJson(await File.ReadAllBytesAsync(configPath), configPath);
        config.PackSize = PackSize;
        await File.WriteAllBytesAsync(configPath, config.ToJson());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [S3Fact]
    public async Task A_first_backup_flushes_index_files_as_it_goes_keeps_its_overlay_bounded_restores_and_deduplicates()
    {
        var first = await BackupAsync("first", "");

        Assert.Equal(Objects.Count, first.NewDataBlobs);
        Assert.InRange(first.Memory.PeakBlobsInMemory, 1, MemoryBound);
        Assert.True(first.Memory.IndexFilesFlushed >= 4, $"only {first.Memory.IndexFilesFlushed} flushes");
        // The flushed index files plus the one at the commit for what was left.
        Assert.InRange(first.NewIndexFiles.Count, first.Memory.IndexFilesFlushed, first.Memory.IndexFilesFlushed + 1);
        await AssertRestoresAsync(first.Job.BackupPointId!, Objects);

        // A full backup (a new plan) of the same data finds every blob in the flushed index files.
        var again = await BackupAsync("again", "");
        Assert.Equal((BackupMode.Full, Objects.Count), (again.Job.Mode, again.Job.BackedUpObjects));
        Assert.Equal(0, again.NewDataBlobs);
        Assert.Equal(0, again.Memory.IndexFilesFlushed);
    }

    [S3Fact]
    public async Task A_backup_cancelled_after_flushes_leaves_earlier_points_whole_and_a_prune_collects_its_packs()
    {
        var basePoint = await BackupAsync("base", "a/");
        var doomed = await BackupAsync("doomed", "a/base 00");

        using var cancel = new CancellationTokenSource();
        var reads = 0;
        _service.WrapSource = source => new FaultyObjectSource(source)
        {
            BeforeRead = async _ =>
            {
                if (Interlocked.Increment(ref reads) > 400)
                {
                    await cancel.CancelAsync();
                    cancel.Token.ThrowIfCancellationRequested();
                }
            },
        };
        var cancelled = await BackupAsync("b", "b/", cancel.Token);
        _service.WrapSource = source => source;
        Assert.Equal(JobStatus.Cancelled, cancelled.Job.Status);
        Assert.True(cancelled.Memory.IndexFilesFlushed >= 2, $"only {cancelled.Memory.IndexFilesFlushed} flushes before the cancellation");
        var cancelledPacks = (await VaultIndexFiles.DecodeAsync(_vault.Location, cancelled.NewIndexFiles)).Select(p => p.Pack).ToList();
        Assert.NotEmpty(cancelledPacks);
        await AssertRestoresAsync(basePoint.Job.BackupPointId!, Objects.Where(o => o.Key.StartsWith("a/", StringComparison.Ordinal)).ToDictionary());

        // Indexed but referenced by no point, the cancelled backup's packs are garbage: the prune after removing a point
        // deletes them too, and nothing of the earlier point.
        var removed = await _service.RemoveBackupPointsAsync([doomed.Job.BackupPointId!], dryRun: false, CancellationToken.None);
        Assert.True(removed.Single().PacksDeleted >= cancelledPacks.Count);
        Assert.All(cancelledPacks, pack => Assert.False(File.Exists(Path.Combine(_vault.Location, pack.FileName)), $"pack {pack} survived the prune"));
        await AssertRestoresAsync(basePoint.Job.BackupPointId!, Objects.Where(o => o.Key.StartsWith("a/", StringComparison.Ordinal)).ToDictionary());

        // The next backup of b/ must store it all again rather than reuse a location in a deleted pack.
        var retried = await BackupAsync("b", "b/");
        Assert.Equal(InB, retried.NewDataBlobs);
        await AssertRestoresAsync(retried.Job.BackupPointId!, Objects.Where(o => o.Key.StartsWith("b/", StringComparison.Ordinal)).ToDictionary());
    }

    private async Task<(BackupJob Job, List<string> NewIndexFiles, int NewDataBlobs, BackupIndexMemory Memory)> BackupAsync(
        string plan, string prefix, CancellationToken cancellationToken = default)
    {
        if (_catalog.GetPlans().All(p => p.Name != plan))
        {
            await _service.NewPlanAsync(server.PlanFor(plan, _bucket, prefix, _vault.Name), server.Credentials, CancellationToken.None);
        }
        var before = await VaultIndexFiles.ListAsync(_vault.Location);
        _reports.Clear();
        var job = await _service.StartBackupAsync(plan, server.Credentials, NullObserver.Instance, cancellationToken);
        Assert.Equal(cancellationToken.IsCancellationRequested ? JobStatus.Cancelled : JobStatus.Completed, job.Status);
        var added = (await VaultIndexFiles.ListAsync(_vault.Location)).Keys.Except(before.Keys).ToList();
        return (job, added, await VaultIndexFiles.DataBlobsAsync(_vault.Location, added), Assert.Single(_reports));
    }

    private async Task AssertRestoresAsync(string pointId, IReadOnlyDictionary<string, byte[]> expected)
    {
        var target = await server.CreateBucketAsync("idxflush-restore");
        var job = await _service.RestoreAsync(pointId, new RestoreSelection(), new BucketRestoreRequest(target, null, Credentials: server.Credentials),
            NullObserver.Instance, CancellationToken.None);
        Assert.Equal(JobStatus.Completed, job.Status);
        var restored = await server.ReadObjectHashesAsync(target);
        Assert.Equal(expected.ToDictionary(o => o.Key, o => TestData.Sha256(o.Value)).OrderBy(o => o.Key, StringComparer.Ordinal),
            restored.OrderBy(o => o.Key, StringComparer.Ordinal));
    }
}
