namespace OssBackup;

/// <summary>
/// One restore drill: a sample of a point restored to scratch space and checked byte for byte. Returned by
/// Test-OssBackup and Invoke-BackupSchedule, and kept in the catalog as history (Get-BackupDrill).
/// </summary>
public sealed class BackupTestResult
{
    /// <summary>The drill's id in the catalog.</summary>
    public long Id { get; set; }

    public string Plan { get; set; } = "";

    /// <summary>Empty when the drill could not find a point to test.</summary>
    public string BackupPointId { get; set; } = "";

    /// <summary>Running while under way; Completed when every sampled object passed; Failed when any did not, or the drill could not run; Cancelled.</summary>
    public JobStatus Status { get; set; }

    /// <summary>Scheduled (run by Invoke-BackupSchedule for a slot of the plan's policy) or Manual (Test-OssBackup).</summary>
    public DrillTrigger Trigger { get; set; }

    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>The sample asked for: a number of objects, or a percentage (then SampleSize is null).</summary>
    public int? SampleSize { get; set; }
    public double? SamplePercent { get; set; }

    public long ObjectsInPoint { get; set; }
    public int SampledObjects { get; set; }
    public int PassedObjects { get; set; }
    public int FailedObjects { get; set; }
    public long VerifiedBytes { get; set; }
    public TimeSpan Duration { get; set; }

    /// <summary>True when the drill ran and every sampled object restored and matched the backup.</summary>
    public bool Passed => Status == JobStatus.Completed && FailedObjects == 0 && SampledObjects > 0;

    /// <summary>The sampled keys that did not restore or did not match; Get-BackupJobItem on the drill gives each one's code and message.</summary>
    public string[] FailedKeys { get; set; } = [];

    /// <summary>The restore job that restored the sample (its job items are the failures); null when the drill could not start restoring.</summary>
    public long? RestoreJobId { get; set; }

    /// <summary>Why the drill failed, in words; null when it passed.</summary>
    public string? Message { get; set; }

    public override string ToString() => $"{Plan} drill #{Id} {(Passed ? "Passed" : Status.ToString())}";
}
