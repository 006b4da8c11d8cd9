namespace OssBackup.Engine.Inventory;

/// <summary>How <see cref="InventoryReader.ReadRowsAsync"/> reads the data files of a manifest.</summary>
public sealed class InventoryReadOptions
{
    /// <summary>
    /// The data files to read, a subset of the manifest's (to split the work by file); null reads every file
    /// the manifest names, in manifest order.
    /// </summary>
    public IReadOnlyList<InventoryDataFile>? Files { get; init; }

    /// <summary>Decompressed bytes parsed at a time (the buffer grows for a longer row).</summary>
    public int BufferSize { get; init; } = 1 << 20;

    /// <summary>Counters to watch progress from another thread; null when the caller does not need them.</summary>
    public InventoryReadCounters? Counters { get; init; }
}
