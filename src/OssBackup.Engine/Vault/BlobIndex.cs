using System.Collections.Concurrent;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Which blobs the vault already holds, for deduplication. Restores never need it: object tables carry
/// each chunk's location. Held in memory (about 155 bytes a blob, measured); see docs/architecture.md, "Limits".
/// </summary>
public sealed class BlobIndex
{
    private readonly ConcurrentDictionary<BlobId, BlobLocation> _blobs = new();

    public int Count => _blobs.Count;

    public bool TryGet(BlobId id, out BlobLocation location) => _blobs.TryGetValue(id, out location);

    public void Add(BlobLocation location) => _blobs.TryAdd(location.Id, location);
}
