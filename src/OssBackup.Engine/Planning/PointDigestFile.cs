using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// A backup point's object digests (<see cref="ObjectDigest"/>), one per table entry in table order: the local,
/// derived index an incremental inventory backup plans against instead of decoding the whole table. 24 bytes
/// per object, no compression, so reading it costs little more than the disk read.
/// </summary>
/// <remarks>
/// Layout: a 64-byte header (the magic <c>OSSBDIG1</c>; the hash seed, the record count and the XxHash64 of the
/// records, each 8 bytes little-endian; the point's id as a length byte and up to 31 ASCII bytes), then the
/// records. It lives on this machine (<see cref="OssBackupHome.DigestCacheRoot"/>), never in the vault: it can
/// always be rebuilt from the point's table, and a file that is missing, torn or of another point is rebuilt.
/// </remarks>
internal sealed class PointDigestFile
{
    public delegate void RecordBlock(ReadOnlySpan<byte> records);

    public const int HeaderSize = 64;
    private const int MaxIdLength = 31;
    private static readonly byte[] Magic = "OSSBDIG1"u8.ToArray();

    private PointDigestFile(string path, string pointId, long seed, long count, ulong checksum)
    {
        Path = path;
        PointId = pointId;
        Seed = seed;
        Count = count;
        Checksum = checksum;
    }

    public string Path { get; }
    public string PointId { get; }
    public long Seed { get; }
    public long Count { get; }
    private ulong Checksum { get; }

    /// <summary>Where the digest of a point of a vault is kept on this machine.</summary>
    public static string PathFor(string cacheRoot, string vaultId, string pointId) =>
        System.IO.Path.Combine(cacheRoot, vaultId, pointId + ".digest");

    public static long NewSeed() => BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// Opens the digest of <paramref name="pointId"/>, or returns null when there is none or its header does not describe
    /// a whole digest of that point with <paramref name="expectedCount"/> objects. The records' checksum is checked as
    /// they are read (<see cref="ReadAll"/>), not here: planning reads them once.
    /// </summary>
    public static PointDigestFile? TryOpen(string path, string pointId, long expectedCount)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        long length;
        using (var handle = File.OpenHandle(path))
        {
            length = RandomAccess.GetLength(handle);
            if (length < HeaderSize || FileReads.ReadFully(handle, header, 0) != HeaderSize)
            {
                return null;
            }
        }
        if (!header[..8].SequenceEqual(Magic))
        {
            return null;
        }
        var seed = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var checksum = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        var idLength = header[32];
        if (idLength > MaxIdLength || Encoding.ASCII.GetString(header.Slice(33, idLength)) != pointId
            || count != expectedCount || length != HeaderSize + (count * ObjectDigest.Size))
        {
            return null;
        }
        return new PointDigestFile(path, pointId, seed, count, checksum);
    }

    /// <summary>
    /// Reads every record in table order, in blocks; throws <see cref="DamagedDigestException"/> after the last
    /// block if the records are not the ones written (before anyone may rely on a plan made from them).
    /// </summary>
    public void ReadAll(RecordBlock block)
    {
        var buffer = new byte[ObjectDigest.Size * 8192];
        var hash = new XxHash64();
        using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long offset = HeaderSize;
        var end = HeaderSize + (Count * ObjectDigest.Size);
        while (offset < end)
        {
            var read = (int)Math.Min(buffer.Length, end - offset);
            if (FileReads.ReadFully(handle, buffer.AsSpan(0, read), offset) < read)
            {
                throw Damaged("it is shorter than its header says");
            }
            hash.Append(buffer.AsSpan(0, read));
            block(buffer.AsSpan(0, read));
            offset += read;
        }
        if (hash.GetCurrentHashAsUInt64() != Checksum)
        {
            throw Damaged("its records do not match their checksum");
        }
    }

    private DamagedDigestException Damaged(string why) =>
        new($"The local digest {Path} of backup point {PointId} is damaged: {why}.");

    /// <summary>Writes a point's digests in table order to a temporary file, then puts it in place under the point's id.</summary>
    internal sealed class Writer : IDisposable
    {
        private readonly string _temporaryPath;
        private readonly FileStream _stream;
        private readonly XxHash64 _hash = new();
        private readonly byte[] _block = new byte[ObjectDigest.Size * 4096];
        private int _filled;
        private bool _completed;

        public Writer(string folder, long seed)
        {
            Seed = seed;
            Directory.CreateDirectory(folder);
            _temporaryPath = System.IO.Path.Combine(folder, $"digest-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
            _stream = new FileStream(_temporaryPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            _stream.Write(new byte[HeaderSize]);
        }

        public long Seed { get; }
        public long Count { get; private set; }

        public void Add(in ObjectDigest digest)
        {
            digest.Write(_block.AsSpan(_filled));
            _filled += ObjectDigest.Size;
            Count++;
            if (_filled == _block.Length)
            {
                FlushBlock();
            }
        }

        /// <summary>Finishes the file as the digest of <paramref name="pointId"/> at <paramref name="path"/>, replacing any there.</summary>
        public void Complete(string pointId, string path)
        {
            if (pointId.Length > MaxIdLength || !Ascii.IsValid(pointId))
            {
                throw new ArgumentException($"A point id for a digest is at most {MaxIdLength} ASCII characters: '{pointId}'.", nameof(pointId));
            }
            FlushBlock();
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], Seed);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], Count);
            BinaryPrimitives.WriteUInt64LittleEndian(header[24..], _hash.GetCurrentHashAsUInt64());
            header[32] = (byte)pointId.Length;
            Encoding.ASCII.GetBytes(pointId, header[33..]);
            _stream.Position = 0;
            _stream.Write(header);
            _stream.Dispose();
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            File.Move(_temporaryPath, path, overwrite: true);
            _completed = true;
        }

        private void FlushBlock()
        {
            _hash.Append(_block.AsSpan(0, _filled));
            _stream.Write(_block, 0, _filled);
            _filled = 0;
        }

        public void Dispose()
        {
            _stream.Dispose();
            if (!_completed)
            {
                try
                {
                    File.Delete(_temporaryPath);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}

/// <summary>A point's local digest is not what was written: rebuild it from the point's table.</summary>
internal sealed class DamagedDigestException(string message) : IOException(message);
