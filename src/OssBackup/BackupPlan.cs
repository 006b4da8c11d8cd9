namespace OssBackup;

/// <summary>What to back up (a bucket and prefix), where from (endpoint, credentials) and where to (a vault).</summary>
public sealed class BackupPlan
{
    public string Name { get; set; } = "";
    public string SourceBucket { get; set; } = "";
    public string SourcePrefix { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public string Region { get; set; } = "";
    public bool ForcePathStyle { get; set; }

    /// <summary>AWS-style shared credentials profile; when empty, the OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET environment variables.</summary>
    public string ProfileName { get; set; } = "";

    public string Vault { get; set; } = "";
    public string[] Include { get; set; } = [];
    public string[] Exclude { get; set; } = [];
    public ScanMethod ScanMethod { get; set; } = ScanMethod.Traversal;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastBackupTime { get; set; }
    public JobStatus? LastJobStatus { get; set; }

    public override string ToString() => Name;
}
