namespace OssBackup.Engine.Vault;

/// <summary>How locks are judged stale and refreshed, and who this process is.</summary>
public sealed class VaultLockOptions
{
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(30);

    /// <summary>A lock not refreshed for this long is stale and may be broken by anyone. Default 30 minutes.</summary>
    public TimeSpan StaleAfter { get; init; } = DefaultStaleAfter;

    /// <summary>How often a held lock is refreshed; default a sixth of <see cref="StaleAfter"/> (5 minutes).</summary>
    public TimeSpan? RefreshInterval { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The host name written into locks; locks with this host name are checked for a live process.</summary>
    public string HostName { get; init; } = Environment.MachineName;

    public int ProcessId { get; init; } = Environment.ProcessId;

    internal TimeSpan EffectiveRefreshInterval
    {
        get
        {
            var interval = RefreshInterval ?? StaleAfter / 6;
            return interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval;
        }
    }
}
