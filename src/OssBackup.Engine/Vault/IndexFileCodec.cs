using OssBackup.Engine.Util;
using ZstdSharp;

namespace OssBackup.Engine.Vault;

/// <summary>The byte layout of an index file (docs/vault-format.md, "Index files").</summary>
internal static class IndexFileCodec
{
    public static ReadOnlySpan<byte> Magic => "OSBKIDX1"u8;

    public static byte[] Encode(IEnumerable<SealedPack> packs)
    {
        var buffer = new BinaryWriterBuffer();
        Span<byte> id = stackalloc byte[BlobId.Size];
        var list = packs.ToList();
        buffer.WriteUVarint((ulong)list.Count);
        foreach (var pack in list)
        {
            pack.Id.Write(id);
            buffer.WriteBytes(id[..PackId.Size]);
            buffer.WriteUVarint((ulong)pack.Size);
            buffer.WriteUVarint((ulong)pack.Blobs.Count);
            foreach (var (type, location) in pack.Blobs)
            {
                buffer.WriteByte((byte)type);
                buffer.WriteByte((byte)location.Compression);
                location.Id.Write(id);
                buffer.WriteBytes(id);
                buffer.WriteUVarint((ulong)location.Offset);
                buffer.WriteUVarint((ulong)location.StoredLength);
                buffer.WriteUVarint((ulong)location.RawLength);
            }
        }
        using var compressor = new Compressor(3);
        var body = compressor.Wrap(buffer.WrittenSpan);
        var file = new byte[Magic.Length + 8 + body.Length];
        Magic.CopyTo(file);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(Magic.Length), buffer.Length);
        body.CopyTo(file.AsSpan(Magic.Length + 8));
        return file;
    }

    /// <summary>
    /// The blobs of an index file, decoded as they stream in, so an index file of any size is read in bounded
    /// memory (the index cache reads them this way; <see cref="Decode"/> holds the whole body).
    /// </summary>
    public static IEnumerable<BlobLocation> ReadBlobs(Stream file, string name)
    {
        Span<byte> header = stackalloc byte[Magic.Length + 8];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"Index file '{name}' has an unknown format.");
        }
        return ReadBody(file, name);
    }

    private static IEnumerable<BlobLocation> ReadBody(Stream file, string name)
    {
        using var decompressed = new DecompressionStream(file, leaveOpen: true);
        using var body = new BinaryReader(new BufferedStream(decompressed, 1 << 16));
        var id = new byte[BlobId.Size];
        var packCount = ReadCount(body, name);
        for (var p = 0L; p < packCount; p++)
        {
            body.BaseStream.ReadExactly(id.AsSpan(0, PackId.Size));
            var pack = PackId.Read(id);
            body.Read7BitEncodedInt64();
            var blobCount = ReadCount(body, name);
            for (var b = 0L; b < blobCount; b++)
            {
                body.ReadByte();
                var compression = (BlobCompression)body.ReadByte();
                body.BaseStream.ReadExactly(id);
                var offset = body.Read7BitEncodedInt64();
                var stored = checked((int)body.Read7BitEncodedInt64());
                var raw = checked((int)body.Read7BitEncodedInt64());
                yield return new BlobLocation(BlobId.Read(id), pack, offset, stored, raw, compression);
            }
        }
    }

    private static long ReadCount(BinaryReader body, string name)
    {
        var count = body.Read7BitEncodedInt64();
        return count >= 0 ? count : throw new InvalidDataException($"Index file '{name}' has a negative count.");
    }

    public static List<(PackId Pack, long Size, List<(BlobType Type, BlobLocation Location)> Blobs)> Decode(ReadOnlySpan<byte> file, string name)
    {
        if (file.Length < Magic.Length + 8 || !file[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"Index file '{name}' has an unknown format.");
        }
        var rawLength = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(file[Magic.Length..]);
        var raw = new byte[rawLength];
        using (var decompressor = new Decompressor())
        {
            decompressor.Unwrap(file[(Magic.Length + 8)..], raw);
        }
        var reader = new BinarySpanReader(raw);
        var packCount = (int)reader.ReadUVarint();
        var result = new List<(PackId, long, List<(BlobType, BlobLocation)>)>(packCount);
        for (var p = 0; p < packCount; p++)
        {
            var pack = PackId.Read(reader.ReadBytes(PackId.Size));
            var size = (long)reader.ReadUVarint();
            var blobCount = (int)reader.ReadUVarint();
            var blobs = new List<(BlobType, BlobLocation)>(blobCount);
            for (var b = 0; b < blobCount; b++)
            {
                var type = (BlobType)reader.ReadByte();
                var compression = (BlobCompression)reader.ReadByte();
                var id = BlobId.Read(reader.ReadBytes(BlobId.Size));
                var offset = (long)reader.ReadUVarint();
                var stored = (int)reader.ReadUVarint();
                var rawSize = (int)reader.ReadUVarint();
                blobs.Add((type, new BlobLocation(id, pack, offset, stored, rawSize, compression)));
            }
            result.Add((pack, size, blobs));
        }
        return result;
    }
}
