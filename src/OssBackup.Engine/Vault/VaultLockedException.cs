namespace OssBackup.Engine.Vault;

/// <summary>A lock could not be taken because another, live, lock is in the way.</summary>
public sealed class VaultLockedException : Exception
{
    public VaultLockedException(string location, string lockFile, VaultLockInfo? holder, VaultLockKind wanted, TimeSpan staleAfter)
        : base(Describe(location, lockFile, holder, wanted, staleAfter))
    {
        Location = location;
        LockFile = lockFile;
        Holder = holder;
    }

    /// <summary>The vault's location.</summary>
    public string Location { get; }

    /// <summary>The blocking lock file, e.g. <c>locks/0123…</c>.</summary>
    public string LockFile { get; }

    /// <summary>Who holds the blocking lock; null when its file could not be read.</summary>
    public VaultLockInfo? Holder { get; }

    private static string Describe(string location, string lockFile, VaultLockInfo? holder, VaultLockKind wanted, TimeSpan staleAfter)
    {
        var want = wanted == VaultLockKind.Exclusive ? "an exclusive" : "a shared";
        if (holder is null)
        {
            return $"Cannot take {want} lock on the vault at '{location}': lock file '{lockFile}' cannot be read. " +
                "If no OssBackup process is using this vault, delete that file and try again.";
        }
        return $"Cannot take {want} lock on the vault at '{location}': it is in use, {holder}. " +
            $"Try again when that operation has ended. A lock is considered stale, and removed, once it has not been refreshed for {staleAfter.TotalMinutes:0.#} minutes " +
            "or when its process on this host has ended.";
    }
}
