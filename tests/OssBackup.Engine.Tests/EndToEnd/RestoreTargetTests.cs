using Amazon.S3;
using Amazon.S3.Model;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// Restores into a real bucket that fails or is cancelled midway, -Rollback, and -StorageClass: what is
/// left in the target must be whole objects only, and a re-run must complete.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class RestoreTargetTests(SmallBucketEngine engine) : IClassFixture<SmallBucketEngine>
{
    private const string LargeKey = "big/three-chunks.bin";

    /// <summary>A bucket with one 20 MiB object (three 8 MiB chunks, so a multipart upload) and the small ones, backed up once.</summary>
    private async Task<(string PointId, Dictionary<string, string> Hashes)> BackUpBucketWithLargeObjectAsync(string plan)
    {
        var source = await engine.Server.CreateBucketAsync(plan);
        var objects = new Dictionary<string, byte[]>(engine.Objects, StringComparer.Ordinal) { [LargeKey] = TestData.RandomBytes(20 << 20, seed: 11) };
        await engine.Server.PutObjectsAsync(source, objects);
        await engine.NewPlanAsync(plan, source);
        var job = await engine.BackupAsync(plan);
        Assert.Equal(JobStatus.Completed, job.Status);
        return (job.BackupPointId!, objects.ToDictionary(o => o.Key, o => TestData.Sha256(o.Value), StringComparer.Ordinal));
    }

    private async Task<RestoreJob> RestoreThroughAsync(string pointId, IObjectTarget target, RestoreSelection? selection = null,
        string? targetPrefix = null, bool rollback = false, string? storageClass = null, CancellationToken cancellationToken = default)
    {
        var point = engine.Catalog.GetBackupPoint(pointId);
        var runner = new RestoreRunner(engine.Catalog, NullObserver.Instance, parallelism: 4);
        return await runner.RunAsync(point, engine.Catalog.GetVault(point.Vault), selection ?? new RestoreSelection(),
            new RestoreTarget(target, targetPrefix, ConflictAction.Overwrite, storageClass, rollback), cancellationToken);
    }

    private async Task<List<MultipartUpload>> OpenUploadsAsync(string bucket)
    {
        using var client = engine.Server.NewClient();
        var response = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        return response.MultipartUploads ?? [];
    }

    private async Task<bool> ExistsAsync(string bucket, string key) =>
        await engine.Server.OpenBucket(bucket).ExistsAsync(key, CancellationToken.None);

    [S3Fact]
    public async Task A_target_that_fails_midway_through_a_multipart_upload_is_left_without_the_object_or_its_parts_and_a_rerun_completes()
    {
        var (pointId, hashes) = await BackUpBucketWithLargeObjectAsync("fail-midway");
        var target = await engine.Server.CreateBucketAsync("fail-midway-target");
        var failing = new FaultyObjectTarget(engine.Server.OpenBucket(target)) { FailOnPart = 2 };

        var failed = await RestoreThroughAsync(pointId, failing);

        Assert.Equal(JobStatus.PartiallyCompleted, failed.Status);
        Assert.Equal(1, failed.FailedObjects);
        Assert.Equal(hashes.Count - 1, failed.RestoredObjects);
        Assert.True(failing.PartsUploaded >= 1, "the first part must have been uploaded before the failure");
        Assert.False(await ExistsAsync(target, LargeKey));
        Assert.Empty(await OpenUploadsAsync(target));
        var item = Assert.Single(engine.Catalog.GetJobItems(failed.Id, "Failed"));
        Assert.Equal(LargeKey, item.Key);

        var rerun = await RestoreThroughAsync(pointId, engine.Server.OpenBucket(target));

        Assert.Equal(JobStatus.Completed, rerun.Status);
        Assert.Equal(hashes.OrderBy(h => h.Key, StringComparer.Ordinal), (await engine.Server.ReadObjectHashesAsync(target)).OrderBy(h => h.Key, StringComparer.Ordinal));
    }

    [S3Fact]
    public async Task A_restore_cancelled_during_a_multipart_upload_leaves_no_object_or_parts_and_a_rerun_completes()
    {
        var (pointId, hashes) = await BackUpBucketWithLargeObjectAsync("cancel-midway");
        var target = await engine.Server.CreateBucketAsync("cancel-midway-target");
        using var cancellation = new CancellationTokenSource();
        var cancelling = new FaultyObjectTarget(engine.Server.OpenBucket(target)) { OnPart = part => { if (part == 2) { cancellation.Cancel(); } } };

        var cancelled = await RestoreThroughAsync(pointId, cancelling, selection: new RestoreSelection([LargeKey]), cancellationToken: cancellation.Token);

        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.False(await ExistsAsync(target, LargeKey));
        Assert.Empty(await OpenUploadsAsync(target));

        var rerun = await RestoreThroughAsync(pointId, engine.Server.OpenBucket(target), selection: new RestoreSelection([LargeKey]));

        Assert.Equal(JobStatus.Completed, rerun.Status);
        Assert.Equal(hashes[LargeKey], (await engine.Server.ReadObjectHashesAsync(target))[LargeKey]);
    }

    [S3Fact]
    public async Task Rollback_deletes_only_the_targets_objects_within_the_selection_that_the_point_does_not_hold()
    {
        await engine.NewPlanAsync("rollback");
        var pointId = (await engine.BackupAsync("rollback")).BackupPointId!;
        var target = await engine.Server.CreateBucketAsync("rollback-target");
        var strangers = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["copy/b/newer.txt"] = [1],        // under the restored prefix and the selection: deleted
            ["copy/b/item 03.txt"] = [2],      // in the point: overwritten, kept
            ["copy/a/zero.txt.bak"] = [3],     // under the target prefix but outside -Prefix b/: kept
            ["elsewhere/b/x.txt"] = [4],       // outside the target prefix: kept
            ["copy/b/zz-ignored.log"] = [5],   // within b/ but excluded by the selection's -Exclude: kept
        };
        await engine.Server.PutObjectsAsync(target, strangers);
        var selection = new RestoreSelection(["b/"], Exclude: [@"\.log$"]);
        var bucket = engine.Server.OpenBucket(target);

        var preview = new List<string>();
        var point = engine.Catalog.GetBackupPoint(pointId);
        var vault = await OssBackup.Engine.Vault.VaultRepository.OpenAsync(new OssBackup.Engine.Storage.FileBlobStore(engine.Vault.Location), CancellationToken.None);
        await foreach (var key in RestoreRunner.FindKeysNotInPointAsync(vault, await vault.LoadSnapshotAsync(pointId, CancellationToken.None), selection,
            new RestoreTarget(bucket, "copy/", ConflictAction.Overwrite), CancellationToken.None))
        {
            preview.Add(key);
        }
        var job = await RestoreThroughAsync(pointId, bucket, selection: selection, targetPrefix: "copy/", rollback: true);

        Assert.Equal(["copy/b/newer.txt"], preview);
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.DeletedObjects);
        Assert.Equal(engine.Objects.Keys.Count(k => k.StartsWith("b/", StringComparison.Ordinal)), job.RestoredObjects);
        var left = (await engine.Server.ReadObjectHashesAsync(target)).Keys.Order(StringComparer.Ordinal).ToList();
        var expected = engine.Objects.Keys.Where(k => k.StartsWith("b/", StringComparison.Ordinal)).Select(k => "copy/" + k)
            .Concat(["copy/a/zero.txt.bak", "elsewhere/b/x.txt", "copy/b/zz-ignored.log"]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, left);
        var deleted = Assert.Single(engine.Catalog.GetJobItems(job.Id, "Deleted"));
        Assert.Equal("copy/b/newer.txt", deleted.Key);
        Assert.Equal(1, engine.Catalog.GetRestoreJobs(job.Id).Single().DeletedObjects);
    }

    [S3Fact]
    public async Task Rollback_deletes_nothing_when_an_object_failed_to_restore()
    {
        var (pointId, _) = await BackUpBucketWithLargeObjectAsync("rollback-failing");
        var target = await engine.Server.CreateBucketAsync("rollback-failing-target");
        await engine.Server.PutObjectsAsync(target, new Dictionary<string, byte[]> { ["not-in-point.txt"] = [9] });

        var job = await RestoreThroughAsync(pointId, new FaultyObjectTarget(engine.Server.OpenBucket(target)) { FailOnPart = 1 }, rollback: true);

        Assert.Equal(JobStatus.PartiallyCompleted, job.Status);
        Assert.Equal(0, job.DeletedObjects);
        Assert.Contains("Rollback skipped", job.Message, StringComparison.Ordinal);
        Assert.True(await ExistsAsync(target, "not-in-point.txt"));
    }

    [S3Fact]
    public async Task Objects_are_written_in_their_backed_up_storage_class_unless_one_is_given()
    {
        // tests/s3server/start.sh gives Ceph RGW a STANDARD_IA class besides STANDARD.
        var source = await engine.Server.CreateBucketAsync("classes");
        await engine.Server.PutObjectsAsync(source, new Dictionary<string, byte[]> { ["ia/one.txt"] = [1, 2, 3] }, r => r.StorageClass = S3StorageClass.StandardInfrequentAccess);
        await engine.Server.PutObjectsAsync(source, new Dictionary<string, byte[]> { ["std/two.txt"] = [4, 5] });
        await engine.NewPlanAsync("classes", source);
        var pointId = (await engine.BackupAsync("classes")).BackupPointId!;
        var asBackedUp = await engine.Server.CreateBucketAsync("classes-kept");
        var allIa = await engine.Server.CreateBucketAsync("classes-ia");

        Assert.Equal(JobStatus.Completed, (await RestoreThroughAsync(pointId, engine.Server.OpenBucket(asBackedUp))).Status);
        Assert.Equal(JobStatus.Completed, (await RestoreThroughAsync(pointId, engine.Server.OpenBucket(allIa), storageClass: "STANDARD_IA")).Status);

        using var client = engine.Server.NewClient();
        async Task<string> ClassOf(string bucket, string key) =>
            (await client.GetObjectMetadataAsync(bucket, key)).StorageClass?.Value ?? "STANDARD";
        Assert.Equal("STANDARD_IA", await ClassOf(asBackedUp, "ia/one.txt"));
        Assert.Equal("STANDARD", await ClassOf(asBackedUp, "std/two.txt"));
        Assert.Equal("STANDARD_IA", await ClassOf(allIa, "ia/one.txt"));
        Assert.Equal("STANDARD_IA", await ClassOf(allIa, "std/two.txt"));
    }

    [S3Fact]
    public async Task A_restore_without_a_target_bucket_writes_back_to_the_source_bucket_under_the_original_keys()
    {
        var source = await engine.Server.CreateBucketAsync("original");
        await engine.Server.PutObjectsAsync(source, engine.Objects);
        await engine.NewPlanAsync("original", source);
        var pointId = (await engine.BackupAsync("original")).BackupPointId!;
        using (var client = engine.Server.NewClient())
        {
            await client.DeleteObjectAsync(source, "a/zero.txt");
            await client.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "b/item 03.txt", ContentBody = "overwritten by mistake" });
        }
        var request = new BucketRestoreRequest(null, Credentials: engine.Server.Credentials, Conflict: ConflictAction.IfChanged);

        Assert.True(engine.Service.WritesOverSource(pointId, request));
        var job = await engine.Service.RestoreAsync(pointId, new RestoreSelection(), request, NullObserver.Instance, CancellationToken.None);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(2, job.RestoredObjects);
        Assert.Equal(engine.Objects.Count - 2, job.SkippedObjects);
        Assert.Equal(engine.Objects.ToDictionary(o => o.Key, o => TestData.Sha256(o.Value)).OrderBy(o => o.Key, StringComparer.Ordinal),
            (await engine.Server.ReadObjectHashesAsync(source)).OrderBy(o => o.Key, StringComparer.Ordinal));
        Assert.False(engine.Service.WritesOverSource(pointId, request with { TargetPrefix = "elsewhere/" }));
        Assert.False(engine.Service.WritesOverSource(pointId, request with { TargetBucket = "another" }));
    }

    [S3Fact]
    public async Task A_large_object_whose_backed_up_ETag_is_its_MD5_goes_up_as_one_streamed_PUT_with_its_headers()
    {
        var source = await engine.Server.CreateBucketAsync("streamed");
        var content = TestData.RandomBytes(20 << 20, seed: 12);
        await engine.Server.PutObjectsAsync(source, new Dictionary<string, byte[]> { [LargeKey] = content }, r =>
        {
            r.ContentType = "video/mp4";
            r.Headers.CacheControl = "max-age=60";
            r.Headers.ContentDisposition = "attachment; filename=\"clip 7.mp4\"";
            r.Headers.ContentEncoding = "identity";
            r.Headers.Expires = new DateTime(2031, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            r.Metadata["origin"] = "camera 7";
        });
        await engine.NewPlanAsync("streamed", source);
        var pointId = (await engine.BackupAsync("streamed")).BackupPointId!;
        var target = await engine.Server.CreateBucketAsync("streamed-target");
        var counting = new FaultyObjectTarget(engine.Server.OpenBucket(target)) { Streamed = true };

        var job = await RestoreThroughAsync(pointId, counting);

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, counting.StreamAttempts);
        Assert.Equal(0, counting.PartsUploaded);
        using var client = engine.Server.NewClient();
        var head = await client.GetObjectMetadataAsync(target, LargeKey);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.MD5.HashData(content)), head.ETag.Trim('"'), ignoreCase: true);
        Assert.Equal("video/mp4", head.Headers.ContentType);
        Assert.Equal("max-age=60", head.Headers.CacheControl);
        Assert.Equal("attachment; filename=\"clip 7.mp4\"", head.Headers.ContentDisposition);
        Assert.Equal("identity", head.Headers.ContentEncoding);
        Assert.Equal("Thu, 02 Jan 2031 03:04:05 GMT", head.ExpiresString);
        Assert.Equal("camera 7", head.Metadata["origin"]);
        Assert.Equal(TestData.Sha256(content), (await engine.Server.ReadObjectHashesAsync(target))[LargeKey]);
    }

    [S3Fact]
    public async Task A_streamed_PUT_whose_body_fails_midway_leaves_no_object_is_not_retried_and_a_rerun_completes()
    {
        var (pointId, hashes) = await BackUpBucketWithLargeObjectAsync("stream-fail");
        var target = await engine.Server.CreateBucketAsync("stream-fail-target");
        var failing = new FaultyObjectTarget(engine.Server.OpenBucket(target))
        {
            Streamed = true,
            BeforeStreamWrite = sent => { if (sent >= 8 << 20) { throw new IOException("simulated vault read error"); } },
        };

        var failed = await RestoreThroughAsync(pointId, failing, selection: new RestoreSelection([LargeKey]));

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(1, failing.StreamAttempts);
        Assert.Contains("simulated vault read error", Assert.Single(engine.Catalog.GetJobItems(failed.Id, "Failed")).Message, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(target, LargeKey));

        var rerun = await RestoreThroughAsync(pointId, engine.Server.OpenBucket(target), selection: new RestoreSelection([LargeKey]));

        Assert.Equal(JobStatus.Completed, rerun.Status);
        Assert.Equal(hashes[LargeKey], (await engine.Server.ReadObjectHashesAsync(target))[LargeKey]);
    }

    [S3Fact]
    public async Task A_restore_cancelled_during_a_streamed_PUT_leaves_no_object()
    {
        var (pointId, _) = await BackUpBucketWithLargeObjectAsync("stream-cancel");
        var target = await engine.Server.CreateBucketAsync("stream-cancel-target");
        using var cancellation = new CancellationTokenSource();
        var cancelling = new FaultyObjectTarget(engine.Server.OpenBucket(target))
        {
            Streamed = true,
            BeforeStreamWrite = sent => { if (sent >= 8 << 20) { cancellation.Cancel(); } },
        };

        var cancelled = await RestoreThroughAsync(pointId, cancelling, selection: new RestoreSelection([LargeKey]), cancellationToken: cancellation.Token);

        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.False(await ExistsAsync(target, LargeKey));
    }

    [S3Fact]
    public async Task A_streamed_PUT_the_server_refuses_for_its_MD5_is_uploaded_in_parts_instead()
    {
        var (pointId, hashes) = await BackUpBucketWithLargeObjectAsync("stream-digest");
        var target = await engine.Server.CreateBucketAsync("stream-digest-target");
        // An ETag that looks like an MD5 but is not the content's (as SSE-KMS gives): the server answers BadDigest.
        var misled = new FaultyObjectTarget(engine.Server.OpenBucket(target)) { Streamed = true, AlterStreamedWrite = w => w with { ContentMd5 = new byte[16] } };

        var job = await RestoreThroughAsync(pointId, misled, selection: new RestoreSelection([LargeKey]));

        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, misled.StreamAttempts);
        Assert.Equal(3, misled.PartsUploaded);
        using var client = engine.Server.NewClient();
        Assert.EndsWith("-3", (await client.GetObjectMetadataAsync(target, LargeKey)).ETag.Trim('"'), StringComparison.Ordinal);
        Assert.Equal(hashes[LargeKey], (await engine.Server.ReadObjectHashesAsync(target))[LargeKey]);
    }

    /// <summary>A bucket target that fails or reports at a chosen part of a multipart upload.</summary>
    private sealed class FaultyObjectTarget(IObjectTarget inner) : IObjectTarget
    {
        private int _partsUploaded;

        public int? FailOnPart { get; init; }
        public Action<int>? OnPart { get; init; }
        public int PartsUploaded => _partsUploaded;

        /// <summary>Pass streamed PUTs on to the bucket (else every multi-chunk object goes up in parts).</summary>
        public bool Streamed { get; init; }
        public Func<ObjectWrite, ObjectWrite>? AlterStreamedWrite { get; init; }

        /// <summary>Called before each write of a streamed body with the bytes sent so far; may throw or cancel.</summary>
        public Action<long>? BeforeStreamWrite { get; init; }
        public int StreamAttempts => _streamAttempts;
        private int _streamAttempts;

        public long StreamedPutLimit => Streamed ? inner.StreamedPutLimit : 0;

        public Task PutStreamAsync(string key, IObjectBody body, ObjectWrite write, CancellationToken cancellationToken) =>
            inner.PutStreamAsync(key, new InterceptedBody(this, body), AlterStreamedWrite?.Invoke(write) ?? write, cancellationToken);

        private sealed class InterceptedBody(FaultyObjectTarget owner, IObjectBody inner) : IObjectBody
        {
            public long Length => inner.Length;

            public Task WriteToAsync(Stream destination, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner._streamAttempts);
                return inner.WriteToAsync(new InterceptingStream(owner, destination), cancellationToken);
            }
        }

        private sealed class InterceptingStream(FaultyObjectTarget owner, Stream inner) : OssBackup.Engine.Util.ForwardingWriteStream(inner)
        {
            private long _sent;

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                owner.BeforeStreamWrite?.Invoke(_sent);
                await Inner.WriteAsync(buffer, cancellationToken);
                _sent += buffer.Length;
            }
        }

        public string Description => inner.Description;
        public Task<(long Size, string ETag)?> StatAsync(string key, CancellationToken cancellationToken) => inner.StatAsync(key, cancellationToken);
        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);
        public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectWrite write, CancellationToken cancellationToken) => inner.PutAsync(key, content, write, cancellationToken);
        public IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancellationToken) => inner.ListKeysAsync(prefix, cancellationToken);
        public Task<IReadOnlyList<KeyValuePair<string, string>>> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => inner.DeleteAsync(keys, cancellationToken);

        public async Task<IMultipartWrite> StartMultipartAsync(string key, ObjectWrite write, CancellationToken cancellationToken) =>
            new FaultyUpload(this, await inner.StartMultipartAsync(key, write, cancellationToken));

        private sealed class FaultyUpload(FaultyObjectTarget owner, IMultipartWrite inner) : IMultipartWrite
        {
            public async Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
            {
                owner.OnPart?.Invoke(partNumber);
                if (partNumber == owner.FailOnPart)
                {
                    throw new IOException($"simulated target failure at part {partNumber}");
                }
                await inner.UploadPartAsync(partNumber, content, cancellationToken);
                Interlocked.Increment(ref owner._partsUploaded);
            }

            public Task CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
