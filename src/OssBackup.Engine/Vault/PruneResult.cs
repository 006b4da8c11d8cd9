namespace OssBackup.Engine.Vault;

/// <summary>What a prune did, or would do in a dry run. Counts of packs and bytes are of pack files in <c>data/</c>.</summary>
public sealed record PruneResult
{
    public bool DryRun { get; init; }

    public int SnapshotsRemoved { get; init; }

    public int SnapshotsKept { get; init; }

    /// <summary>Packs no remaining snapshot references, that an index file names, deleted.</summary>
    public int PacksDeleted { get; init; }

    public long BytesFreed { get; init; }

    /// <summary>Packs left in <c>data/</c>, whether referenced or not.</summary>
    public int PacksKept { get; init; }

    public long BytesKept { get; init; }

    /// <summary>
    /// Of the kept packs, those no snapshot references but no index file names either: written by a backup that is
    /// still running (it indexes its packs only at its commit), or left by one that crashed. Never deleted.
    /// </summary>
    public int UnindexedPacksKept { get; init; }

    public long UnindexedBytesKept { get; init; }

    /// <summary>Old index files replaced by a rewritten one (or removed, when none of their packs remained).</summary>
    public int IndexFilesRewritten { get; init; }

    /// <summary>New index files written in their place.</summary>
    public int IndexFilesWritten { get; init; }

    /// <summary>Packs a remaining snapshot references that are not in <c>data/</c>: the vault is damaged (prune cannot fix that).</summary>
    public int ReferencedPacksMissing { get; init; }

    /// <summary>Stale locks removed when the exclusive lock was taken.</summary>
    public int StaleLocksRemoved { get; init; }
}
