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

    /// <summary>When the point holding this version was made (set by -AllVersions).</summary>
    public DateTimeOffset? BackupPointTime { get; set; }

    /// <summary>True for a folder row of a -Delimiter listing: Key is the common prefix, Size the total below it.</summary>
    public bool IsFolder { get; set; }

    /// <summary>1 for an object; for a folder row, the objects below it.</summary>
    public long ObjectCount { get; set; } = 1;

    public override string ToString() => Key;
}
