using System.Diagnostics;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Restore;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine;

/// <summary>The restore drill (like dbatools' Test-DbaLastBackup), run by hand or by the scheduler, and kept as history.</summary>
public sealed partial class OssBackupService
{
    /// <summary>The sample a drill takes when neither a size nor a percentage is given.</summary>
    public const int DefaultDrillSampleSize = 100;

    /// <summary>
    /// A drill run by hand: recorded in the catalog like a scheduled one, and alerted on when it fails and the
    /// plan's policy has a webhook. An unknown plan or point is refused before anything is recorded.
    /// </summary>
    public async Task<BackupTestResult> TestBackupAsync(string planName, string? pointId, int? sampleSize, double? samplePercent, IOperationObserver observer, CancellationToken cancellationToken)
    {
        BackupPoint? point = null;
        string plan;
        if (pointId is not null)
        {
            point = Catalog.GetBackupPoint(pointId);
            plan = point.Plan;
        }
        else
        {
            // A removed plan's points stay restorable, so they can still be drilled by the plan's old name.
            plan = Catalog.GetPlans(planName).FirstOrDefault()?.Name
                ?? (Catalog.GetBackupPoints(planName, last: 1).Count > 0 ? planName : throw new CatalogNotFoundException($"No backup plan named '{planName}'. List plans with Get-BackupPlan."));
        }
        var drill = Catalog.StartManualDrill(plan, samplePercent is null ? sampleSize ?? DefaultDrillSampleSize : null, samplePercent);
        return await RunDrillAsync(drill, point, observer, cancellationToken);
    }

    /// <summary>
    /// Runs a recorded drill to its end: samples the point (the plan's newest unless given), restores the
    /// sample, verifies it, records the outcome and alerts on a failure. Returns the drill as recorded; a drill
    /// that could not run is recorded Failed and thrown as <see cref="DrillFailedException"/>.
    /// </summary>
    private async Task<BackupTestResult> RunDrillAsync(BackupTestResult drill, BackupPoint? point, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Exception? failure = null;
        try
        {
            point ??= Catalog.GetBackupPoints(drill.Plan, last: 1).LastOrDefault()
                ?? throw new CatalogNotFoundException($"Plan '{drill.Plan}' has no backup point to test yet: no backup of it has completed.");
            drill.BackupPointId = point.Id;
            await SampleRestoreAndVerifyAsync(drill, point, observer, cancellationToken);
            drill.Status = drill.FailedObjects == 0 && drill.SampledObjects > 0 ? JobStatus.Completed : JobStatus.Failed;
            drill.Message ??= drill.SampledObjects == 0 ? $"Point {point.Id} holds no object to test (folder markers are not sampled)."
                : drill.FailedObjects > 0 ? $"{drill.FailedObjects} of {drill.SampledObjects} sampled object(s) of point {point.Id} could not be restored or did not match the backup, e.g. '{drill.FailedKeys[0]}'."
                : null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            drill.Status = JobStatus.Cancelled;
            drill.Message = "Cancelled by the user.";
            Finish(drill, clock);
            throw;
        }
        catch (Exception e)
        {
            drill.Status = JobStatus.Failed;
            drill.Message = $"The drill could not run: {e.Message}";
            failure = e;
        }
        Finish(drill, clock);
        var recorded = Catalog.GetDrill(drill.Id);
        if (!recorded.Passed)
        {
            await AlertDrillFailedAsync(recorded, observer);
        }
        return failure is null ? recorded : throw new DrillFailedException(recorded, failure);
    }

    private void Finish(BackupTestResult drill, Stopwatch clock)
    {
        drill.EndTime = DateTimeOffset.UtcNow;
        drill.Duration = clock.Elapsed;
        Catalog.UpdateDrill(drill);
    }

    /// <summary>
    /// Picks the sample (reservoir sampling for a size, a coin per object for a percentage, so memory holds
    /// only the sample), restores it through the ordinary restore path into scratch space, then re-reads every
    /// file and checks each chunk's SHA-256 against the backup, independently of the restore's own checks.
    /// A failure the restore did not record already becomes a job item of the restore job, so the restore
    /// job's failed items are exactly the drill's failed keys.
    /// </summary>
    private async Task SampleRestoreAndVerifyAsync(BackupTestResult drill, BackupPoint point, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(point.Vault).Location), cancellationToken);
        var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);

        var random = new Random();
        var sample = new List<ObjectEntry>();
        var sampleSize = drill.SampleSize ?? DefaultDrillSampleSize;
        long seen = 0;
        using (var reader = vault.NewBlobReader())
        {
            await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, null, cancellationToken))
            {
                seen++;
                if (entry.Key.EndsWith('/'))
                {
                    continue;
                }
                if (drill.SamplePercent is { } percent)
                {
                    if (random.NextDouble() * 100 < percent)
                    {
                        sample.Add(entry);
                    }
                }
                else if (sample.Count < sampleSize)
                {
                    sample.Add(entry);
                }
                else if (random.NextInt64(seen) is var slot && slot < sample.Count)
                {
                    sample[(int)slot] = entry;
                }
            }
        }
        drill.ObjectsInPoint = seen;
        drill.SampledObjects = sample.Count;
        if (sample.Count == 0)
        {
            return;
        }

        var scratch = OssBackupHome.ScratchFolder("drill");
        var failed = new List<string>();
        try
        {
            var keys = sample.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            var runner = new RestoreRunner(Catalog, observer, BackupOptions.Parallelism);
            var restore = await runner.RunAsync(point, Catalog.GetVault(point.Vault), new RestoreSelection(Keys: keys), new RestoreTarget(new LocalFolderTarget(scratch), null, ConflictAction.Overwrite), cancellationToken);
            drill.RestoreJobId = restore.Id;
            cancellationToken.ThrowIfCancellationRequested();
            if (restore.Status == JobStatus.Failed && restore.FailedObjects == 0 && restore.Message is { } whole)
            {
                drill.Message = $"The restore of the sample failed: {whole}";
            }

            var failedInRestore = Catalog.GetJobItems(restore.Id, "Failed").Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
            var mapper = new LocalPathMapper(scratch);
            foreach (var entry in sample)
            {
                if (await VerifyFileAsync(mapper, entry, cancellationToken) is not { } problem)
                {
                    drill.PassedObjects++;
                    drill.VerifiedBytes += entry.Size;
                    continue;
                }
                failed.Add(entry.Key);
                if (!failedInRestore.Contains(entry.Key))
                {
                    observer.ObjectFailed(entry.Key, "VerificationFailed", problem);
                    Catalog.AddJobItem(restore.Id, entry.Key, "Failed", "VerificationFailed", problem);
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
        drill.FailedObjects = failed.Count;
        drill.FailedKeys = [.. failed];
    }

    /// <summary>Why a restored file does not match its backup entry, or null when it does.</summary>
    private static async Task<string?> VerifyFileAsync(LocalPathMapper mapper, ObjectEntry entry, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = mapper.Map(entry.Key);
        }
        catch (UnsafeKeyException e)
        {
            return e.Message;
        }
        if (!File.Exists(path))
        {
            return "The object was not restored: no file was written for it.";
        }
        if (new FileInfo(path).Length is var length && length != entry.Size)
        {
            return $"The restored file has {length} bytes; the backup has {entry.Size}.";
        }
        await using var file = File.OpenRead(path);
        var buffer = new byte[entry.Chunks.Count == 0 ? 0 : entry.Chunks.Max(c => c.RawLength)];
        for (var i = 0; i < entry.Chunks.Count; i++)
        {
            var chunk = entry.Chunks[i];
            await file.ReadExactlyAsync(buffer.AsMemory(0, chunk.RawLength), cancellationToken);
            if (BlobId.Of(buffer.AsSpan(0, chunk.RawLength)) != chunk.Id)
            {
                return $"Chunk {i + 1} of {entry.Chunks.Count} of the restored file does not match the SHA-256 it was backed up under.";
            }
        }
        return null;
    }

    /// <summary>A drill that did not pass is as alarming as a failed backup: it goes to the same webhook.</summary>
    private async Task AlertDrillFailedAsync(BackupTestResult drill, IOperationObserver observer)
    {
        if (drill.Status == JobStatus.Cancelled || Catalog.GetPlans(drill.Plan).FirstOrDefault() is not { Policy.Length: > 0 } plan
            || Catalog.GetPolicies(plan.Policy).FirstOrDefault()?.AlertWebhook is not { } webhook)
        {
            return;
        }
        await new Alerts.AlertSender(AlertHttp, observer).SendAsync(webhook, Alerts.AlertSender.ForDrill(drill), CancellationToken.None);
    }
}

/// <summary>A drill that could not run (no point, a missing vault, an unreadable table); it is recorded Failed.</summary>
public sealed class DrillFailedException(BackupTestResult drill, Exception inner) : Exception($"The restore drill of plan '{drill.Plan}' could not run: {inner.Message}", inner)
{
    public BackupTestResult Drill { get; } = drill;
}
