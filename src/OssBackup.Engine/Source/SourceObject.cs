namespace OssBackup.Engine.Source;

/// <summary>An object as a listing (or an inventory) describes it, before its bytes are read.</summary>
public sealed record SourceObject(string Key, long Size, string ETag, DateTimeOffset LastModified, string StorageClass)
{
    /// <summary>Strips the quotes S3 puts around ETags; comparisons ignore case.</summary>
    public static string NormalizeETag(string? etag) => (etag ?? "").Trim().Trim('"');

    /// <summary>
    /// Whether an ETag has the form of a plain MD5 (32 hex digits), as a single PUT's does; a multipart
    /// upload's ends in "-N". Only the form: with SSE-KMS or SSE-C it is still not the content's MD5.
    /// </summary>
    public static bool IsPlainMd5(string etag) => etag.Length == 32 && etag.All(Uri.IsHexDigit);
}
