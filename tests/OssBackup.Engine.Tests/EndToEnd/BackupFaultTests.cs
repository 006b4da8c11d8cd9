using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>What a backup does when the source misbehaves, the user cancels, or the bucket is gone.</summary>
[Collection(S3Collection.Name)]
public sealed class BackupFaultTests(SmallBucketEngine engine) : IClassFixture<SmallBucketEngine>, IDisposable
{
    private const string Victim = "b/item 05.txt";

    public void Dispose() => engine.Service.WrapSource = source => source;

    [S3Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_backup_reads_at_most_parallelism_objects_at_once(int parallelism)
    {
        await engine.NewPlanAsync($"parallel-{parallelism}");
        int inFlight = 0, mostInFlight = 0;
        engine.Service.WrapSource = source => new FaultyObjectSource(source)
        {
            BeforeRead = async _ =>
            {
                var now = Interlocked.Increment(ref inFlight);
                int seen;
                while ((seen = Volatile.Read(ref mostInFlight)) < now && Interlocked.CompareExchange(ref mostInFlight, now, seen) != seen)
                {
                }
                // Long enough that every worker free to read arrives while the others wait here.
                await Task.Delay(50);
                Interlocked.Decrement(ref inFlight);
            },
        };

        var job = await engine.Service.StartBackupAsync($"parallel-{parallelism}", engine.Server.Credentials, NullObserver.Instance, CancellationToken.None, parallelism);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(engine.Objects.Count, job.BackedUpObjects);
        // All 12 objects are listed at once, so the workers are never starved: exactly the limit is reached.
        Assert.Equal(parallelism, mostInFlight);
    }

    [S3Fact]
    public async Task A_read_that_fails_is_reported_and_the_job_is_partially_completed_without_that_object()
    {
        await engine.NewPlanAsync("read-fails");
        engine.Service.WrapSource = source => new FaultyObjectSource(source)
        {
            BeforeRead = key => key == Victim ? throw new IOException("connection reset by peer") : Task.CompletedTask,
        };
        var observer = new RecordingObserver();

        var job = await engine.BackupAsync("read-fails", observer);

        Assert.Equal(JobStatus.PartiallyCompleted, job.Status);
        Assert.Equal((1, engine.Objects.Count - 1), (job.FailedObjects, job.BackedUpObjects));
        var failure = Assert.Single(observer.Failures);
        Assert.Equal((Victim, "IOException"), (failure.Key, failure.Code));
        Assert.Contains("connection reset by peer", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Victim, await engine.KeysOfAsync(job.BackupPointId!));
    }

    [S3Fact]
    public async Task The_next_backup_reads_again_an_object_whose_read_failed()
    {
        await engine.NewPlanAsync("read-retried");
        engine.Service.WrapSource = source => new FaultyObjectSource(source)
        {
            BeforeRead = key => key == Victim ? throw new IOException("timeout") : Task.CompletedTask,
        };
        await engine.BackupAsync("read-retried");
        CountingObjectSource? counting = null;
        engine.Service.WrapSource = source => counting = new CountingObjectSource(source);

        var job = await engine.BackupAsync("read-retried");

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal([Victim], counting!.ReadKeys);
        Assert.Contains(Victim, await engine.KeysOfAsync(job.BackupPointId!));
    }

    [S3Fact]
    public async Task Bytes_that_do_not_match_the_objects_MD5_ETag_are_refused_as_an_integrity_failure()
    {
        await engine.NewPlanAsync("corrupted");
        engine.Service.WrapSource = source => new FaultyObjectSource(source) { Corrupt = new HashSet<string> { Victim } };
        var observer = new RecordingObserver();

        var job = await engine.BackupAsync("corrupted", observer);

        Assert.Equal(JobStatus.PartiallyCompleted, job.Status);
        Assert.Equal(1, job.FailedObjects);
        var failure = Assert.Single(observer.Failures);
        Assert.Equal((Victim, "IntegrityCheckFailed"), (failure.Key, failure.Code));
        Assert.DoesNotContain(Victim, await engine.KeysOfAsync(job.BackupPointId!));
    }

    [S3Fact]
    public async Task An_object_deleted_between_listing_and_reading_is_counted_as_gone_not_failed()
    {
        await engine.NewPlanAsync("gone");
        engine.Service.WrapSource = source => new FaultyObjectSource(source)
        {
            BeforeRead = key => key == Victim ? throw new ObjectGoneException(key) : Task.CompletedTask,
        };

        var job = await engine.BackupAsync("gone");

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal((1, 0), (job.GoneSinceScanObjects, job.FailedObjects));
        Assert.Equal(engine.Objects.Count - 1, (await engine.KeysOfAsync(job.BackupPointId!)).Count);
        Assert.DoesNotContain(Victim, await engine.KeysOfAsync(job.BackupPointId!));
    }

    [S3Fact]
    public async Task An_archived_object_is_skipped_without_being_read()
    {
        await engine.NewPlanAsync("archived");
        FaultyObjectSource? faulty = null;
        engine.Service.WrapSource = source => faulty = new FaultyObjectSource(source)
        {
            Listing = item => item.Key == Victim ? item with { StorageClass = "GLACIER" } : item,
        };

        var job = await engine.BackupAsync("archived");

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal((1, 0), (job.SkippedObjects, job.FailedObjects));
        Assert.DoesNotContain(Victim, faulty!.ReadKeys);
        Assert.DoesNotContain(Victim, await engine.KeysOfAsync(job.BackupPointId!));
    }

    [S3Fact]
    public async Task A_cancelled_backup_is_recorded_as_cancelled_and_adds_no_backup_point()
    {
        await engine.NewPlanAsync("cancelled");
        using var cancel = new CancellationTokenSource();
        engine.Service.WrapSource = source => new FaultyObjectSource(source)
        {
            BeforeRead = async _ =>
            {
                await cancel.CancelAsync();
                cancel.Token.ThrowIfCancellationRequested();
            },
        };
        var snapshotsBefore = await CountSnapshotsAsync();

        var job = await engine.BackupAsync("cancelled", cancellationToken: cancel.Token);

        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.Equal(JobStatus.Cancelled, engine.Catalog.GetBackupJobs(id: job.Id).Single().Status);
        Assert.Empty(engine.Catalog.GetBackupPoints(plan: "cancelled"));
        Assert.Equal(snapshotsBefore, await CountSnapshotsAsync());
    }

    [S3Fact]
    public async Task A_backup_of_a_bucket_that_no_longer_exists_fails_and_is_recorded_as_failed()
    {
        var bucket = await engine.Server.CreateBucketAsync("vanishing");
        await engine.NewPlanAsync("vanished", bucket);
        await engine.Server.DeleteEmptyBucketAsync(bucket);

        var error = await Assert.ThrowsAsync<BackupFailedException>(() => engine.BackupAsync("vanished"));

        Assert.Equal(JobStatus.Failed, error.Job.Status);
        Assert.Contains(bucket, error.Message, StringComparison.Ordinal);
        var recorded = engine.Catalog.GetBackupJobs(id: error.Job.Id).Single();
        Assert.Equal(JobStatus.Failed, recorded.Status);
        Assert.Contains(bucket, recorded.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task A_backup_of_an_empty_bucket_completes_with_an_empty_point()
    {
        var bucket = await engine.Server.CreateBucketAsync("empty");
        await engine.NewPlanAsync("empty-bucket", bucket);

        var job = await engine.BackupAsync("empty-bucket");

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(0, job.ScannedObjects);
        Assert.Empty(await engine.KeysOfAsync(job.BackupPointId!));
        Assert.Equal(0, engine.Catalog.GetBackupPoint(job.BackupPointId!).ObjectCount);
    }

    [S3Fact]
    public async Task A_backup_leaves_no_scratch_files_behind()
    {
        await engine.NewPlanAsync("scratch");

        var job = await engine.BackupAsync("scratch");

        Assert.Equal(JobStatus.Completed, job.Status);
        var scratch = Path.Combine(engine.Home, "tmp");
        Assert.True(!Directory.Exists(scratch) || !Directory.EnumerateFileSystemEntries(scratch).Any(),
            $"left behind: {string.Join(", ", Directory.Exists(scratch) ? Directory.EnumerateFileSystemEntries(scratch) : [])}");
    }

    private async Task<int> CountSnapshotsAsync()
    {
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(engine.Vault.Location), CancellationToken.None);
        var count = 0;
        await foreach (var _ in vault.ListSnapshotsAsync(CancellationToken.None))
        {
            count++;
        }
        return count;
    }
}
