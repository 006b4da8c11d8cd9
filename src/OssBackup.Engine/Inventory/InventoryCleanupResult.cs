namespace OssBackup.Engine.Inventory;

/// <summary>What <see cref="InventoryCleaner"/> removed and what it left on purpose.</summary>
/// <param name="DeletedRuns">Run folders whose manifest.json and manifest.checksum were removed.</param>
/// <param name="DeletedKeys">Every key deleted (manifests and data files).</param>
/// <param name="KeptSharedKeys">Data files of deleted runs kept because a remaining run names them too.</param>
/// <param name="Warnings">Runs whose data files could not be determined (manifest unreadable): only their manifests went.</param>
public sealed record InventoryCleanupResult(IReadOnlyList<string> DeletedRuns, IReadOnlyList<string> DeletedKeys, IReadOnlyList<string> KeptSharedKeys, IReadOnlyList<string> Warnings);
