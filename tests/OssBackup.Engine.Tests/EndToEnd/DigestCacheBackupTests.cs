using Amazon.S3.Model;
using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// Incremental inventory backups plan against the previous point's digest in this machine's cache
/// ($OSSBACKUP_HOME/cache/digests/&lt;vault id&gt;): each backup leaves its own point's digest in place of the previous
/// one, and a digest that is missing or damaged is rebuilt from the point's table without changing what the backup
/// reads or what its point holds.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class DigestCacheBackupTests(S3TestServer server, TestHome home) : IAsyncLifetime, IDisposable
{
    private const string VaultName = "digest-vault";
    private const string PlanName = "digest-inventory";
    private const string InventoryId = "digest-daily";
    private const int Seeded = 120;

    private readonly TempFolder _folder = new("digest-cache-e2e");
    private BackupCatalog _catalog = null!;
    private OssBackupService _service = null!;
    private TestS3 _s3 = null!;
    private InventoryWriter _inventories = null!;
    private string _source = "";
    private string _inventoryBucket = "";
    private int _inventoryRuns;
    private CountingObjectSource? _counter;

    public async Task InitializeAsync()
    {
        if (!server.IsAvailable)
        {
            return;
        }
        _catalog = BackupCatalog.Open(_folder.Combine("catalog.db"));
        _service = new OssBackupService(_catalog) { WrapSource = source => _counter = new CountingObjectSource(source) };
        _source = await server.CreateBucketAsync("digestsrc");
        _inventoryBucket = await server.CreateBucketAsync("digestinv");
        _s3 = new TestS3(server.Endpoint, server.Credentials.AccessKeyId, server.Credentials.SecretAccessKey, server.Connection.Region);
        _s3.Seed(_source, Seeded, 0, 0, seed: 11, prefix: "", parallelism: 8);
        _inventories = new InventoryWriter(_s3);
        await _service.NewVaultAsync(VaultName, _folder.Combine("vault"), CancellationToken.None);
        await _service.NewPlanAsync(new BackupPlan
        {
            Name = PlanName,
            SourceBucket = _source,
            Endpoint = server.Endpoint,
            Region = server.Connection.Region,
            ForcePathStyle = true,
            Vault = VaultName,
            InventoryBucket = _inventoryBucket,
            InventoryId = InventoryId,
        }, server.Credentials, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _s3?.Dispose();
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [S3Fact]
    public async Task Each_inventory_backup_leaves_only_its_own_points_digest_and_the_next_reads_only_new_and_changed_objects()
    {
        WriteInventory();
        var full = await BackupAsync(NullObserver.Instance);
        Assert.Equal(_s3.ListKeys(_source).Count, _counter!.Reads);
        await AssertDigestDescribesOnlyAsync(full.BackupPointId!);

        // The second incremental plans against a digest an incremental wrote: entries carried over and entries read
        // again must both have been digested as the inventory row that describes them.
        var previous = full.BackupPointId!;
        for (var round = 1; round <= 2; round++)
        {
            var changes = ChangeTheBucket(round);
            WriteInventory();
            var observer = new RecordingObserver();
            var incremental = await BackupAsync(observer);

            // Had the digest not been found, it would have been rebuilt (and said so): the cache would be untested.
            Assert.DoesNotContain(observer.Warnings, w => w.Contains("digest", StringComparison.OrdinalIgnoreCase));
            await AssertIncrementalAsync(incremental, changes);
            Assert.False(File.Exists(DigestPath(previous)), $"the digest of the previous point {previous} is still there");
            await AssertDigestDescribesOnlyAsync(incremental.BackupPointId!);
            previous = incremental.BackupPointId!;
        }
    }

    [S3Fact]
    public async Task Without_the_previous_points_digest_an_incremental_rebuilds_it_and_reads_the_same_objects()
    {
        WriteInventory();
        var full = await BackupAsync(NullObserver.Instance);
        await AssertDigestDescribesOnlyAsync(full.BackupPointId!);
        File.Delete(DigestPath(full.BackupPointId!));
        var changes = ChangeTheBucket(1);
        WriteInventory();

        var observer = new RecordingObserver();
        var incremental = await BackupAsync(observer);

        Assert.Contains(observer.Warnings, w => w.Contains($"no usable digest of backup point {full.BackupPointId}", StringComparison.Ordinal));
        await AssertIncrementalAsync(incremental, changes);
        await AssertDigestDescribesOnlyAsync(incremental.BackupPointId!);
    }

    [S3Fact]
    public async Task A_damaged_digest_is_rebuilt_from_the_points_table_and_the_incremental_reads_the_same_objects()
    {
        WriteInventory();
        var full = await BackupAsync(NullObserver.Instance);
        var path = DigestPath(full.BackupPointId!);
        var bytes = await File.ReadAllBytesAsync(path);
        var records = (bytes.Length - PointDigestFile.HeaderSize) / ObjectDigest.Size;
        Assert.True(records > 100, $"the digest holds {records} records");
        // A bit of a key hash in the middle: undetected, that object would look new (read again) and its entry dropped.
        bytes[PointDigestFile.HeaderSize + ((records / 2) * ObjectDigest.Size) + 3] ^= 0x10;
        await File.WriteAllBytesAsync(path, bytes);
        // The header is intact, so only the records' checksum can find the damage (not the missing-digest path).
        Assert.NotNull(PointDigestFile.TryOpen(path, full.BackupPointId!, records));
        var changes = ChangeTheBucket(1);
        WriteInventory();

        var observer = new RecordingObserver();
        var incremental = await BackupAsync(observer);

        Assert.Contains(observer.Warnings, w => w.Contains($"of backup point {full.BackupPointId} is damaged", StringComparison.Ordinal)
            && w.Contains("Rebuilding it from the point's table", StringComparison.Ordinal));
        await AssertIncrementalAsync(incremental, changes);
        await AssertDigestDescribesOnlyAsync(incremental.BackupPointId!);
    }

    [S3Fact]
    public async Task Removing_the_newest_point_deletes_its_digest_and_the_next_backup_plans_against_the_one_before()
    {
        WriteInventory();
        var full = await BackupAsync(NullObserver.Instance);
        ChangeTheBucket(1);
        WriteInventory();
        var first = await BackupAsync(NullObserver.Instance);
        Assert.True(File.Exists(DigestPath(first.BackupPointId!)));

        await _service.RemoveBackupPointsAsync([first.BackupPointId!], dryRun: false, CancellationToken.None);

        Assert.False(Directory.EnumerateFiles(DigestFolder).Any(), $"digests left in {DigestFolder}: {string.Join(", ", Directory.EnumerateFiles(DigestFolder))}");
        // The full point's digest was deleted by the first incremental: the next backup rebuilds it, and plans right.
        var changes = ChangeTheBucket(2);
        WriteInventory();
        var observer = new RecordingObserver();
        var next = await BackupAsync(observer);
        Assert.Contains(observer.Warnings, w => w.Contains($"no usable digest of backup point {full.BackupPointId}", StringComparison.Ordinal));
        Assert.Equal(JobStatus.Completed, next.Status);
        await AssertPointHoldsTheBucketAsync(next.BackupPointId!);
        await AssertDigestDescribesOnlyAsync(next.BackupPointId!);
        Assert.NotEmpty(changes.Reads);
    }

    [S3Fact]
    public async Task A_traversal_plan_keeps_no_digest()
    {
        const string walk = "digest-walk";
        await _service.NewPlanAsync(server.PlanFor(walk, _source, "", VaultName), server.Credentials, CancellationToken.None);
        var full = await _service.StartBackupAsync(walk, server.Credentials, NullObserver.Instance, CancellationToken.None);
        var changes = ChangeTheBucket(1);
        var incremental = await _service.StartBackupAsync(walk, server.Credentials, NullObserver.Instance, CancellationToken.None);

        // Both backups did their work, so nothing but the scan method explains an empty cache.
        Assert.Equal(JobStatus.Completed, full.Status);
        Assert.Equal(BackupMode.Incremental, incremental.Mode);
        await AssertIncrementalAsync(incremental, changes);
        Assert.False(Directory.Exists(DigestFolder), $"a traversal plan left digests in {DigestFolder}");
    }

    private string DigestFolder => Path.Combine(home.Path, "cache", "digests", _catalog.GetVault(VaultName).VaultId);

    private string DigestPath(string pointId) => Path.Combine(DigestFolder, pointId + ".digest");

    private async Task<BackupJob> BackupAsync(IOperationObserver observer)
    {
        var job = await _service.StartBackupAsync(PlanName, server.Credentials, observer, CancellationToken.None);
        Assert.Equal(JobStatus.Completed, job.Status);
        return job;
    }

    /// <summary>Each run an hour later than the one before: a backup only takes an inventory newer than its previous point's.</summary>
    private void WriteInventory() => _inventories.WriteBucket(_source, new InventoryOptions
    {
        DestinationBucket = _inventoryBucket,
        InventoryId = InventoryId,
        RunTime = DateTime.UtcNow.AddHours(-10 + _inventoryRuns++),
        FilesCount = 3,
        Shuffle = true,
    });

    /// <summary>What an incremental after <see cref="ChangeTheBucket"/> must read, and its point's counts.</summary>
    private sealed record Changes(IReadOnlyList<string> Reads, int New, int Changed, int Deleted);

    /// <summary>
    /// Changes a seeded object and an awkward key, adds one object and deletes one. Round 2 changes again the awkward key
    /// round 1 changed and deletes the object round 1 added, so it plans against entries that were read, not carried over.
    /// </summary>
    private Changes ChangeTheBucket(int round)
    {
        var changed = $"small/000/object-{(round * 10) + 4:D5}.txt";
        var added = $"new/round {round} + 100%.txt";
        var deleted = round == 1 ? "small/001/object-00101.txt" : $"new/round {round - 1} + 100%.txt";
        _s3.PutText(_source, changed, $"changed in round {round}", "text/plain");
        _s3.PutText(_source, "C++ notes/x+y=z.txt", $"changed in round {round}", "text/plain");
        _s3.PutText(_source, added, $"added in round {round}", "text/plain");
        _s3.Delete(_source, deleted);
        return new Changes([changed, "C++ notes/x+y=z.txt", added], New: 1, Changed: 2, Deleted: 1);
    }

    private async Task AssertIncrementalAsync(BackupJob job, Changes changes)
    {
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(changes.Reads.Order(StringComparer.Ordinal), _counter!.ReadKeys.Order(StringComparer.Ordinal));
        var point = _catalog.GetBackupPoint(job.BackupPointId!);
        Assert.Equal((changes.New, changes.Changed, changes.Deleted), ((int)point.NewObjects, (int)point.ChangedObjects, (int)point.DeletedObjects));
        await AssertPointHoldsTheBucketAsync(point.Id);
    }

    /// <summary>
    /// The point lists exactly the bucket's objects, each at its current size and ETag: a plan that dropped an object,
    /// kept a deleted one or kept an old version would not.
    /// </summary>
    private async Task AssertPointHoldsTheBucketAsync(string pointId)
    {
        var bucket = new List<(string Key, long Size, string ETag)>();
        using (var client = server.NewClient())
        {
            var request = new ListObjectsV2Request { BucketName = _source };
            while (true)
            {
                var response = await client.ListObjectsV2Async(request);
                bucket.AddRange((response.S3Objects ?? []).Select(o => (o.Key, o.Size ?? 0, o.ETag.Trim('"').ToLowerInvariant())));
                if (response.IsTruncated != true)
                {
                    break;
                }
                request.ContinuationToken = response.NextContinuationToken;
            }
        }
        var point = await _service.GetObjectsAsync(pointId, null, null, CancellationToken.None)
            .Select(o => (o.Key, o.Size, o.ETag.Trim('"').ToLowerInvariant()))
            .ToListAsync();
        Assert.Equal(bucket.OrderBy(o => o.Key, StringComparer.Ordinal), point.OrderBy(o => o.Key, StringComparer.Ordinal));
    }

    /// <summary>
    /// The point's digest is the only file in the vault's digest folder, and its records are the digests of the point's
    /// table entries in table order (with the file's seed): what the next backup will plan against.
    /// </summary>
    private async Task AssertDigestDescribesOnlyAsync(string pointId)
    {
        var path = DigestPath(pointId);
        Assert.Equal([path], Directory.GetFiles(DigestFolder));
        var point = _catalog.GetBackupPoint(pointId);
        var digest = PointDigestFile.TryOpen(path, pointId, point.ObjectCount);
        Assert.NotNull(digest);
        var records = new List<ObjectDigest>();
        digest.ReadAll(block =>
        {
            for (var at = 0; at < block.Length; at += ObjectDigest.Size)
            {
                records.Add(ObjectDigest.Read(block[at..]));
            }
        });
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(_catalog.GetVault(VaultName).Location), CancellationToken.None);
        var snapshot = await vault.LoadSnapshotAsync(pointId, CancellationToken.None);
        using var reader = vault.NewBlobReader();
        var expected = await TableReader.ReadAsync(reader, snapshot.Segments, null, CancellationToken.None).Select(e => ObjectDigest.Of(e, digest.Seed)).ToListAsync();
        Assert.Equal(expected, records);
    }
}
