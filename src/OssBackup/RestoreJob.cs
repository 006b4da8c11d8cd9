namespace OssBackup;

/// <summary>One restore run and what it wrote.</summary>
public sealed class RestoreJob
{
    public long Id { get; set; }
    public string BackupPointId { get; set; } = "";
    public string Target { get; set; } = "";
    public JobStatus Status { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }
    public long RestoredObjects { get; set; }
    public long RestoredBytes { get; set; }
    public long SkippedObjects { get; set; }
    public long FailedObjects { get; set; }

    /// <summary>Objects a -Rollback deleted from the target because the point does not hold them.</summary>
    public long DeletedObjects { get; set; }
    public double BytesPerSecond { get; set; }
    public string? Message { get; set; }

    public override string ToString() => $"restore#{Id} {Status}";
}
