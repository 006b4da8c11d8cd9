namespace OssBackup.Engine.Planning;

/// <summary>Memory and fan-in limits of an <see cref="ExternalSorter{T}"/>.</summary>
public sealed record ExternalSortOptions
{
    public static ExternalSortOptions Default { get; } = new();

    /// <summary>Records one buffer holds before it is sorted and spilled to a run file.</summary>
    public int MaxBufferedRecords { get; init; } = 1 << 20;

    /// <summary>
    /// Bytes the sort's two buffers may hold together (one fills while the other is sorted and spilled,
    /// so each spills at half of this): encoded records plus 44 bytes of bookkeeping and sort scratch each
    /// (a SourceObject with a 40-character key and an S3 ETag takes about 140). A buffer spills at whichever
    /// limit is reached first. The sort's heap peaks at about 1.5 times this (entry arrays grow by
    /// doubling; merges add read buffers).
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Inputs a merge reads at once. With more runs than this, the smallest are merged into bigger runs
    /// first (intermediate merges) so the final merge never reads more than this many.
    /// Each open run costs a read buffer of twice <see cref="BlockSize"/>.
    /// </summary>
    public int MaxOpenRuns { get; init; } = 64;

    /// <summary>Target size of a block in a run file; also the read granularity when merging.</summary>
    public int BlockSize { get; init; } = 64 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedRecords, 1, nameof(MaxBufferedRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedBytes, 1, nameof(MaxBufferedBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenRuns, 2, nameof(MaxOpenRuns));
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 1024, nameof(BlockSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BlockSize, 64 << 20, nameof(BlockSize));
    }
}
