namespace OssBackup.Engine.Inventory;

/// <summary>The positions of the columns the reader uses, from a manifest's fileSchema (-1 when absent).</summary>
internal sealed class InventoryColumns
{
    private InventoryColumns(InventoryManifest manifest)
    {
        Names = manifest.Schema;
        Key = manifest.ColumnIndex("Key");
        Size = manifest.ColumnIndex("Size");
        LastModified = manifest.ColumnIndex("LastModifiedDate");
        ETag = manifest.ColumnIndex("ETag");
        StorageClass = manifest.ColumnIndex("StorageClass");
        IsLatest = manifest.ColumnIndex("IsLatest");
        IsDeleteMarker = manifest.ColumnIndex("IsDeleteMarker");
    }

    public IReadOnlyList<string> Names { get; }
    public int Count => Names.Count;
    public int Key { get; }
    public int Size { get; }
    public int LastModified { get; }
    public int ETag { get; }
    public int StorageClass { get; }
    public int IsLatest { get; }
    public int IsDeleteMarker { get; }

    /// <summary>The column map of a manifest that <see cref="InventoryReader.Problems"/> found no fault with.</summary>
    public static InventoryColumns For(InventoryManifest manifest) => new(manifest);
}
