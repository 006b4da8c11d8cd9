namespace OssBackup.Engine.Inventory;

/// <summary>
/// Progress of reading an inventory, safe to read from another thread while rows stream. Rows are published in
/// batches, so a reading taken mid-file may lag by a few thousand rows; the values are exact once a file ends.
/// </summary>
public sealed class InventoryReadCounters
{
    private long _rowsRead;
    private long _rowsReturned;
    private long _nonCurrentRowsSkipped;
    private long _compressedBytesRead;
    private int _filesRead;
    private int _allVersions;

    /// <summary>Data rows parsed, including non-current versions and delete markers that were skipped.</summary>
    public long RowsRead => Interlocked.Read(ref _rowsRead);

    /// <summary>Rows handed to the caller.</summary>
    public long RowsReturned => Interlocked.Read(ref _rowsReturned);

    /// <summary>Rows of an all-versions inventory left out because they are not the current version or are delete markers.</summary>
    public long NonCurrentRowsSkipped => Interlocked.Read(ref _nonCurrentRowsSkipped);

    /// <summary>Data files read to their end and verified (size and MD5).</summary>
    public int FilesRead => Volatile.Read(ref _filesRead);

    /// <summary>Compressed bytes received, across files (compare with <see cref="InventoryManifest.DataBytes"/>).</summary>
    public long CompressedBytesRead => Interlocked.Read(ref _compressedBytesRead);

    /// <summary>
    /// True when the inventory lists every version (its schema has IsLatest/IsDeleteMarker) and only current
    /// versions were kept: report it ("all-versions inventory: kept only current versions").
    /// </summary>
    public bool KeptOnlyCurrentVersions => Volatile.Read(ref _allVersions) != 0;

    internal void MarkAllVersions() => Volatile.Write(ref _allVersions, 1);

    internal void AddRows(long read, long returned, long skipped)
    {
        Interlocked.Add(ref _rowsRead, read);
        Interlocked.Add(ref _rowsReturned, returned);
        Interlocked.Add(ref _nonCurrentRowsSkipped, skipped);
    }

    internal void AddCompressedBytes(int count) => Interlocked.Add(ref _compressedBytesRead, count);

    internal void FileDone() => Interlocked.Increment(ref _filesRead);
}
