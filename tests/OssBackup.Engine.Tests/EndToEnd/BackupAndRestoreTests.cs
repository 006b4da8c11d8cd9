using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>Backup, incremental backup and restore of a real bucket through OssBackupService.</summary>
[Collection(S3Collection.Name)]
public sealed class BackupAndRestoreTests(IncrementalBackupScenario scenario) : IClassFixture<IncrementalBackupScenario>
{
    [S3Fact]
    public void The_first_backup_of_a_plan_is_full_and_stores_every_object()
    {
        var job = scenario.FirstJob;

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(BackupMode.Full, job.Mode);
        Assert.Equal(200, job.ScannedObjects);
        Assert.Equal(200, job.BackedUpObjects);
        Assert.Equal(scenario.Seeded.Values.Sum(v => (long)v.Length), job.BackedUpBytes);
        Assert.Equal(0, job.UnchangedObjects);
        Assert.Equal(0, job.FailedObjects);
        Assert.Equal((200, 200, 0, 0), (scenario.FirstPoint.ObjectCount, scenario.FirstPoint.NewObjects, scenario.FirstPoint.ChangedObjects, scenario.FirstPoint.DeletedObjects));
    }

    [S3Fact]
    public void Backups_are_recorded_in_the_catalog_with_their_points_and_the_plans_last_status()
    {
        var plan = scenario.Catalog.GetPlan(IncrementalBackupScenario.PlanName);
        var recorded = scenario.Catalog.GetBackupJobs(id: scenario.FirstJob.Id).Single();

        Assert.Equal(JobStatus.Completed, recorded.Status);
        Assert.Equal(scenario.FirstPoint.Id, recorded.BackupPointId);
        Assert.Equal(200, recorded.BackedUpObjects);
        Assert.Equal(JobStatus.Completed, plan.LastJobStatus);
        Assert.Equal(scenario.SecondPoint.CreatedAt, plan.LastBackupTime);
    }

    [S3Fact]
    public async Task An_object_larger_than_the_chunk_size_is_stored_as_several_chunks()
    {
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(scenario.Vault.Location), CancellationToken.None);
        var snapshot = await vault.LoadSnapshotAsync(scenario.FirstPoint.Id, CancellationToken.None);
        using var reader = vault.NewBlobReader();

        ObjectEntry? large = null;
        await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, IncrementalBackupScenario.LargeKey, CancellationToken.None))
        {
            large = entry;
            break;
        }

        Assert.NotNull(large);
        Assert.Equal(IncrementalBackupScenario.LargeKey, large.Key);
        Assert.Equal([8 << 20, 8 << 20, 4 << 20], large.Chunks.Select(c => c.RawLength));
        var bytes = new List<byte>();
        foreach (var chunk in large.Chunks)
        {
            bytes.AddRange(await reader.ReadAsync(chunk, CancellationToken.None));
        }
        Assert.Equal(TestData.Sha256(scenario.Seeded[IncrementalBackupScenario.LargeKey]), TestData.Sha256(bytes.ToArray()));
    }

    [S3Fact]
    public void The_second_backup_reads_only_the_new_and_changed_objects()
    {
        Assert.Equal(5, scenario.SecondRunSource.Reads);
        Assert.Equal(scenario.Modified.Concat(scenario.Added).Order(StringComparer.Ordinal), scenario.SecondRunSource.ReadKeys.Order(StringComparer.Ordinal));
    }

    [S3Fact]
    public void The_second_backup_is_incremental_and_carries_the_unchanged_objects_over()
    {
        var job = scenario.SecondJob;

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(BackupMode.Incremental, job.Mode);
        Assert.Equal(201, job.ScannedObjects);
        Assert.Equal(5, job.BackedUpObjects);
        Assert.Equal(200 - 3 - 1, job.UnchangedObjects);
        Assert.Equal(0, job.FailedObjects);
        Assert.Equal(scenario.Modified.Concat(scenario.Added).Sum(k => (long)scenario.Current[k].Length), job.BackedUpBytes);
    }

    [S3Fact]
    public void The_second_backup_point_counts_2_new_3_changed_and_1_deleted_object()
    {
        var point = scenario.SecondPoint;

        Assert.Equal((2, 3, 1), (point.NewObjects, point.ChangedObjects, point.DeletedObjects));
        Assert.Equal(201, point.ObjectCount);
        Assert.Equal(scenario.Current.Values.Sum(v => (long)v.Length), point.TotalBytes);
    }

    [S3Fact]
    public async Task Restoring_the_second_point_into_an_empty_bucket_reproduces_the_source_byte_for_byte()
    {
        var source = await scenario.Server.ReadObjectHashesAsync(scenario.SourceBucket);
        var restored = await scenario.Server.ReadObjectHashesAsync(scenario.TargetBucket);

        Assert.Equal(JobStatus.Completed, scenario.RestoreJob.Status);
        Assert.Equal(201, scenario.RestoreJob.RestoredObjects);
        Assert.Equal(scenario.Current.Keys.Order(StringComparer.Ordinal), source.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(source.OrderBy(p => p.Key, StringComparer.Ordinal), restored.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [S3Fact]
    public async Task A_restored_object_keeps_its_content_type_and_user_metadata()
    {
        var restored = await scenario.HeadAsync(scenario.TargetBucket, IncrementalBackupScenario.ReadmeKey);

        Assert.Equal("text/plain", restored.Headers.ContentType);
        Assert.Equal("no-cache", restored.Headers.CacheControl);
        Assert.Equal("seed", restored.Metadata["origin"]);
    }

    [S3Fact]
    public async Task The_deleted_object_is_still_in_the_first_point_and_absent_from_the_second()
    {
        var first = await ListKeysAsync(scenario.FirstPoint.Id);
        var second = await ListKeysAsync(scenario.SecondPoint.Id);

        Assert.Contains(scenario.Deleted, first);
        Assert.DoesNotContain(scenario.Deleted, second);
        Assert.Equal(200, first.Count);
        Assert.Equal(scenario.Current.Keys.Order(KeyOrder.Instance), second);
    }

    [S3Fact]
    public async Task Restoring_again_with_Conflict_Skip_skips_every_object()
    {
        var job = await scenario.Service.RestoreAsync(scenario.SecondPoint.Id, new RestoreSelection(),
            new BucketRestoreRequest(scenario.TargetBucket, Credentials: scenario.Credentials, Conflict: ConflictAction.Skip), NullObserver.Instance, CancellationToken.None);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(201, job.SkippedObjects);
        Assert.Equal(0, job.RestoredObjects);
        Assert.Equal(0, job.FailedObjects);
    }

    [S3Fact]
    public async Task Restoring_a_selection_under_a_target_prefix_writes_only_the_selected_objects_there()
    {
        var bucket = await scenario.Server.CreateBucketAsync("e2eselection");
        var selection = new RestoreSelection(KeyPatterns: ["unicode/*", "odd/a+b+c"]);

        var job = await scenario.Service.RestoreAsync(scenario.SecondPoint.Id, selection,
            new BucketRestoreRequest(bucket, "copy/", Credentials: scenario.Credentials), NullObserver.Instance, CancellationToken.None);
        var restored = await scenario.Server.ReadObjectHashesAsync(bucket);

        var expected = scenario.Current.Where(o => o.Key.StartsWith("unicode/", StringComparison.Ordinal) || o.Key == "odd/a+b+c")
            .ToDictionary(o => "copy/" + o.Key, o => TestData.Sha256(o.Value));
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(expected.Count, job.RestoredObjects);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), restored.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [S3Fact]
    public async Task Restoring_with_Conflict_Fail_over_existing_objects_fails_each_of_them()
    {
        var observer = new RecordingObserver();

        var job = await scenario.Service.RestoreAsync(scenario.SecondPoint.Id, RestoreSelection.UnderPrefix("docs/"),
            new BucketRestoreRequest(scenario.TargetBucket, Credentials: scenario.Credentials), observer, CancellationToken.None);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal((0, 4), (job.RestoredObjects, job.FailedObjects));
        Assert.All(observer.Failures, f => Assert.Equal("TargetExists", f.Code));
        Assert.Equal(scenario.Current.Keys.Where(k => k.StartsWith("docs/", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            observer.Failures.Select(f => f.Key).Order(StringComparer.Ordinal));
    }

    [S3Fact]
    public async Task Restoring_into_a_bucket_that_does_not_exist_is_refused_as_BucketNotFound()
    {
        var missing = $"ossb-missing-{Guid.NewGuid():N}";

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => scenario.Service.RestoreAsync(scenario.SecondPoint.Id, new RestoreSelection(),
            new BucketRestoreRequest(missing, Credentials: scenario.Credentials), NullObserver.Instance, CancellationToken.None));

        Assert.Equal(SourceProblem.BucketNotFound, error.Problem);
    }

    [S3Fact]
    public async Task Objects_of_a_point_can_be_listed_by_prefix_and_by_wildcard()
    {
        var byPrefix = new List<BackupObject>();
        await foreach (var item in scenario.Service.GetObjectsAsync(scenario.SecondPoint.Id, prefix: "unicode/", keyPattern: null, CancellationToken.None))
        {
            byPrefix.Add(item);
        }
        var byPattern = new List<BackupObject>();
        await foreach (var item in scenario.Service.GetObjectsAsync(scenario.SecondPoint.Id, prefix: null, keyPattern: "*.tmp", CancellationToken.None))
        {
            byPattern.Add(item);
        }

        Assert.Equal(scenario.Current.Keys.Where(k => k.StartsWith("unicode/", StringComparison.Ordinal)).Order(KeyOrder.Instance), byPrefix.Select(o => o.Key));
        Assert.All(byPrefix, o => Assert.Equal(scenario.Current[o.Key].Length, o.Size));
        Assert.All(byPrefix, o => Assert.Equal(scenario.SecondPoint.Id, o.BackupPointId));
        Assert.Equal(["docs/draft.tmp"], byPattern.Select(o => o.Key));
        Assert.Equal("text/plain", byPrefix.First(o => o.Key.EndsWith(".txt", StringComparison.Ordinal)).ContentType);
    }

    [S3Fact]
    public async Task A_plan_with_include_and_exclude_backs_up_only_included_objects_and_never_an_excluded_one()
    {
        const string plan = "docs-only";
        await scenario.Service.NewPlanAsync(scenario.NewPlan(plan, include: ["^docs/"], exclude: [@"\.tmp$"]), scenario.Credentials, CancellationToken.None);

        var job = await scenario.Service.StartBackupAsync(plan, scenario.Credentials, NullObserver.Instance, CancellationToken.None);
        var keys = await ListKeysAsync(job.BackupPointId!);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(["docs/notes with spaces.txt", IncrementalBackupScenario.ReadmeKey, "docs/sub dir/a+b=c.txt"], keys);
        Assert.Equal(3, job.ScannedObjects);
    }

    private async Task<List<string>> ListKeysAsync(string pointId)
    {
        var keys = new List<string>();
        await foreach (var item in scenario.Service.GetObjectsAsync(pointId, prefix: null, keyPattern: null, CancellationToken.None))
        {
            keys.Add(item.Key);
        }
        return keys;
    }
}
