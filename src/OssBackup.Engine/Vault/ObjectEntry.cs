namespace OssBackup.Engine.Vault;

/// <summary>One object of a backup point: what the source said of it and where its bytes are.</summary>
public sealed record ObjectEntry(
    string Key,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    string StorageClass,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    IReadOnlyList<BlobLocation> Chunks)
{
    /// <summary>Metadata names for user metadata carry this prefix; other names are HTTP headers.</summary>
    public const string UserMetadataPrefix = "x-amz-meta-";

    public string? ContentType => Metadata.FirstOrDefault(m => string.Equals(m.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>True when the source's description of the object is the same, so its bytes need not be read again.</summary>
    public bool SameVersionAs(long size, string etag, DateTimeOffset lastModified) =>
        Size == size && string.Equals(ETag, etag, StringComparison.OrdinalIgnoreCase) && LastModified == lastModified;
}
