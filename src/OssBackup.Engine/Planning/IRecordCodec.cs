using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Encodes the records of an external sort and defines their order. The sort never compares objects:
/// it orders encoded records by their <em>sort key</em>, a byte range inside each record, compared as
/// unsigned bytes (<see cref="MemoryExtensions.SequenceCompareTo{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>).
/// For text keys in <see cref="Vault.KeyOrder"/>, the key's UTF-8 bytes are exactly such a key.
/// Implementations must be stateless: one codec may serve several sorts at once.
/// </summary>
internal interface IRecordCodec<T>
{
    /// <summary>Appends the record; <see cref="Read"/> must consume exactly these bytes.</summary>
    void Write(BinaryWriterBuffer buffer, T item);

    T Read(ref BinarySpanReader reader);

    /// <summary>The order of the objects that the byte order of their sort keys amounts to.</summary>
    IComparer<T> Order { get; }

    /// <summary>Where the sort key lies in a record <see cref="Write"/> produced. Called once per record per pass: keep it cheap.</summary>
    (int Offset, int Length) LocateSortKey(ReadOnlySpan<byte> record);
}
