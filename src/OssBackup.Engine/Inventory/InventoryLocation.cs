namespace OssBackup.Engine.Inventory;

/// <summary>
/// Where an inventory rule writes: <c>&lt;InventoryBucket&gt;/[&lt;DestinationPrefix&gt;/]&lt;SourceBucket&gt;/&lt;InventoryId&gt;/</c>,
/// holding one folder per run (<c>YYYY-MM-DDTHH-MMZ/</c>) and the shared <c>data/</c> folder.
/// </summary>
public sealed record InventoryLocation(string InventoryBucket, string DestinationPrefix, string SourceBucket, string InventoryId)
{
    /// <summary>The key prefix of the rule's folder in the inventory bucket, ending in '/'.</summary>
    public string Folder
    {
        get
        {
            var prefix = (DestinationPrefix ?? "").Trim('/');
            return prefix.Length == 0 ? $"{SourceBucket}/{InventoryId}/" : $"{prefix}/{SourceBucket}/{InventoryId}/";
        }
    }

    public override string ToString() => $"{InventoryBucket}/{Folder}";
}
