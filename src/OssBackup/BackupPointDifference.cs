namespace OssBackup;

public enum DifferenceKind
{
    Added,
    Removed,
    Changed,
}

/// <summary>One key that differs between a reference point and a later point (or the live bucket).</summary>
public sealed class BackupPointDifference
{
    public string Key { get; set; } = "";

    /// <summary>Added: only in the difference side; Removed: only in the reference; Changed: size or ETag differ.</summary>
    public DifferenceKind Change { get; set; }

    public long? ReferenceSize { get; set; }
    public long? DifferenceSize { get; set; }
    public string? ReferenceETag { get; set; }
    public string? DifferenceETag { get; set; }
    public DateTimeOffset? ReferenceLastModified { get; set; }
    public DateTimeOffset? DifferenceLastModified { get; set; }

    public override string ToString() => $"{Change} {Key}";
}
