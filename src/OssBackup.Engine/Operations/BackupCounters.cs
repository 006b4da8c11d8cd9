namespace OssBackup.Engine.Operations;

/// <summary>A running backup's counts, updated from several threads.</summary>
internal sealed class BackupCounters
{
    public long BackedUpObjects;
    public long BackedUpBytes;
    public long SkippedObjects;
    public long FailedObjects;
    public long ChangedSinceScan;
    public long GoneSinceScan;
    public long NewObjects;
    public long ChangedObjects;
    public long WrittenBytes;
    public long DeletedSinceScan;
    public readonly Planning.PlanCounters Plan = new();
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> SkippedByReason = new(StringComparer.OrdinalIgnoreCase);

    public void Skip(string reason)
    {
        Interlocked.Increment(ref SkippedObjects);
        SkippedByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }

    public void CopyTo(BackupJob job)
    {
        job.ScannedObjects = Interlocked.Read(ref Plan.Scanned);
        job.ScannedBytes = Interlocked.Read(ref Plan.ScannedBytes);
        job.BackedUpObjects = Interlocked.Read(ref BackedUpObjects);
        job.BackedUpBytes = Interlocked.Read(ref BackedUpBytes);
        job.UnchangedObjects = Interlocked.Read(ref Plan.Unchanged);
        job.SkippedObjects = Interlocked.Read(ref SkippedObjects);
        job.FailedObjects = Interlocked.Read(ref FailedObjects);
        job.ChangedSinceScanObjects = Interlocked.Read(ref ChangedSinceScan);
        job.GoneSinceScanObjects = Interlocked.Read(ref GoneSinceScan);
        job.WrittenBytes = Interlocked.Read(ref WrittenBytes);
        job.SkippedByReason = new Dictionary<string, long>(SkippedByReason, StringComparer.OrdinalIgnoreCase);
    }
}
