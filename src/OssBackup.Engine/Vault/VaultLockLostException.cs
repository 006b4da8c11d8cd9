namespace OssBackup.Engine.Vault;

/// <summary>A lock this process held was removed by another process (which judged it stale), or could not be refreshed.</summary>
public sealed class VaultLockLostException(string message, Exception? inner = null) : Exception(message, inner);
