using System.Text;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Vault;

/// <summary>The byte layout of an object-table segment (docs/vault-format.md, "Object table").</summary>
internal static class TableSegmentCodec
{
    public static ReadOnlySpan<byte> Magic => "OBT1"u8;

    /// <summary>
    /// Appends an entry. One read from a table and left as it was is copied as read: the layout has one
    /// version, so its bytes are what encoding it again would give.
    /// </summary>
    public static void WriteEntry(BinaryWriterBuffer buffer, ObjectEntry entry)
    {
        var encoded = entry.EncodedAsRead;
        if (!encoded.IsEmpty)
        {
            buffer.WriteBytes(encoded);
            return;
        }
        buffer.WriteString(entry.Key);
        buffer.WriteUVarint((ulong)entry.Size);
        buffer.WriteVarint(entry.LastModified.ToUnixTimeMilliseconds());
        buffer.WriteString(entry.ETag);
        buffer.WriteString(entry.StorageClass);
        buffer.WriteUVarint((ulong)entry.Metadata.Count);
        foreach (var (name, value) in entry.Metadata)
        {
            buffer.WriteString(name);
            buffer.WriteString(value);
        }
        buffer.WriteUVarint((ulong)entry.Chunks.Count);
        Span<byte> id = stackalloc byte[BlobId.Size];
        foreach (var chunk in entry.Chunks)
        {
            chunk.Id.Write(id);
            buffer.WriteBytes(id);
            chunk.Pack.Write(id);
            buffer.WriteBytes(id[..PackId.Size]);
            buffer.WriteUVarint((ulong)chunk.Offset);
            buffer.WriteUVarint((ulong)chunk.StoredLength);
            buffer.WriteUVarint((ulong)chunk.RawLength);
            buffer.WriteByte((byte)chunk.Compression);
        }
    }

    public static List<ObjectEntry> ReadSegment(ReadOnlySpan<byte> plaintext, BlobId segment)
    {
        var entries = new List<ObjectEntry>();
        ReadEntries(plaintext, FirstEntry(plaintext, segment), int.MaxValue, new Utf8StringCache(), new EntryBytesSlabs(), null, 0, entries);
        return entries;
    }

    /// <summary>Where the first entry of a segment starts, once the format is checked.</summary>
    public static int FirstEntry(ReadOnlySpan<byte> plaintext, BlobId segment) =>
        plaintext.Length >= Magic.Length && plaintext[..Magic.Length].SequenceEqual(Magic)
            ? Magic.Length
            : throw new InvalidDataException($"Object table segment {segment} has an unknown format.");

    /// <summary>
    /// Appends up to <paramref name="maxEntries"/> entries that start at <paramref name="position"/> and returns
    /// where the next one starts (the plaintext's length after the last). Each entry keeps a copy of its bytes
    /// in <paramref name="slabs"/> and decodes its ETag, metadata and chunks from them when asked; their bounds
    /// are checked here, so a truncated segment fails now. Storage classes repeat from entry to entry and are
    /// shared through <paramref name="strings"/>. The entries remember that they are entries number
    /// <paramref name="firstIndex"/> and on of <paramref name="segment"/> (when given).
    /// </summary>
    public static int ReadEntries(ReadOnlySpan<byte> plaintext, int position, int maxEntries, Utf8StringCache strings, EntryBytesSlabs slabs,
        TableSegmentRef? segment, int firstIndex, List<ObjectEntry> entries)
    {
        var reader = new BinarySpanReader(plaintext[position..]);
        for (var n = 0; n < maxEntries && !reader.AtEnd; n++)
        {
            var start = reader.Position;
            var key = reader.ReadString();
            var size = (long)reader.ReadUVarint();
            var modified = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadVarint());
            var etagAt = reader.Position - start;
            SkipString(ref reader);
            var storageClass = strings.Get(reader.ReadBytes(checked((int)reader.ReadUVarint())));
            var metadataAt = reader.Position - start;
            SkipMetadata(ref reader);
            var chunkCount = reader.ReadUVarint();
            for (ulong i = 0; i < chunkCount; i++)
            {
                reader.ReadBytes(BlobId.Size + PackId.Size);
                reader.ReadUVarint();
                reader.ReadUVarint();
                reader.ReadUVarint();
                reader.ReadByte();
            }
            var encoded = slabs.Keep(plaintext.Slice(position + start, reader.Position - start));
            entries.Add(new ObjectEntry(key, size, modified, storageClass, encoded, etagAt, metadataAt, segment, firstIndex + n));
        }
        return position + reader.Position;
    }

    /// <summary>The UTF-8 bytes of the string encoded at <paramref name="position"/>.</summary>
    public static ReadOnlySpan<byte> StringBytesAt(ReadOnlySpan<byte> encoded, int position)
    {
        var reader = new BinarySpanReader(encoded[position..]);
        return reader.ReadBytes(checked((int)reader.ReadUVarint()));
    }

    public static string ReadStringAt(ReadOnlySpan<byte> encoded, int position) => Encoding.UTF8.GetString(StringBytesAt(encoded, position));

    /// <summary>The metadata of an entry whose encoding from the metadata count on is <paramref name="tail"/>.</summary>
    public static KeyValuePair<string, string>[] ReadMetadata(ReadOnlySpan<byte> tail)
    {
        var reader = new BinarySpanReader(tail);
        var count = checked((int)reader.ReadUVarint());
        if (count == 0)
        {
            return [];
        }
        var metadata = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            metadata[i] = new(name, reader.ReadString());
        }
        return metadata;
    }

    /// <summary>The value of the first metadata item named <paramref name="name"/> (ASCII, any case), decoding no other.</summary>
    public static string? FindMetadataValue(ReadOnlySpan<byte> tail, string name)
    {
        var reader = new BinarySpanReader(tail);
        var count = reader.ReadUVarint();
        for (ulong i = 0; i < count; i++)
        {
            var itemName = reader.ReadBytes(checked((int)reader.ReadUVarint()));
            var value = reader.ReadBytes(checked((int)reader.ReadUVarint()));
            if (Ascii.EqualsIgnoreCase(itemName, name))
            {
                return Encoding.UTF8.GetString(value);
            }
        }
        return null;
    }

    /// <summary>The chunk references of an entry whose encoding from the metadata count on is <paramref name="tail"/>.</summary>
    public static BlobLocation[] ReadChunks(ReadOnlySpan<byte> tail)
    {
        var reader = new BinarySpanReader(tail);
        SkipMetadata(ref reader);
        var count = checked((int)reader.ReadUVarint());
        if (count == 0)
        {
            return [];
        }
        var chunks = new BlobLocation[count];
        for (var i = 0; i < count; i++)
        {
            var id = BlobId.Read(reader.ReadBytes(BlobId.Size));
            var pack = PackId.Read(reader.ReadBytes(PackId.Size));
            var offset = (long)reader.ReadUVarint();
            var stored = (int)reader.ReadUVarint();
            var raw = (int)reader.ReadUVarint();
            chunks[i] = new BlobLocation(id, pack, offset, stored, raw, (BlobCompression)reader.ReadByte());
        }
        return chunks;
    }

    /// <summary>The key's UTF-8 bytes in an entry's encoding.</summary>
    public static ReadOnlySpan<byte> KeyBytes(ReadOnlySpan<byte> encodedEntry) => StringBytesAt(encodedEntry, 0);

    private static void SkipString(ref BinarySpanReader reader) => reader.ReadBytes(checked((int)reader.ReadUVarint()));

    private static void SkipMetadata(ref BinarySpanReader reader)
    {
        var count = reader.ReadUVarint();
        for (ulong i = 0; i < count; i++)
        {
            SkipString(ref reader);
            SkipString(ref reader);
        }
    }

    /// <summary>
    /// Content-defined segment boundaries: cutting where a key's hash has 12 low zero bits (after a
    /// minimum) makes unchanged key ranges encode to identical segments in every point, so they dedupe.
    /// </summary>
    public static bool IsBoundary(ReadOnlySpan<byte> keyUtf8, int entriesInSegment, int segmentBytes)
    {
        if (entriesInSegment >= 16384 || segmentBytes >= 4 << 20)
        {
            return true;
        }
        if (entriesInSegment < 256)
        {
            return false;
        }
        ulong hash = 14695981039346656037;
        foreach (var b in keyUtf8)
        {
            hash = (hash ^ b) * 1099511628211;
        }
        return (hash & 0xFFF) == 0;
    }
}
