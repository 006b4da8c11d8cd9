using System.Collections.Concurrent;
using OssBackup.Engine.Vault.IndexCache;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Which blobs the vault already holds, for deduplication. Restores never need it: object tables carry each
/// chunk's location. The vault's blobs are looked up in the sorted, memory-mapped files of the local index cache
/// (docs/architecture.md, "The index cache"); only the blobs added while this index is open are held in memory.
/// </summary>
public sealed class BlobIndex : IDisposable
{
    private readonly ConcurrentDictionary<BlobId, BlobLocation> _added = new();
    private readonly IReadOnlyList<SortedBlobFile> _cacheFiles;
    private readonly DeadPackSet _deadPacks;
    private readonly Action? _invalidateCache;
    private readonly string? _ownedFolder;
    private int _damageReported;

    /// <summary>An index of no vault blobs: what is added is all it knows.</summary>
    public BlobIndex()
        : this([], DeadPackSet.None, null, null, null)
    {
    }

    internal BlobIndex(IReadOnlyList<SortedBlobFile> cacheFiles, DeadPackSet deadPacks, IndexCacheLoad? load, Action? invalidateCache, string? ownedFolder)
    {
        _cacheFiles = cacheFiles;
        _deadPacks = deadPacks;
        Load = load;
        _invalidateCache = invalidateCache;
        _ownedFolder = ownedFolder;
    }

    /// <summary>What opening the cache did; null for an index not backed by a cache.</summary>
    public IndexCacheLoad? Load { get; }

    /// <summary>
    /// Blobs known. A blob listed by index files that ended up in two cache files counts twice, and records in dead
    /// packs count until a merge drops them.
    /// </summary>
    public long Count => _cacheFiles.Sum(f => f.Count) + _added.Count;

    /// <summary>Blobs added since the index was opened: the part held in memory.</summary>
    public int AddedCount => _added.Count;

    /// <summary>True once a damaged cache record was met (and treated as a miss); the next load rebuilds the cache.</summary>
    public bool CacheDamaged => Volatile.Read(ref _damageReported) != 0;

    public bool TryGet(BlobId id, out BlobLocation location)
    {
        if (_added.TryGetValue(id, out location))
        {
            return true;
        }
        for (var i = _cacheFiles.Count - 1; i >= 0; i--)
        {
            switch (_cacheFiles[i].TryFind(id, out location))
            {
                case LookupResult.Found when !_deadPacks.Contains(location.Pack):
                    return true;
                case LookupResult.Found:
                    // A prune deleted that pack; an older level may still hold the blob in a pack that survived.
                    break;
                case LookupResult.Damaged:
                    // A miss stores the blob again, which is always safe; reusing a damaged location would not be.
                    ReportDamage();
                    break;
            }
        }
        location = default;
        return false;
    }

    public void Add(BlobLocation location) => _added.TryAdd(location.Id, location);

    public void Dispose()
    {
        foreach (var file in _cacheFiles)
        {
            file.Dispose();
        }
        if (_ownedFolder is not null)
        {
            IndexCacheFolder.TryDeleteFolder(_ownedFolder);
        }
    }

    private void ReportDamage()
    {
        if (Interlocked.Exchange(ref _damageReported, 1) == 0)
        {
            _invalidateCache?.Invoke();
        }
    }
}
