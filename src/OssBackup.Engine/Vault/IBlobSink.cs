namespace OssBackup.Engine.Vault;

/// <summary>Somewhere blobs are appended to packs: one writer, or a pack shared by many workers.</summary>
public interface IBlobSink
{
    Task<BlobLocation> AddAsync(BlobType type, BlobId id, ReadOnlyMemory<byte> plaintext, bool tryCompress, CancellationToken cancellationToken);
}
