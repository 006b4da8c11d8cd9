namespace OssBackup;

/// <summary>What happened to one object in a job: failed (with the error) or skipped (with the reason).</summary>
public sealed class JobItem
{
    public long JobId { get; set; }
    public string Key { get; set; } = "";

    /// <summary>Failed or Skipped.</summary>
    public string Status { get; set; } = "";

    /// <summary>A stable code: the error (e.g. IntegrityCheckFailed, TargetExists) or the skip reason (StorageClass).</summary>
    public string Code { get; set; } = "";

    public string Message { get; set; } = "";

    public override string ToString() => $"{Key}: {Status} ({Code})";
}
