namespace OssBackup.Engine.Source;

/// <summary>An object as a listing (or an inventory) describes it, before its bytes are read.</summary>
public sealed record SourceObject(string Key, long Size, string ETag, DateTimeOffset LastModified, string StorageClass)
{
    /// <summary>Strips the quotes S3 puts around ETags; comparisons ignore case.</summary>
    public static string NormalizeETag(string? etag) => (etag ?? "").Trim().Trim('"');
}
