using System.Buffers.Binary;

namespace OssBackup.Engine.Vault;

/// <summary>The byte layout of a pack's trailer and footer (docs/vault-format.md, "Packs").</summary>
public static class PackFormat
{
    public static ReadOnlySpan<byte> Magic => "OSBKPAK1"u8;
    public const int EntrySize = 1 + 1 + BlobId.Size + 4 + 4;
    public const int FooterSize = 4 + 8;

    public static void WriteEntry(Span<byte> destination, BlobType type, BlobLocation location)
    {
        destination[0] = (byte)type;
        destination[1] = (byte)location.Compression;
        location.Id.Write(destination[2..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[34..], (uint)location.StoredLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[38..], (uint)location.RawLength);
    }

    /// <summary>Reads the blob list of a pack from its trailer; used by vault checks and index rebuilds.</summary>
    public static List<(BlobType Type, BlobLocation Location)> ReadTrailer(PackId pack, ReadOnlySpan<byte> trailerAndFooter)
    {
        var footer = trailerAndFooter[^FooterSize..];
        if (!footer[4..].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"Pack {pack} has no valid footer.");
        }
        var count = (int)BinaryPrimitives.ReadUInt32LittleEndian(footer);
        var trailer = trailerAndFooter[..^FooterSize];
        if (trailer.Length < count * EntrySize)
        {
            throw new InvalidDataException($"Pack {pack} trailer is truncated.");
        }
        trailer = trailer[^(count * EntrySize)..];
        var result = new List<(BlobType, BlobLocation)>(count);
        long offset = 0;
        for (var i = 0; i < count; i++)
        {
            var e = trailer.Slice(i * EntrySize, EntrySize);
            var stored = (int)BinaryPrimitives.ReadUInt32LittleEndian(e[34..]);
            var raw = (int)BinaryPrimitives.ReadUInt32LittleEndian(e[38..]);
            result.Add(((BlobType)e[0], new BlobLocation(BlobId.Read(e[2..]), pack, offset, stored, raw, (BlobCompression)e[1])));
            offset += stored;
        }
        return result;
    }
}
