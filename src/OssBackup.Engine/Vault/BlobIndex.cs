using System.Collections.Concurrent;
using OssBackup.Engine.Vault.IndexCache;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Which blobs the vault already holds, for deduplication. Restores never need it: object tables carry each
/// chunk's location. The vault's blobs are looked up in the sorted, memory-mapped files of the local index cache
/// (docs/architecture.md, "The index cache"). The blobs added while this index is open are held in memory until an
/// index file names their packs; then they move to sorted files of their own (<see cref="PublishFlushedLevels"/>).
/// </summary>
public sealed class BlobIndex : IDisposable
{
    private readonly ConcurrentDictionary<BlobId, BlobLocation> _added = new();
    private readonly IReadOnlyList<SortedBlobFile> _cacheFiles;
    private readonly DeadPackSet _deadPacks;
    private readonly Action? _invalidateCache;
    private readonly string? _ownedFolder;
    private int _damageReported;
    private long _addedCount;
    private long _peakAddedCount;

    // Sorted files of blobs this backup added whose packs an index file already names, oldest first. Replaced whole, so
    // a lookup reads one consistent array without a lock.
    private SortedBlobFile[] _flushedLevels = [];
    private readonly List<SortedBlobFile> _retiredLevels = [];
    private readonly object _flushGate = new();

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
    public long Count => _cacheFiles.Sum(f => f.Count) + Volatile.Read(ref _flushedLevels).Sum(f => f.Count) + _added.Count;

    /// <summary>Blobs added since the index was opened and held in memory: those whose packs no index file names yet.</summary>
    public long AddedCount => Interlocked.Read(ref _addedCount);

    /// <summary>The most blobs <see cref="AddedCount"/> ever reached: what the flushes bound.</summary>
    public long PeakAddedCount => Interlocked.Read(ref _peakAddedCount);

    /// <summary>True once a damaged cache record was met (and treated as a miss); the next load rebuilds the cache.</summary>
    public bool CacheDamaged => Volatile.Read(ref _damageReported) != 0;

    public bool TryGet(BlobId id, out BlobLocation location)
    {
        if (_added.TryGetValue(id, out location))
        {
            return true;
        }
        // Read after the overlay: a flush publishes its level before it drops the blobs from the overlay, so a blob
        // missed there is in this array.
        var flushed = Volatile.Read(ref _flushedLevels);
        for (var i = flushed.Length - 1; i >= 0; i--)
        {
            // No dead packs here: the shared vault lock keeps a prune out while this backup runs. A damaged record is a
            // miss (the blob is stored again); these files are not the shared cache, so nothing needs rebuilding.
            if (flushed[i].TryFind(id, out location) == LookupResult.Found)
            {
                return true;
            }
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

    public void Add(BlobLocation location)
    {
        if (!_added.TryAdd(location.Id, location))
        {
            return;
        }
        var count = Interlocked.Increment(ref _addedCount);
        for (var peak = Interlocked.Read(ref _peakAddedCount); count > peak; peak = Interlocked.Read(ref _peakAddedCount))
        {
            if (Interlocked.CompareExchange(ref _peakAddedCount, count, peak) == peak)
            {
                break;
            }
        }
        // A blob's pack can be sealed and flushed between the write that placed the blob and this call. Its flush then
        // found nothing to drop, and the blob would stay here for the rest of the backup: drop it now if a flushed level
        // has it.
        var flushed = Volatile.Read(ref _flushedLevels);
        if (flushed.Length > 0 && flushed.Any(f => f.TryFind(location.Id, out _) == LookupResult.Found))
        {
            Forget(location.Id);
        }
    }

    /// <summary>
    /// Makes <paramref name="levels"/> the flushed levels (taking ownership of them and of <paramref name="retired"/>,
    /// levels they replace, which lookups in flight may still read until this index is disposed), then drops
    /// <paramref name="nowInLevels"/> from memory. In that order, a lookup always finds such a blob in one or the other.
    /// </summary>
    internal void PublishFlushedLevels(SortedBlobFile[] levels, IEnumerable<SortedBlobFile> retired, IEnumerable<BlobId> nowInLevels)
    {
        lock (_flushGate)
        {
            _retiredLevels.AddRange(retired);
            Volatile.Write(ref _flushedLevels, levels);
        }
        foreach (var id in nowInLevels)
        {
            Forget(id);
        }
    }

    internal IReadOnlyList<SortedBlobFile> FlushedLevels => Volatile.Read(ref _flushedLevels);

    private void Forget(BlobId id)
    {
        if (_added.TryRemove(id, out _))
        {
            Interlocked.Decrement(ref _addedCount);
        }
    }

    public void Dispose()
    {
        foreach (var file in _cacheFiles)
        {
            file.Dispose();
        }
        lock (_flushGate)
        {
            // Flushed levels are this backup's own scratch files; the next load reads their index files into the cache.
            foreach (var level in _flushedLevels.Concat(_retiredLevels))
            {
                level.Dispose();
                IndexCacheFolder.TryDelete(level.Path);
            }
            _flushedLevels = [];
            _retiredLevels.Clear();
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
