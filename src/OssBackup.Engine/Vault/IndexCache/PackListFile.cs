using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>The packs one vault index file lists, ascending, as a cache file records them.</summary>
internal sealed record IndexFilePacks(string IndexFile, long Size, PackId[] Packs);

/// <summary>
/// The bookkeeping beside the level files (docs/architecture.md, "The index cache"): lists of pack ids grouped by
/// vault index file. A level's <c>.packs</c> file says which packs its records point into, so that when a prune
/// removes an index file the cache can tell which packs died without reading a single blob again; a
/// <c>dead-*.packs</c> file lists the dead packs whose records a level still holds. Binary and sorted because a vault
/// of 100M blobs has about a million packs. A SHA-256 trailer refuses a damaged file: the dead-pack filter is what
/// keeps a backup from reusing a location in a deleted pack, so a guess is never acceptable.
/// </summary>
internal static class PackListFile
{
    private static ReadOnlySpan<byte> Magic => "OSBKIXP1"u8;
    private const int VaultAt = 8;
    private const int CountAt = VaultAt + SortedBlobFile.VaultFingerprintSize;
    private const int HeaderSize = CountAt + 8;
    private const int TrailerSize = SHA256.HashSizeInBytes;

    public static void Write(string path, string vaultId, IReadOnlyCollection<IndexFilePacks> groups)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Put(ReadOnlySpan<byte> bytes)
                {
                    file.Write(bytes);
                    hash.AppendData(bytes);
                }

                Span<byte> header = stackalloc byte[HeaderSize];
                Magic.CopyTo(header);
                SortedBlobFile.VaultFingerprint(vaultId).CopyTo(header[VaultAt..]);
                BinaryPrimitives.WriteInt64LittleEndian(header[CountAt..], groups.Count);
                Put(header);
                Span<byte> number = stackalloc byte[8];
                Span<byte> pack = stackalloc byte[PackId.Size];
                foreach (var group in groups)
                {
                    var name = Encoding.UTF8.GetBytes(group.IndexFile);
                    BinaryPrimitives.WriteUInt16LittleEndian(number, checked((ushort)name.Length));
                    Put(number[..2]);
                    Put(name);
                    BinaryPrimitives.WriteInt64LittleEndian(number, group.Size);
                    Put(number);
                    BinaryPrimitives.WriteInt32LittleEndian(number, group.Packs.Length);
                    Put(number[..4]);
                    foreach (var id in group.Packs)
                    {
                        id.Write(pack);
                        Put(pack);
                    }
                }
                file.Write(hash.GetHashAndReset());
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            IndexCacheFolder.TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Reads a whole file; throws <see cref="InvalidDataException"/> when it is damaged, truncated or another vault's.</summary>
    public static List<IndexFilePacks> Read(string path, string vaultId)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize + TrailerSize
            || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || !SHA256.HashData(bytes.AsSpan(0, bytes.Length - TrailerSize)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - TrailerSize)))
        {
            throw new InvalidDataException($"Index cache file '{path}' is damaged or of an unknown format.");
        }
        if (!bytes.AsSpan(VaultAt, SortedBlobFile.VaultFingerprintSize).SequenceEqual(SortedBlobFile.VaultFingerprint(vaultId)))
        {
            throw new InvalidDataException($"Index cache file '{path}' was built for another vault.");
        }
        var body = bytes.AsSpan(0, bytes.Length - TrailerSize);
        var count = BinaryPrimitives.ReadInt64LittleEndian(body[CountAt..]);
        var position = HeaderSize;
        var groups = new List<IndexFilePacks>();
        for (var g = 0L; g < count; g++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(Take(body, ref position, 2, path));
            var name = Encoding.UTF8.GetString(Take(body, ref position, nameLength, path));
            var size = BinaryPrimitives.ReadInt64LittleEndian(Take(body, ref position, 8, path));
            var packCount = BinaryPrimitives.ReadInt32LittleEndian(Take(body, ref position, 4, path));
            var packBytes = Take(body, ref position, checked(Math.Max(0, packCount) * PackId.Size), path);
            var packs = new PackId[packCount];
            for (var p = 0; p < packs.Length; p++)
            {
                packs[p] = PackId.Read(packBytes[(p * PackId.Size)..]);
            }
            groups.Add(new IndexFilePacks(name, size, packs));
        }
        if (position != body.Length)
        {
            throw new InvalidDataException($"Index cache file '{path}' has {body.Length - position} bytes after its last list.");
        }
        return groups;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> body, ref int position, int length, string path)
    {
        if (length < 0 || length > body.Length - position)
        {
            throw new InvalidDataException($"Index cache file '{path}' ends inside a list.");
        }
        var taken = body.Slice(position, length);
        position += length;
        return taken;
    }
}
