using System.Buffers.Binary;
using System.Text;
using OssBackup.Engine.Source;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Sort-run encoding of a <see cref="SourceObject"/>, ordered by key in <see cref="Vault.KeyOrder"/>:
/// key (uvarint length + UTF-8: the sort key, whose byte order is code point order), size (uvarint of
/// the 64-bit value), last-modified UTC ticks (8 bytes little-endian), its offset in minutes (zigzag
/// varint, 0 for UTC), ETag and storage class (uvarint length + UTF-8). Lossless and cheap to decode:
/// three string decodes, no parsing. Well-known storage classes decode to shared string instances.
/// Strings that are not valid UTF-16 (a lone surrogate) are refused: UTF-8 cannot carry them.
/// </summary>
internal sealed class SourceObjectCodec : IRecordCodec<SourceObject>
{
    public static SourceObjectCodec Instance { get; } = new();

    /// <summary>UTF-8 byte order of the keys is code point order: <see cref="Vault.KeyOrder"/>.</summary>
    public IComparer<SourceObject> Order => SourceObjectKeyOrder.Instance;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] KnownStorageClasses =
    [
        "Standard", "IA", "Archive", "ColdArchive", "DeepColdArchive",
        "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE",
        "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE", "",
    ];

    private static readonly byte[][] KnownStorageClassBytes = [.. KnownStorageClasses.Select(Encoding.UTF8.GetBytes)];

    public void Write(BinaryWriterBuffer buffer, SourceObject item)
    {
        WriteText(buffer, item.Key, item);
        buffer.WriteUVarint((ulong)item.Size);
        Span<byte> ticks = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(ticks, item.LastModified.UtcTicks);
        buffer.WriteBytes(ticks);
        buffer.WriteVarint(item.LastModified.Offset.Ticks / TimeSpan.TicksPerMinute);
        WriteText(buffer, item.ETag, item);
        WriteText(buffer, item.StorageClass, item);
    }

    /// <summary>
    /// The record <see cref="Write"/> makes of an object with these fields, from their UTF-8 bytes, for a
    /// reader that never turns them into strings. <paramref name="key"/> must be valid UTF-8 (the sort key
    /// has to order as the string would); the ETag and storage class are taken as
    /// <see cref="Encoding.UTF8"/> would decode them, invalid bytes becoming U+FFFD.
    /// </summary>
    public static void WriteRecord(BinaryWriterBuffer buffer, ReadOnlySpan<byte> key, long size, DateTimeOffset lastModified,
        ReadOnlySpan<byte> etag, ReadOnlySpan<byte> storageClass)
    {
        etag = Lenient(etag);
        storageClass = Lenient(storageClass);
        // One span for the whole record: this runs once per inventory row.
        var offsetMinutes = lastModified.Offset.Ticks / TimeSpan.TicksPerMinute;
        var zigzagOffset = (ulong)((offsetMinutes << 1) ^ (offsetMinutes >> 63));
        var length = BinaryWriterBuffer.UVarintLength((ulong)key.Length) + key.Length + BinaryWriterBuffer.UVarintLength((ulong)size) + sizeof(long)
            + BinaryWriterBuffer.UVarintLength(zigzagOffset) + BinaryWriterBuffer.UVarintLength((ulong)etag.Length) + etag.Length
            + BinaryWriterBuffer.UVarintLength((ulong)storageClass.Length) + storageClass.Length;
        var span = buffer.GetSpan(length);
        var at = BinaryWriterBuffer.WriteUVarint(span, (ulong)key.Length);
        key.CopyTo(span[at..]);
        at += key.Length;
        at += BinaryWriterBuffer.WriteUVarint(span[at..], (ulong)size);
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], lastModified.UtcTicks);
        at += sizeof(long);
        at += BinaryWriterBuffer.WriteUVarint(span[at..], zigzagOffset);
        at += BinaryWriterBuffer.WriteUVarint(span[at..], (ulong)etag.Length);
        etag.CopyTo(span[at..]);
        at += etag.Length;
        at += BinaryWriterBuffer.WriteUVarint(span[at..], (ulong)storageClass.Length);
        storageClass.CopyTo(span[at..]);
        buffer.Advance(at + storageClass.Length);
    }

    /// <summary>The text as <see cref="Encoding.UTF8"/> would decode it (invalid bytes become U+FFFD), as UTF-8; ETags and storage classes are ASCII, checked first.</summary>
    private static ReadOnlySpan<byte> Lenient(ReadOnlySpan<byte> utf8) =>
        Ascii.IsValid(utf8) || System.Text.Unicode.Utf8.IsValid(utf8) ? utf8 : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8));

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

    /// <summary>The fields a version comparison needs, straight from a record's bytes.</summary>
    internal readonly ref struct VersionFields(ReadOnlySpan<byte> key, long size, long utcTicks, ReadOnlySpan<byte> etag, ReadOnlySpan<byte> storageClass)
    {
        public ReadOnlySpan<byte> Key { get; } = key;
        public long Size { get; } = size;
        public long UtcTicks { get; } = utcTicks;
        public ReadOnlySpan<byte> ETag { get; } = etag;
        public ReadOnlySpan<byte> StorageClass { get; } = storageClass;
    }

    internal static VersionFields ReadVersionFields(ReadOnlySpan<byte> record)
    {
        var reader = new BinarySpanReader(record);
        var key = reader.ReadBytes(checked((int)reader.ReadUVarint()));
        var size = (long)reader.ReadUVarint();
        var utcTicks = BinaryPrimitives.ReadInt64LittleEndian(reader.ReadBytes(sizeof(long)));
        reader.ReadVarint();
        var etag = reader.ReadBytes(checked((int)reader.ReadUVarint()));
        var storageClass = reader.ReadBytes(checked((int)reader.ReadUVarint()));
        return new VersionFields(key, size, utcTicks, etag, storageClass);
    }

    public (int Offset, int Length) LocateSortKey(ReadOnlySpan<byte> record)
    {
        // the key's length as a uvarint, then its bytes
        var length = 0;
        var shift = 0;
        var i = 0;
        byte b;
        do
        {
            if (i == record.Length || shift > 28)
            {
                throw new InvalidDataException("A sort record has a malformed key length.");
            }
            b = record[i++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while (b >= 0x80);
        if (length < 0 || length > record.Length - i)
        {
            throw new InvalidDataException("A sort record is shorter than its key.");
        }
        return (i, length);
    }

    private static void WriteText(BinaryWriterBuffer buffer, string value, SourceObject item)
    {
        try
        {
            Strict.GetByteCount(value);
        }
        catch (EncoderFallbackException error)
        {
            throw new InvalidDataException($"The object '{item.Key}' has text that is not valid Unicode (a lone surrogate).", error);
        }
        buffer.WriteString(value);
    }

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

/// <summary>Orders source objects by key in <see cref="Vault.KeyOrder"/>: the order <see cref="SourceObjectCodec"/> sorts in.</summary>
public sealed class SourceObjectKeyOrder : IComparer<SourceObject>
{
    public static SourceObjectKeyOrder Instance { get; } = new();

    public int Compare(SourceObject? x, SourceObject? y) => Vault.KeyOrder.Instance.Compare(x?.Key, y?.Key);
}
