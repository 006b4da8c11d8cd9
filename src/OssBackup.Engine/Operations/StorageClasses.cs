namespace OssBackup.Engine.Operations;

/// <summary>Storage classes whose objects cannot be read without a restore request first (OSS and S3 names).</summary>
public static class StorageClasses
{
    private static readonly HashSet<string> NeedRestore = new(StringComparer.OrdinalIgnoreCase)
    {
        "Archive", "ColdArchive", "DeepColdArchive", "GLACIER", "DEEP_ARCHIVE",
    };

    public static bool IsReadable(string storageClass) => !NeedRestore.Contains(storageClass);

    /// <summary>OSS inventories name classes their own way; an S3 PUT needs the S3 API's name for them.</summary>
    private static readonly Dictionary<string, string> S3NameOfOssClass = new(StringComparer.Ordinal)
    {
        ["Standard"] = "STANDARD",
        ["IA"] = "STANDARD_IA",
        ["Archive"] = "GLACIER",
        ["ColdArchive"] = "DEEP_ARCHIVE",
    };

    /// <summary>The x-amz-storage-class to write a backed-up object with, or null (the bucket's default) when none was recorded.</summary>
    public static string? ToWriteClass(string? backedUp) =>
        string.IsNullOrWhiteSpace(backedUp) ? null : S3NameOfOssClass.GetValueOrDefault(backedUp, backedUp);
}
