using OssBackup.Engine.Source;

namespace OssBackup.Engine.Inventory;

/// <summary>One object as an inventory data file describes it, with its key decoded.</summary>
/// <param name="Key">The object key, URL-decoded (form-value rules: '+' is a space).</param>
/// <param name="Size">The object size in bytes.</param>
/// <param name="ETag">The ETag without quotes; compare case-insensitively (multipart ETags end in "-N").</param>
/// <param name="LastModified">The last-modified time in UTC.</param>
/// <param name="StorageClass">As the inventory writes it (OSS "Standard", S3 "STANDARD", ...).</param>
/// <param name="IsLatest">False for a non-current version (all-versions inventories only).</param>
/// <param name="IsDeleteMarker">True for a delete marker (all-versions inventories only).</param>
public sealed record InventoryRow(string Key, long Size, string ETag, DateTimeOffset LastModified, string StorageClass, bool IsLatest = true, bool IsDeleteMarker = false)
{
    /// <summary>The object as the rest of the engine describes a listed object.</summary>
    public SourceObject ToSourceObject() => new(Key, Size, ETag, LastModified, StorageClass);
}
