namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>Tuning of the local index cache; the defaults suit production, tests shrink them.</summary>
public sealed record IndexCacheOptions
{
    public static readonly IndexCacheOptions Default = new();

    /// <summary>Blobs sorted in memory at once when building a cache file (80 bytes each: 256Ki is 20 MiB).</summary>
    public int RunCapacity { get; init; } = 256 * 1024;

    /// <summary>
    /// A newer cache file is merged into the one before it once that one holds at most this many times its records,
    /// so each file is more than this many times larger than all newer ones together and a lookup probes
    /// O(log n) files.
    /// </summary>
    public int MergeRatio { get; init; } = 4;

    /// <summary>How long to wait for another process updating the same cache before building a private one.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>What loading the index cache had to do.</summary>
public enum IndexCacheOutcome
{
    /// <summary>The cache covered every index file of the vault: nothing was read from the vault.</summary>
    Reused,

    /// <summary>
    /// Index files written since the last load were read into a new cache file, and/or index files a prune removed
    /// turned the packs no index file lists any more into dead packs.
    /// </summary>
    Extended,

    /// <summary>Every index file was read again (no cache yet, a damaged one, or one whose bookkeeping is missing).</summary>
    Rebuilt,
}

/// <summary>
/// A report of one load of the index cache, for tests, benchmarks and diagnostics. <paramref name="IndexFilesGone"/>:
/// covered index files a prune removed; <paramref name="DeadPacks"/>: packs lookups skip after the load;
/// <paramref name="RecordsPurged"/>: records in dead packs that merges dropped.
/// </summary>
public sealed record IndexCacheLoad(
    IndexCacheOutcome Outcome,
    string? RebuildReason,
    int IndexFilesRead,
    long BlobsRead,
    int Files,
    int FilesMerged,
    int IndexFilesGone,
    int DeadPacks,
    long RecordsPurged,
    bool Private,
    TimeSpan Elapsed);
