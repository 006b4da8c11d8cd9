using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

public sealed record BackupOptions
{
    /// <summary>Objects read from the source at once.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>The plan's schedule interval, when it has one (to warn when it is shorter than the inventory's cycle).</summary>
    public TimeSpan? ScheduleInterval { get; init; }

    /// <summary>Memory bounds of the external sort of inventory rows.</summary>
    public Planning.ExternalSortOptions Sort { get; init; } = Planning.ExternalSortOptions.Default;

    /// <summary>
    /// Blobs of sealed packs a backup holds in memory before it writes an index file for them and moves them to a level
    /// file on local disk. 500,000 keeps the overlay and the packs' blob lists to about 100 MB, and each index file to
    /// about 20 MB (far below the 2 GiB an index file's buffer allows), while a first backup of 100M blobs writes about 200
    /// index files, which the next load folds into a few cache levels.
    /// </summary>
    public int IndexFlushBlobs { get; init; } = 500_000;

    /// <summary>Told, as a backup ends (committed or not), how its index held its new blobs; for tests.</summary>
    internal Action<BackupIndexMemory>? IndexMemoryReported { get; init; }
}

/// <summary>How a backup held the blobs it added: the most held in memory at once, and the index files flushes wrote.</summary>
internal sealed record BackupIndexMemory(long PeakBlobsInMemory, int IndexFilesFlushed);

/// <summary>
/// One backup of a plan: scans the source in key order, merge-joins it with the previous point's object
/// table, reads only new and changed objects (in parallel), and commits a new point. A failure before
/// the commit leaves every earlier point untouched.
/// </summary>
public sealed class BackupRunner
{
    private readonly BackupCatalog _catalog;
    private readonly IOperationObserver _observer;
    private readonly BackupOptions _options;

    public BackupRunner(BackupCatalog catalog, IOperationObserver observer, BackupOptions? options = null)
    {
        _catalog = catalog;
        _observer = observer;
        _options = options ?? new BackupOptions();
    }

    public async Task<BackupJob> RunAsync(BackupPlan plan, BackupVault registration, Func<IObjectSource> openSource, Func<IBlobStore>? openInventoryBucket, CancellationToken cancellationToken)
    {
        var previousPoint = _catalog.GetBackupPoints(plan: plan.Name, last: 1).FirstOrDefault();
        var job = _catalog.StartBackupJob(plan.Name, previousPoint is null ? BackupMode.Full : BackupMode.Incremental, plan.ScanMethod);
        var counters = new BackupCounters();
        var clock = Stopwatch.StartNew();
        using var progressLoop = new CancellationTokenSource();
        var progress = ReportProgressAsync(counters, clock, progressLoop.Token);
        try
        {
            var source = openSource();
            using var sourceConnections = source as IDisposable;
            var vault = await VaultRepository.OpenAsync(new Storage.FileBlobStore(registration.Location), cancellationToken);
            // Shared: backups run side by side, but a prune (exclusive) waits, so no pack this run may reuse disappears under it.
            await using var vaultLock = await VaultLock.AcquireSharedAsync(vault.Store, null, cancellationToken);
            SnapshotManifest? previous = null;
            if (previousPoint is not null)
            {
                previous = await vault.LoadSnapshotAsync(previousPoint.Id, cancellationToken);
            }
            var scan = await OpenScanAsync(plan, source, openInventoryBucket, previous, job, cancellationToken);
            var snapshot = await BackupAsync(plan, source, scan, vault, vaultLock, previous, job, counters, cancellationToken);
            await scan.CompleteAsync(snapshot, cancellationToken);
            counters.CopyTo(job);
            job.BackupPointId = snapshot.Id;
            job.Status = job.FailedObjects > 0 ? JobStatus.PartiallyCompleted : JobStatus.Completed;
            _catalog.AddBackupPoint(new BackupPoint
            {
                Id = snapshot.Id,
                Plan = plan.Name,
                Vault = registration.Name,
                CreatedAt = snapshot.CreatedAt,
                SourceBucket = snapshot.SourceBucket,
                SourcePrefix = snapshot.SourcePrefix,
                ObjectCount = snapshot.Stats.ObjectCount,
                TotalBytes = snapshot.Stats.TotalBytes,
                NewObjects = snapshot.Stats.NewObjects,
                ChangedObjects = snapshot.Stats.ChangedObjects,
                DeletedObjects = snapshot.Stats.DeletedObjects,
                JobId = job.Id,
            });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            counters.CopyTo(job);
            job.Status = JobStatus.Cancelled;
            job.Message = "Cancelled by the user; earlier backup points are unchanged.";
        }
        catch (Exception e)
        {
            counters.CopyTo(job);
            job.Status = JobStatus.Failed;
            job.Message = e.Message;
            job.EndTime = DateTimeOffset.UtcNow;
            _catalog.UpdateBackupJob(job);
            throw new BackupFailedException(job, e);
        }
        finally
        {
            await progressLoop.CancelAsync();
            await progress;
        }
        job.EndTime = DateTimeOffset.UtcNow;
        job.BytesPerSecond = job.BackedUpBytes / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        _catalog.UpdateBackupJob(job);
        return job;
    }

    /// <summary>Chooses what to scan: a listing of the bucket, or its newest usable inventory.</summary>
    private async Task<IBackupScan> OpenScanAsync(BackupPlan plan, IObjectSource source, Func<IBlobStore>? openInventoryBucket, SnapshotManifest? previous, BackupJob job, CancellationToken cancellationToken)
    {
        if (plan.ScanMethod == ScanMethod.Traversal)
        {
            return new TraversalScan(source, plan.SourcePrefix);
        }
        var inventoryBucket = openInventoryBucket?.Invoke() ?? throw new InvalidOperationException($"Plan '{plan.Name}' reads inventories but no inventory bucket was given.");
        var scan = await InventoryScan.OpenAsync(plan, inventoryBucket, previous, _observer, OssBackupHome.ScratchFolder("sort"), _options.Sort, cancellationToken);
        if (_options.ScheduleInterval is { } interval && scan.GenerationCycle is { } cycle && interval < cycle * 0.9)
        {
            _observer.Warning($"Plan '{plan.Name}' runs every {interval}, but its inventory is generated every {cycle}: runs between inventories will fail with 'not updated since the last backup'. Make the policy's interval at least {cycle}.");
        }
        job.Inventory = $"{scan.InventoryFolder} (created {scan.InventoryCreatedAt:u})";
        return scan;
    }

    private async Task<SnapshotManifest> BackupAsync(BackupPlan plan, IObjectSource source, IBackupScan scan, VaultRepository vault, VaultLock vaultLock, SnapshotManifest? previous, BackupJob job, BackupCounters counters, CancellationToken cancellationToken)
    {
        var filter = new KeyFilter(plan.Include, plan.Exclude);
        using var index = await vault.LoadIndexAsync(OssBackupHome.IndexCacheRoot, cancellationToken);
        var scratch = OssBackupHome.ScratchFolder("backup");
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failFast.Token;

        var work = Channel.CreateBounded<PendingObject>(new BoundedChannelOptions(_options.Parallelism * 4) { SingleWriter = true });
        var ordered = Channel.CreateBounded<PendingObject>(new BoundedChannelOptions(4096) { SingleWriter = true, SingleReader = true });
        var flusher = new IndexFlusher(vault, index, _options.IndexFlushBlobs, Path.Combine(scratch, "index-levels"));
        var sink = new SharedPackSink(vault, scratch, flusher);
        var table = new TableWriter(sink, index);
        var stats = new SnapshotStats();

        async Task RunGuarded(Func<Task> body)
        {
            try
            {
                await body();
            }
            catch
            {
                await failFast.CancelAsync();
                throw;
            }
        }

        // Inventory plans keep a digest of each point on this machine, so their next backup can plan against it. Its
        // seed is the previous digest's (known once the scan has opened it): the records of unchanged objects stay equal.
        var digestSeed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var keepDigest = plan.ScanMethod == ScanMethod.Inventory;
        Planning.PointDigestFile.Writer? digest = null;
        var scanning = RunGuarded(() => ScanAsync(scan, source, vault, previous, filter, job, counters, scratch, digestSeed, work.Writer, ordered.Writer, token));
        var workers = Enumerable.Range(0, _options.Parallelism)
            .Select(_ => RunGuarded(() => ReadObjectsAsync(source, vault, sink, index, job, counters, work.Reader, token)))
            .ToList();
        var collect = RunGuarded(async () =>
        {
            await foreach (var pending in ordered.Reader.ReadAllAsync(token))
            {
                var entry = await pending.Result.Task.WaitAsync(token);
                if (entry is null)
                {
                    continue;
                }
                await table.AddAsync(entry, token);
                if (keepDigest)
                {
                    digest ??= new Planning.PointDigestFile.Writer(Path.Combine(scratch, "digest"), await digestSeed.Task.WaitAsync(token));
                    digest.Add(Planning.ObjectDigest.Of(entry, digest.Seed));
                }
                stats.ObjectCount++;
                stats.TotalBytes += entry.Size;
            }
        });

        try
        {
            await Task.WhenAll([scanning, collect, .. workers]);
            _observer.Progress(new OperationProgress("Committing", counters.BackedUpObjects, counters.Plan.ToRead, counters.BackedUpBytes, counters.Plan.ToReadBytes, 0, true));
            var segments = await table.CompleteAsync(token);
            var unindexedPacks = await sink.CompleteAsync(token);
            Interlocked.Add(ref counters.WrittenBytes, sink.SealedBytes);
            await vault.WriteIndexAsync(unindexedPacks, token);
            stats.NewObjects = counters.NewObjects;
            stats.ChangedObjects = counters.ChangedObjects;
            stats.UnchangedObjects = counters.Plan.Unchanged;
            stats.DeletedObjects = counters.Plan.Deleted + counters.DeletedSinceScan;
            var snapshot = new SnapshotManifest
            {
                Id = VaultRepository.NewSnapshotId(),
                Plan = plan.Name,
                CreatedAt = DateTimeOffset.UtcNow,
                SourceEndpoint = plan.Endpoint,
                SourceBucket = plan.SourceBucket,
                SourcePrefix = plan.SourcePrefix,
                Parent = previous?.Id,
                ScanMethod = plan.ScanMethod.ToString(),
                Inventory = scan.InventoryFolder,
                InventoryCreatedAt = scan.InventoryCreatedAt,
                Stats = stats,
                Table = segments.Select(SegmentDto.From).ToList(),
            };
            // If a prune broke our lock as stale, packs this run reused may be gone: do not commit a point naming them.
            await vaultLock.EnsureHeldAsync(token);
            await vault.WriteSnapshotAsync(snapshot, token);
            if (keepDigest)
            {
                KeepDigest(digest ?? new Planning.PointDigestFile.Writer(Path.Combine(scratch, "digest"), await digestSeed.Task.WaitAsync(token)), vault.Config.Id, snapshot.Id, previous?.Id);
            }
            return snapshot;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the user: keep what was written. Sealing the last pack and indexing every sealed
            // one not yet indexed by a flush (without a snapshot) lets the next run find those blobs and not
            // read them again; a prune deletes them if no later point uses them.
            await KeepWrittenDataAsync(vault, sink);
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Surface the first real failure rather than the cancellations it caused in the other tasks.
            var failure = new[] { scanning, collect }.Concat(workers)
                .Where(t => t.IsFaulted)
                .Select(t => t.Exception!.GetBaseException())
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null && !cancellationToken.IsCancellationRequested)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
            throw;
        }
        finally
        {
            digest?.Dispose();
            await sink.DisposeAsync();
            _options.IndexMemoryReported?.Invoke(new BackupIndexMemory(index.PeakAddedCount, flusher.IndexFilesWritten));
            TryDeleteFolder(scratch);
        }
    }

    /// <summary>
    /// Puts the new point's digest in this machine's cache and forgets the previous point's, which no backup of the
    /// plan will plan against again. The point is committed: a failure here only means the next backup rebuilds it.
    /// </summary>
    private void KeepDigest(Planning.PointDigestFile.Writer digest, string vaultId, string pointId, string? previousId)
    {
        try
        {
            digest.Complete(pointId, Planning.PointDigestFile.PathFor(OssBackupHome.DigestCacheRoot, vaultId, pointId));
            if (previousId is not null)
            {
                Planning.PointDigests.Forget(OssBackupHome.DigestCacheRoot, vaultId, previousId);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _observer.Warning($"Backup point {pointId} is complete, but its digest could not be kept on this machine ({e.Message}); the next backup rebuilds it from the point's table.");
        }
        finally
        {
            digest.Dispose();
        }
    }

    private async Task KeepWrittenDataAsync(VaultRepository vault, SharedPackSink sink)
    {
        try
        {
            var packs = await sink.CompleteWhatSucceededAsync();
            await vault.WriteIndexAsync(packs, CancellationToken.None);
        }
        catch (Exception e)
        {
            _observer.Warning($"The backup was cancelled and the data it had written could not be indexed for reuse: {e.Message}");
        }
    }

    private async Task ScanAsync(IBackupScan scan, IObjectSource source, VaultRepository vault, SnapshotManifest? previous, KeyFilter filter, BackupJob job, BackupCounters counters,
        string scratch, TaskCompletionSource<long> digestSeed, ChannelWriter<PendingObject> work, ChannelWriter<PendingObject> ordered, CancellationToken token)
    {
        using var reader = vault.NewBlobReader();
        var previousEntries = previous is null
            ? Util.AsyncSequence.Empty<ObjectEntry>()
            : TableReader.ReadAsync(reader, previous.Segments, null, token);
        Planning.DigestPlan? digestPlan = null;
        IAsyncEnumerable<Planning.PlanStep> steps;
        if (scan is InventoryScan inventory && previous is not null)
        {
            // An incremental inventory backup plans against the previous point's digests: no sort of every row by key.
            Func<string, bool>? accepts = filter.AcceptsAll ? null : filter.Accepts;
            var digests = await Planning.PointDigests.OpenOrBuildAsync(reader, previous, OssBackupHome.DigestCacheRoot, vault.Config.Id, _observer.Warning, token);
            try
            {
                digestPlan = await inventory.JoinAsync(digests, accepts, Path.Combine(scratch, "plan"), _options.Sort, token);
            }
            catch (Planning.DamagedDigestException damaged)
            {
                // Found only once it has been read whole, before any step was taken: rebuild it and plan again.
                _observer.Warning($"{damaged.Message} Rebuilding it from the point's table.");
                Planning.PointDigests.Forget(OssBackupHome.DigestCacheRoot, vault.Config.Id, previous.Id);
                digests = await Planning.PointDigests.OpenOrBuildAsync(reader, previous, OssBackupHome.DigestCacheRoot, vault.Config.Id, _observer.Warning, token);
                digestPlan = await inventory.JoinAsync(digests, accepts, Path.Combine(scratch, "plan-again"), _options.Sort, token);
            }
            digestSeed.TrySetResult(digests.Seed);
            steps = Planning.BackupPlanner.PlanFromDigestsAsync(digestPlan, previousEntries, $"backup point {previous.Id}", filter.Accepts, counters.Plan, token);
        }
        else
        {
            digestSeed.TrySetResult(Planning.PointDigestFile.NewSeed());
            steps = Planning.BackupPlanner.PlanAsync(scan.ReadAsync(token), scan.Description, previousEntries, filter.Accepts, counters.Plan, token);
        }
        await using var ownedPlan = digestPlan;
        await foreach (var step in steps)
        {
            switch (step.Action)
            {
                case Planning.PlanAction.Unchanged:
                    await ordered.WriteAsync(PendingObject.Ready(step.Before!), token);
                    break;
                case Planning.PlanAction.Skip:
                    counters.Skip(step.Item!.StorageClass);
                    _catalog.AddJobItem(job.Id, step.Item.Key, "Skipped", "StorageClass", $"{step.Item.StorageClass} objects need a restore request before they can be read.");
                    // Keep the version an earlier point holds rather than dropping the object from this one.
                    if (step.Before is not null)
                    {
                        await ordered.WriteAsync(PendingObject.Ready(step.Before), token);
                    }
                    break;
                default:
                    var pending = new PendingObject(step.Item!, step.Before);
                    await ordered.WriteAsync(pending, token);
                    await work.WriteAsync(pending, token);
                    break;
            }
        }
        work.Complete();
        ordered.Complete();
    }

    private async Task ReadObjectsAsync(IObjectSource source, VaultRepository vault, IBlobSink sink, BlobIndex index, BackupJob job, BackupCounters counters,
        ChannelReader<PendingObject> work, CancellationToken token)
    {
        using var chunker = new ObjectChunker(vault.Config.ChunkSize);
        await foreach (var pending in work.ReadAllAsync(token))
        {
            try
            {
                var entry = await chunker.StoreAsync(source, pending.Listed, sink, index, counters, token);
                Interlocked.Increment(ref counters.BackedUpObjects);
                Interlocked.Add(ref counters.BackedUpBytes, entry.Size);
                Interlocked.Increment(ref pending.Before is null ? ref counters.NewObjects : ref counters.ChangedObjects);
                pending.Result.SetResult(entry);
            }
            catch (ObjectGoneException)
            {
                Interlocked.Increment(ref counters.GoneSinceScan);
                if (pending.Before is not null)
                {
                    Interlocked.Increment(ref counters.DeletedSinceScan);
                }
                pending.Result.SetResult(null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                Interlocked.Increment(ref counters.FailedObjects);
                var code = e is InvalidDataException ? "IntegrityCheckFailed" : e.GetType().Name;
                _observer.ObjectFailed(pending.Listed.Key, code, e.Message);
                _catalog.AddJobItem(job.Id, pending.Listed.Key, "Failed", code, e.Message);
                // The previous version stays restorable from the new point; a new object that failed is absent.
                pending.Result.SetResult(pending.Before);
            }
        }
    }

    private async Task ReportProgressAsync(BackupCounters counters, Stopwatch clock, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(500, token);
                var done = Interlocked.Read(ref counters.BackedUpBytes);
                _observer.Progress(new OperationProgress(
                    counters.Plan.Complete ? "Transferring" : "Planning and transferring",
                    Interlocked.Read(ref counters.BackedUpObjects) + Interlocked.Read(ref counters.FailedObjects),
                    Interlocked.Read(ref counters.Plan.ToRead),
                    done,
                    Interlocked.Read(ref counters.Plan.ToReadBytes),
                    done / Math.Max(clock.Elapsed.TotalSeconds, 0.001),
                    counters.Plan.Complete));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    private sealed class PendingObject(SourceObject? listed, ObjectEntry? before)
    {
        /// <summary>The object to read; null for an entry carried over as it is.</summary>
        public SourceObject Listed { get; } = listed!;
        public ObjectEntry? Before { get; } = before;
        // Continuations run synchronously: the collector, waiting for this object in key order, goes on on the worker's
        // thread rather than through a thread-pool hop per object. It only encodes table entries and never blocks.
        public TaskCompletionSource<ObjectEntry?> Result { get; } = new();

        public static PendingObject Ready(ObjectEntry entry)
        {
            var pending = new PendingObject(null, entry);
            pending.Result.SetResult(entry);
            return pending;
        }
    }
}

/// <summary>The backup failed as a whole; the job (already recorded as Failed) says why.</summary>
public sealed class BackupFailedException(BackupJob job, Exception inner) : Exception($"Backup of plan '{job.Plan}' failed: {inner.Message}", inner)
{
    public BackupJob Job { get; } = job;
}
