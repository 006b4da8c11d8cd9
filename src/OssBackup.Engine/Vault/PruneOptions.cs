namespace OssBackup.Engine.Vault;

/// <summary>Options of <see cref="VaultPruner.PruneAsync"/>.</summary>
public sealed class PruneOptions
{
    /// <summary>Compute and report what a prune would do, writing and deleting nothing (not even a lock file).</summary>
    public bool DryRun { get; init; }

    /// <summary>How the exclusive lock treats other locks (stale period) and refreshes itself.</summary>
    public VaultLockOptions Lock { get; init; } = new();
}
