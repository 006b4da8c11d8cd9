namespace OssBackup.Engine;

/// <summary>Where the catalog, local vaults and scratch files live: $OSSBACKUP_HOME, else the platform's app-data folder.</summary>
public static class OssBackupHome
{
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("OSSBACKUP_HOME");
            return string.IsNullOrWhiteSpace(configured)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "OssBackup")
                : Path.GetFullPath(configured);
        }
    }

    public static string CatalogPath => Path.Combine(Root, "catalog.db");

    /// <summary>
    /// Local index caches, one folder per vault id: on this machine's disk rather than in the vault, because they
    /// are derived, per machine, memory-mapped, and vaults are meant to live in buckets.
    /// </summary>
    public static string IndexCacheRoot => Path.Combine(Root, "cache", "index");

    /// <summary>Local digests of backup points (<c>Planning.PointDigestFile</c>), one folder per vault id; derived and rebuildable like the index cache.</summary>
    public static string DigestCacheRoot => Path.Combine(Root, "cache", "digests");

    public static string ScratchFolder(string purpose) => Path.Combine(Root, "tmp", $"{purpose}-{Environment.ProcessId}-{Guid.NewGuid():N}");
}
