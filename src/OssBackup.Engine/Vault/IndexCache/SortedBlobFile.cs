using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;

namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// One immutable file of the index cache: a 64-byte header, then records sorted by blob id with no id twice.
/// Lookups read the memory-mapped file, so the records live in the operating system's page cache, not on the
/// managed heap, and a cold file costs page faults rather than a load.
/// </summary>
internal sealed class SortedBlobFile : IDisposable
{
    public const int HeaderSize = 64;
    private static ReadOnlySpan<byte> Magic => "OSBKIXC1"u8;
    public const int VaultFingerprintSize = 16;
    private const int VaultAt = 8;
    private const int VaultSize = VaultFingerprintSize;
    private const int CountAt = VaultAt + VaultSize;

    /// <summary>Below this many records a search steps linearly; interpolating further gains nothing.</summary>
    private const long LinearSpan = 8;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;

    private SortedBlobFile(string path, long count, MemoryMappedFile? map, MemoryMappedViewAccessor? view)
    {
        Path = path;
        Count = count;
        _map = map;
        _view = view;
    }

    public string Path { get; }

    public long Count { get; }

    /// <summary>
    /// Opens a file and checks what can be checked without reading it all: the magic, the vault it was built for,
    /// and that its length matches its record count (a truncated file fails here).
    /// </summary>
    public static SortedBlobFile Open(string path, string vaultId)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        Span<byte> header = stackalloc byte[HeaderSize];
        file.ReadExactly(header);
        var count = ReadHeader(header, vaultId, path);
        if (file.Length != HeaderSize + count * IndexCacheRecord.Size)
        {
            throw new InvalidDataException($"Index cache file '{path}' is {file.Length} bytes long, but its header says {count} records.");
        }
        if (count == 0)
        {
            return new SortedBlobFile(path, 0, null, null);
        }
        // The view outlives the file handle closed on return (the mapping keeps the file), and stays valid when a
        // later merge by another backup deletes the file.
        var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        try
        {
            return new SortedBlobFile(path, count, map, map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read));
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    public static void WriteHeader(Span<byte> header, string vaultId, long count)
    {
        header.Clear();
        Magic.CopyTo(header);
        VaultFingerprint(vaultId).CopyTo(header[VaultAt..]);
        BinaryPrimitives.WriteInt64LittleEndian(header[CountAt..], count);
    }

    /// <summary>Checks a header and returns its record count.</summary>
    public static long ReadHeader(ReadOnlySpan<byte> header, string vaultId, string path)
    {
        if (!header[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"Index cache file '{path}' has an unknown format.");
        }
        if (!header.Slice(VaultAt, VaultSize).SequenceEqual(VaultFingerprint(vaultId)))
        {
            throw new InvalidDataException($"Index cache file '{path}' was built for another vault.");
        }
        var count = BinaryPrimitives.ReadInt64LittleEndian(header[CountAt..]);
        if (count < 0)
        {
            throw new InvalidDataException($"Index cache file '{path}' has a negative record count.");
        }
        return count;
    }

    /// <summary>
    /// Looks an id up. Returns Found, NotFound, or Damaged when the record that matched failed its check (the caller
    /// treats that as a miss, which at worst stores the blob again, and has the cache rebuilt).
    /// </summary>
    public LookupResult TryFind(BlobId id, out BlobLocation location)
    {
        location = default;
        if (Count == 0)
        {
            return LookupResult.NotFound;
        }
        Span<byte> wanted = stackalloc byte[BlobId.Size];
        id.Write(wanted);
        var wantedPrefix = BinaryPrimitives.ReadUInt64BigEndian(wanted);
        Span<byte> record = stackalloc byte[IndexCacheRecord.Size];

        // Interpolation search on the first 8 bytes: SHA-256 ids are uniform, so the first guess lands within a few
        // hundred records of the target even among 100M. A step that fails to halve the range is followed by a
        // bisection, so a skewed file still costs O(log n) probes.
        long low = 0, high = Count - 1;
        ulong lowPrefix = 0, highPrefix = ulong.MaxValue;
        var bisectNext = false;
        while (high - low >= LinearSpan)
        {
            long probe;
            if (bisectNext || highPrefix <= lowPrefix)
            {
                probe = low + (high - low) / 2;
            }
            else
            {
                var fraction = (double)(wantedPrefix - Math.Min(wantedPrefix, lowPrefix)) / (highPrefix - lowPrefix);
                probe = low + (long)(fraction * (high - low));
                probe = Math.Clamp(probe, low, high);
            }
            ReadRecord(probe, record);
            var order = IndexCacheRecord.CompareIds(record, wanted);
            if (order == 0)
            {
                return Decode(record, out location);
            }
            var before = high - low;
            if (order < 0)
            {
                low = probe + 1;
                lowPrefix = IndexCacheRecord.Prefix(record);
            }
            else
            {
                high = probe - 1;
                highPrefix = IndexCacheRecord.Prefix(record);
            }
            bisectNext = !bisectNext && high - low > before / 2;
        }
        for (var position = low; position <= high; position++)
        {
            ReadRecord(position, record);
            var order = IndexCacheRecord.CompareIds(record, wanted);
            if (order == 0)
            {
                return Decode(record, out location);
            }
            if (order > 0)
            {
                break;
            }
        }
        return LookupResult.NotFound;
    }

    public void Dispose()
    {
        _view?.Dispose();
        _map?.Dispose();
    }

    private void ReadRecord(long position, Span<byte> record) =>
        _view!.SafeMemoryMappedViewHandle.ReadSpan((ulong)(HeaderSize + position * IndexCacheRecord.Size), record);

    private static LookupResult Decode(ReadOnlySpan<byte> record, out BlobLocation location) =>
        IndexCacheRecord.TryRead(record, out location) ? LookupResult.Found : LookupResult.Damaged;

    /// <summary>16 bytes standing for the vault id, whatever its length: enough to refuse another vault's file.</summary>
    public static byte[] VaultFingerprint(string vaultId) => SHA256.HashData(Encoding.UTF8.GetBytes(vaultId))[..VaultSize];
}

internal enum LookupResult
{
    NotFound,
    Found,
    Damaged,
}
