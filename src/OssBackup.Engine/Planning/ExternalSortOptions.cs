namespace OssBackup.Engine.Planning;

/// <summary>Memory and fan-in limits of an <see cref="ExternalSorter{T}"/>.</summary>
public sealed record ExternalSortOptions
{
    public static ExternalSortOptions Default { get; } = new();

    /// <summary>Records held in memory before the buffer is sorted and spilled to a run file.</summary>
    public int MaxBufferedRecords { get; init; } = 262_144;

    /// <summary>
    /// Optional second limit: the estimated managed size of the buffered records (as the codec estimates
    /// it). The buffer spills at whichever limit is reached first. Null means records only.
    /// </summary>
    public long? MaxBufferedBytes { get; init; }

    /// <summary>
    /// Inputs a merge reads at once. With more runs than this, the smallest are merged into bigger runs
    /// first (intermediate merges) so the final merge never reads more than this many.
    /// </summary>
    public int MaxOpenRuns { get; init; } = 64;

    /// <summary>Target size of a block in a run file; also the read granularity when merging.</summary>
    public int BlockSize { get; init; } = 64 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedRecords, 1, nameof(MaxBufferedRecords));
        if (MaxBufferedBytes is { } bytes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1, nameof(MaxBufferedBytes));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenRuns, 2, nameof(MaxOpenRuns));
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 1024, nameof(BlockSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BlockSize, 64 << 20, nameof(BlockSize));
    }
}
