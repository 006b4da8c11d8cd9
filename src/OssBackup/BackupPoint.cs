namespace OssBackup;

/// <summary>A completed backup: the state of the source at one time, restorable on its own.</summary>
public sealed class BackupPoint
{
    public string Id { get; set; } = "";
    public string Plan { get; set; } = "";
    public string Vault { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string SourceBucket { get; set; } = "";
    public string SourcePrefix { get; set; } = "";
    public long ObjectCount { get; set; }
    public long TotalBytes { get; set; }
    public long NewObjects { get; set; }
    public long ChangedObjects { get; set; }
    public long DeletedObjects { get; set; }
    public long? JobId { get; set; }

    public override string ToString() => Id;
}
