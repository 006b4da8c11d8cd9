using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Writes and reads one record of a sort run. Records are concatenated inside a block, so
/// <see cref="Read"/> must consume exactly what <see cref="Write"/> produced. Implementations must be
/// stateless (one codec may serve several sorts at once).
/// </summary>
internal interface IRecordCodec<T>
{
    void Write(BinaryWriterBuffer buffer, T item);

    T Read(ref BinarySpanReader reader);

    /// <summary>
    /// Approximate managed-heap bytes the item occupies while buffered; only used when
    /// <see cref="ExternalSortOptions.MaxBufferedBytes"/> is set.
    /// </summary>
    int EstimateSize(T item);
}
