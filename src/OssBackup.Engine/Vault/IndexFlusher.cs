using OssBackup.Engine.Vault.IndexCache;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Writes index files while a backup runs, so that the memory it holds for its own new blobs stays bounded: once the
/// sealed packs no index file names yet hold <see cref="FlushBlobs"/> blobs, one index file is written for them, their
/// blobs go into a sorted level file that <see cref="BlobIndex"/> searches, and they leave the overlay and the packs'
/// blob lists. Level files are merged as the cache merges its own, so lookups search O(log n) files.
/// </summary>
public sealed class IndexFlusher
{
    private readonly VaultRepository _vault;
    private readonly BlobIndex _index;
    private readonly string _levelFolder;
    private readonly IndexCacheOptions _levelOptions;
    private readonly object _levelGate = new();
    private int _indexFilesWritten;

    /// <param name="flushBlobs">Blobs of sealed packs held before an index file is written for them.</param>
    /// <param name="levelFolder">Scratch folder for the level files; this backup's own.</param>
    public IndexFlusher(VaultRepository vault, BlobIndex index, int flushBlobs, string levelFolder, IndexCacheOptions? levelOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(flushBlobs, 1);
        _vault = vault;
        _index = index;
        FlushBlobs = flushBlobs;
        _levelFolder = levelFolder;
        _levelOptions = levelOptions ?? IndexCacheOptions.Default;
    }

    public int FlushBlobs { get; }

    /// <summary>Index files written by flushes (the one written at the commit is not counted).</summary>
    public int IndexFilesWritten => Volatile.Read(ref _indexFilesWritten);

    /// <summary>
    /// Writes one index file for <paramref name="packs"/>, whose uploads have completed: a pack's bytes are durable before
    /// an index file names it.
    /// </summary>
    internal async Task WriteIndexAsync(IReadOnlyCollection<SealedPack> packs, CancellationToken cancellationToken)
    {
        await _vault.WriteIndexAsync(packs, cancellationToken);
        Interlocked.Increment(ref _indexFilesWritten);
    }

    /// <summary>
    /// Once an index file names <paramref name="packs"/>: moves their blobs from the overlay into a level file. One at a
    /// time, since each replaces the levels the previous one published.
    /// </summary>
    internal void AddLevel(IReadOnlyCollection<SealedPack> packs)
    {
        lock (_levelGate)
        {
            Directory.CreateDirectory(_levelFolder);
            var path = NewLevelPath();
            using (var builder = new SortedBlobFileBuilder(_vault.Config.Id, _levelFolder, _levelOptions.RunCapacity))
            {
                foreach (var pack in packs)
                {
                    foreach (var (_, location) in pack.Blobs)
                    {
                        builder.Add(location);
                    }
                }
                builder.Complete(path);
            }
            var levels = _index.FlushedLevels.Append(SortedBlobFile.Open(path, _vault.Config.Id)).ToList();
            var retired = MergeNewest(levels);
            _index.PublishFlushedLevels([.. levels], retired, packs.SelectMany(p => p.Blobs).Select(b => b.Location.Id));
        }
    }

    /// <summary>
    /// The cache's rule: merge the newest levels into the one before them while it holds at most MergeRatio times their
    /// records, so each level is larger than all newer ones together. Returns the levels replaced.
    /// </summary>
    private List<SortedBlobFile> MergeNewest(List<SortedBlobFile> levels)
    {
        var first = levels.Count - 1;
        var newer = levels[first].Count;
        while (first > 0 && levels[first - 1].Count <= _levelOptions.MergeRatio * newer)
        {
            first--;
            newer += levels[first].Count;
        }
        if (first == levels.Count - 1)
        {
            return [];
        }
        var inputs = levels.GetRange(first, levels.Count - first);
        var merged = NewLevelPath();
        SortedBlobFileMerger.Merge(inputs.Select(l => l.Path).ToList(), merged, _vault.Config.Id, _levelFolder);
        levels.RemoveRange(first, inputs.Count);
        levels.Add(SortedBlobFile.Open(merged, _vault.Config.Id));
        return inputs;
    }

    private string NewLevelPath() => Path.Combine(_levelFolder, $"flushed-{Guid.NewGuid():N}.blobs");
}
