using System.Buffers.Binary;

namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// One blob of the local index cache as 64 fixed bytes (docs/architecture.md, "The index cache"): fixed width so
/// a sorted file is searched by position alone, and a 16-bit check so a damaged record is noticed before a backup
/// reuses a wrong location.
/// </summary>
internal static class IndexCacheRecord
{
    public const int Size = 64;

    /// <summary>Packs are sealed at 16 MiB plus one blob (at most 2 GiB), so 40 bits of offset are far more than enough.</summary>
    public const long MaxOffset = (1L << 40) - 1;

    private const int PackAt = BlobId.Size;
    private const int OffsetAt = PackAt + PackId.Size;
    private const int CompressionAt = OffsetAt + 5;
    private const int StoredAt = CompressionAt + 1;
    private const int RawAt = StoredAt + 4;
    private const int CheckAt = RawAt + 4;

    public static void Write(Span<byte> destination, in BlobLocation location)
    {
        if ((ulong)location.Offset > MaxOffset)
        {
            throw new InvalidDataException($"Blob {location.Id} lies at offset {location.Offset} of pack {location.Pack}, beyond what the index cache records.");
        }
        location.Id.Write(destination);
        location.Pack.Write(destination[PackAt..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[OffsetAt..], (uint)location.Offset);
        destination[OffsetAt + 4] = (byte)(location.Offset >> 32);
        destination[CompressionAt] = (byte)location.Compression;
        BinaryPrimitives.WriteInt32LittleEndian(destination[StoredAt..], location.StoredLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[RawAt..], location.RawLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[CheckAt..], Check(destination));
    }

    /// <summary>Decodes a record, or returns false when its check does not match (the cache file is damaged).</summary>
    public static bool TryRead(ReadOnlySpan<byte> record, out BlobLocation location)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(record[CheckAt..]) != Check(record))
        {
            location = default;
            return false;
        }
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(record[OffsetAt..]) | ((long)record[OffsetAt + 4] << 32);
        location = new BlobLocation(
            BlobId.Read(record),
            PackId.Read(record[PackAt..]),
            offset,
            BinaryPrimitives.ReadInt32LittleEndian(record[StoredAt..]),
            BinaryPrimitives.ReadInt32LittleEndian(record[RawAt..]),
            (BlobCompression)record[CompressionAt]);
        return true;
    }

    /// <summary>The first 8 bytes of the id, big-endian: what the search interpolates on (ids are uniform SHA-256).</summary>
    public static ulong Prefix(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadUInt64BigEndian(record);

    /// <summary>Orders records as their blob ids sort, byte by byte.</summary>
    public static int CompareIds(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        left[..BlobId.Size].SequenceCompareTo(right[..BlobId.Size]);

    /// <summary>FNV-1a over the first 62 bytes, folded to 16 bits: cheap enough to check on every hit.</summary>
    private static ushort Check(ReadOnlySpan<byte> record)
    {
        var hash = 2166136261u;
        foreach (var value in record[..CheckAt])
        {
            hash = (hash ^ value) * 16777619u;
        }
        return (ushort)(hash ^ (hash >> 16));
    }
}
