using System.Buffers.Binary;
using System.Text;
using OssBackup.Engine.Source;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Run-file encoding of a <see cref="SourceObject"/>:
/// key (uvarint length + UTF-8), size (uvarint of the 64-bit value), last-modified UTC ticks
/// (8 bytes little-endian), its offset in minutes (zigzag varint, 0 for UTC), ETag and storage class
/// (uvarint length + UTF-8). Lossless, and cheap to decode: three string decodes and no parsing.
/// Well-known storage classes decode to shared string instances.
/// </summary>
internal sealed class SourceObjectCodec : IRecordCodec<SourceObject>
{
    public static SourceObjectCodec Instance { get; } = new();

    private static readonly string[] KnownStorageClasses =
    [
        "Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive",
        "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE",
        "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE", "",
    ];

    private static readonly byte[][] KnownStorageClassBytes = [.. KnownStorageClasses.Select(Encoding.UTF8.GetBytes)];

    public void Write(BinaryWriterBuffer buffer, SourceObject item)
    {
        buffer.WriteString(item.Key);
        buffer.WriteUVarint((ulong)item.Size);
        Span<byte> ticks = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(ticks, item.LastModified.UtcTicks);
        buffer.WriteBytes(ticks);
        buffer.WriteVarint(item.LastModified.Offset.Ticks / TimeSpan.TicksPerMinute);
        buffer.WriteString(item.ETag);
        buffer.WriteString(item.StorageClass);
    }

    public SourceObject Read(ref BinarySpanReader reader)
    {
        var key = reader.ReadString();
        var size = (long)reader.ReadUVarint();
        var utcTicks = BinaryPrimitives.ReadInt64LittleEndian(reader.ReadBytes(sizeof(long)));
        var offsetMinutes = reader.ReadVarint();
        var etag = reader.ReadString();
        var storageClass = DecodeStorageClass(reader.ReadBytes(checked((int)reader.ReadUVarint())));
        var modified = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        if (offsetMinutes != 0)
        {
            modified = modified.ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        }
        return new SourceObject(key, size, etag, modified, storageClass);
    }

    public int EstimateSize(SourceObject item) =>
        // the record (header, 4 references, a long, a DateTimeOffset), its three strings, its buffer slot
        80 + 3 * 24 + 2 * (item.Key.Length + item.ETag.Length + item.StorageClass.Length);

    private static string DecodeStorageClass(ReadOnlySpan<byte> bytes)
    {
        var known = KnownStorageClassBytes;
        for (var i = 0; i < known.Length; i++)
        {
            if (known[i].Length == bytes.Length && bytes.SequenceEqual(known[i]))
            {
                return KnownStorageClasses[i];
            }
        }
        return Encoding.UTF8.GetString(bytes);
    }
}

/// <summary>Orders source objects by key in <see cref="Vault.KeyOrder"/> (UTF-8 byte order).</summary>
public sealed class SourceObjectKeyOrder : IComparer<SourceObject>
{
    public static SourceObjectKeyOrder Instance { get; } = new();

    public int Compare(SourceObject? x, SourceObject? y) => Vault.KeyOrder.Instance.Compare(x?.Key, y?.Key);
}
