using System.Text;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Vault;

/// <summary>The byte layout of an object-table segment (docs/vault-format.md, "Object table").</summary>
internal static class TableSegmentCodec
{
    public static ReadOnlySpan<byte> Magic => "OBT1"u8;

    public static void WriteEntry(BinaryWriterBuffer buffer, ObjectEntry entry)
    {
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
        ReadEntries(plaintext, FirstEntry(plaintext, segment), int.MaxValue, new Utf8StringCache(), entries);
        return entries;
    }

    /// <summary>Where the first entry of a segment starts, once the format is checked.</summary>
    public static int FirstEntry(ReadOnlySpan<byte> plaintext, BlobId segment) =>
        plaintext.Length >= Magic.Length && plaintext[..Magic.Length].SequenceEqual(Magic)
            ? Magic.Length
            : throw new InvalidDataException($"Object table segment {segment} has an unknown format.");

    /// <summary>
    /// Appends up to <paramref name="maxEntries"/> entries that start at <paramref name="position"/> and returns
    /// where the next one starts (the plaintext's length after the last). Strings that repeat from entry to
    /// entry are shared through <paramref name="strings"/>.
    /// </summary>
    public static int ReadEntries(ReadOnlySpan<byte> plaintext, int position, int maxEntries, Utf8StringCache strings, List<ObjectEntry> entries)
    {
        var reader = new BinarySpanReader(plaintext[position..]);
        for (var n = 0; n < maxEntries && !reader.AtEnd; n++)
        {
            var key = reader.ReadString();
            var size = (long)reader.ReadUVarint();
            var modified = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadVarint());
            var etag = reader.ReadString();
            var storageClass = strings.Get(reader.ReadBytes(checked((int)reader.ReadUVarint())));
            var metadataCount = (int)reader.ReadUVarint();
            var metadata = metadataCount == 0 ? [] : new KeyValuePair<string, string>[metadataCount];
            for (var i = 0; i < metadataCount; i++)
            {
                var name = strings.Get(reader.ReadBytes(checked((int)reader.ReadUVarint())));
                metadata[i] = new(name, strings.Get(reader.ReadBytes(checked((int)reader.ReadUVarint()))));
            }
            var chunkCount = (int)reader.ReadUVarint();
            var chunks = chunkCount == 0 ? [] : new BlobLocation[chunkCount];
            for (var i = 0; i < chunkCount; i++)
            {
                var id = BlobId.Read(reader.ReadBytes(BlobId.Size));
                var pack = PackId.Read(reader.ReadBytes(PackId.Size));
                var offset = (long)reader.ReadUVarint();
                var stored = (int)reader.ReadUVarint();
                var raw = (int)reader.ReadUVarint();
                chunks[i] = new BlobLocation(id, pack, offset, stored, raw, (BlobCompression)reader.ReadByte());
            }
            entries.Add(new ObjectEntry(key, size, etag, modified, storageClass, metadata, chunks));
        }
        return position + reader.Position;
    }

    /// <summary>
    /// Content-defined segment boundaries: cutting where a key's hash has 12 low zero bits (after a
    /// minimum) makes unchanged key ranges encode to identical segments in every point, so they dedupe.
    /// </summary>
    public static bool IsBoundary(string key, int entriesInSegment, int segmentBytes)
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
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = (hash ^ b) * 1099511628211;
        }
        return (hash & 0xFFF) == 0;
    }
}
