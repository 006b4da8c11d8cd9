namespace OssBackup;

/// <summary>One run of a backup plan, with the metrics of what it read and wrote.</summary>
public sealed class BackupJob
{
    public long Id { get; set; }
    public string Plan { get; set; } = "";
    public JobStatus Status { get; set; }
    public BackupMode Mode { get; set; }
    public ScanMethod ScanMethod { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>Objects (and their bytes) seen in the source after the prefix and include/exclude filters.</summary>
    public long ScannedObjects { get; set; }
    public long ScannedBytes { get; set; }

    /// <summary>Objects read from the source and stored in this point (new or changed).</summary>
    public long BackedUpObjects { get; set; }
    public long BackedUpBytes { get; set; }

    /// <summary>Skipped objects by reason, e.g. the storage classes that need a restore request first ("Archive").</summary>
    public Dictionary<string, long> SkippedByReason { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The inventory run this job scanned (its folder and creation time), for inventory plans.</summary>
    public string? Inventory { get; set; }

    /// <summary>Objects carried over from the previous point without any request to the source.</summary>
    public long UnchangedObjects { get; set; }
    public long SkippedObjects { get; set; }
    public long FailedObjects { get; set; }

    /// <summary>Objects whose content changed between the scan and the read; backed up as read.</summary>
    public long ChangedSinceScanObjects { get; set; }

    /// <summary>Objects deleted between the scan and the read; not failures.</summary>
    public long GoneSinceScanObjects { get; set; }

    /// <summary>Bytes added to the vault (after deduplication and compression).</summary>
    public long WrittenBytes { get; set; }

    /// <summary>BackedUpBytes divided by the duration.</summary>
    public double BytesPerSecond { get; set; }
    public string? BackupPointId { get; set; }
    public string? Message { get; set; }

    public TimeSpan? Duration => EndTime is { } end ? end - StartTime : null;

    public override string ToString() => $"{Plan}#{Id} {Status}";
}
