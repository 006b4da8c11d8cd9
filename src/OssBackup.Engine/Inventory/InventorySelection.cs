namespace OssBackup.Engine.Inventory;

/// <summary>The inventory chosen for a backup, and the newer runs passed over because they were still being written.</summary>
public sealed record InventorySelection(InventoryCandidate Chosen, IReadOnlyList<InventoryCandidate> SkippedIncomplete)
{
    public InventoryManifest Manifest => Chosen.Manifest!;
}
