namespace OssBackup.Engine.Vault;

public enum BlobType : byte
{
    Data = 0,
    Table = 1,
}

public enum BlobCompression : byte
{
    None = 0,
    Zstd = 1,
}

/// <summary>Where a blob's stored bytes are, and how to turn them back into plaintext.</summary>
public readonly record struct BlobLocation(
    BlobId Id,
    PackId Pack,
    long Offset,
    int StoredLength,
    int RawLength,
    BlobCompression Compression);
