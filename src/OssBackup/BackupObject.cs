namespace OssBackup;

/// <summary>One object as it was stored in a backup point.</summary>
public sealed class BackupObject
{
    public string Key { get; set; } = "";
    public long Size { get; set; }
    public string ETag { get; set; } = "";
    public DateTimeOffset LastModified { get; set; }
    public string StorageClass { get; set; } = "";
    public string? ContentType { get; set; }
    public string BackupPointId { get; set; } = "";

    public override string ToString() => Key;
}
