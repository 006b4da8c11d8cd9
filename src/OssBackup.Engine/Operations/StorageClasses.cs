namespace OssBackup.Engine.Operations;

/// <summary>Storage classes whose objects cannot be read without a restore request first (OSS and S3 names).</summary>
public static class StorageClasses
{
    private static readonly HashSet<string> NeedRestore = new(StringComparer.OrdinalIgnoreCase)
    {
        "Archive", "ColdArchive", "DeepColdArchive", "GLACIER", "DEEP_ARCHIVE",
    };

    public static bool IsReadable(string storageClass) => !NeedRestore.Contains(storageClass);
}
