using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Records scattered into partitions in one scratch file: each partition fills a small buffer that is written as a
/// chunk when full, so any number of partitions costs one file and a bounded amount of memory. Each chunk begins with
/// where the partition's chunk before it is, so memory holds only the last one per partition, however much is written,
/// and a partition reads back by following those links from its end.
/// </summary>
internal sealed class PartitionSpill : IDisposable
{
    /// <summary>A chunk's header: the offset (-1 for none) and length, header included, of the partition's chunk before it.</summary>
    private const int HeaderSize = sizeof(long) + sizeof(int);

    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly byte[]?[] _buffers;
    private readonly int[] _filled;
    private readonly long[] _lastChunk;
    private readonly int[] _lastChunkLength;
    private readonly long[] _lengths;
    private readonly int _bufferSize;
    private long _end;

    public PartitionSpill(string folder, string name, int partitions, int bufferSize)
    {
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, name);
        _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        _buffers = new byte[]?[partitions];
        _filled = new int[partitions];
        _lastChunk = new long[partitions];
        Array.Fill(_lastChunk, -1);
        _lastChunkLength = new int[partitions];
        _lengths = new long[partitions];
        _bufferSize = bufferSize;
    }

    public int Partitions => _buffers.Length;

    public long BytesWritten => _end;

    /// <summary>Bytes of records in partition <paramref name="partition"/>, written or still buffered.</summary>
    public long LengthOf(int partition) => _lengths[partition];

    /// <summary>Space for a record of <paramref name="length"/> bytes at the end of a partition; a record never spans two chunks.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public Span<byte> Append(int partition, int length)
    {
        var buffer = _buffers[partition] ??= new byte[HeaderSize + Math.Max(_bufferSize, length)];
        if (HeaderSize + _filled[partition] + length > buffer.Length)
        {
            Flush(partition);
            if (HeaderSize + length > buffer.Length)
            {
                buffer = _buffers[partition] = new byte[HeaderSize + length];
            }
        }
        var start = HeaderSize + _filled[partition];
        _filled[partition] += length;
        _lengths[partition] += length;
        return buffer.AsSpan(start, length);
    }

    private void Flush(int partition)
    {
        if (_filled[partition] == 0)
        {
            return;
        }
        var chunk = _buffers[partition].AsSpan(0, HeaderSize + _filled[partition]);
        BinaryPrimitives.WriteInt64LittleEndian(chunk, _lastChunk[partition]);
        BinaryPrimitives.WriteInt32LittleEndian(chunk[sizeof(long)..], _lastChunkLength[partition]);
        RandomAccess.Write(_file, chunk, _end);
        _lastChunk[partition] = _end;
        _lastChunkLength[partition] = chunk.Length;
        _end += chunk.Length;
        _filled[partition] = 0;
    }

    /// <summary>
    /// Reads partition <paramref name="partition"/> whole into <paramref name="into"/> from <paramref name="at"/> on (growing it,
    /// keeping what is before <paramref name="at"/>) and returns its length. It is filled from its end: the buffered tail,
    /// then each chunk, latest first. Safe from several threads for different partitions once nothing is appended any more.
    /// </summary>
    public int Read(int partition, ref byte[] into, int at = 0)
    {
        var total = checked((int)_lengths[partition]);
        if (into.Length < at + total)
        {
            Array.Resize(ref into, Math.Max(at + total, into.Length * 2));
        }
        var position = at + total;
        var tail = _filled[partition];
        if (tail > 0)
        {
            position -= tail;
            _buffers[partition].AsSpan(HeaderSize, tail).CopyTo(into.AsSpan(position));
        }
        var chunk = Array.Empty<byte>();
        for (var (offset, length) = (_lastChunk[partition], _lastChunkLength[partition]); offset >= 0;)
        {
            if (chunk.Length < length)
            {
                chunk = new byte[Math.Max(length, HeaderSize + _bufferSize)];
            }
            ReadExactly(chunk.AsSpan(0, length), offset);
            position -= length - HeaderSize;
            chunk.AsSpan(HeaderSize, length - HeaderSize).CopyTo(into.AsSpan(position));
            (offset, length) = (BinaryPrimitives.ReadInt64LittleEndian(chunk), BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(sizeof(long))));
        }
        if (position != at)
        {
            throw new IOException($"The scratch file {_path} does not hold partition {partition} whole.");
        }
        return total;
    }

    public delegate void ChunkReader(ReadOnlySpan<byte> records);

    /// <summary>
    /// Reads partition <paramref name="partition"/> a chunk at a time, in the order it was appended: for a partition too
    /// large to read whole. Records never span chunks.
    /// </summary>
    public void ReadChunks(int partition, ChunkReader read)
    {
        var chunks = new List<(long Offset, int Length)>();
        Span<byte> header = stackalloc byte[HeaderSize];
        for (var (offset, length) = (_lastChunk[partition], _lastChunkLength[partition]); offset >= 0;)
        {
            chunks.Add((offset, length));
            ReadExactly(header, offset);
            (offset, length) = (BinaryPrimitives.ReadInt64LittleEndian(header), BinaryPrimitives.ReadInt32LittleEndian(header[sizeof(long)..]));
        }
        var buffer = Array.Empty<byte>();
        for (var i = chunks.Count - 1; i >= 0; i--)
        {
            var (offset, length) = chunks[i];
            if (buffer.Length < length)
            {
                buffer = new byte[Math.Max(length, HeaderSize + _bufferSize)];
            }
            ReadExactly(buffer.AsSpan(0, length), offset);
            read(buffer.AsSpan(HeaderSize, length - HeaderSize));
        }
        if (_filled[partition] > 0)
        {
            read(_buffers[partition].AsSpan(HeaderSize, _filled[partition]));
        }
    }

    private void ReadExactly(Span<byte> destination, long offset)
    {
        if (FileReads.ReadFully(_file, destination, offset) < destination.Length)
        {
            throw new IOException($"The scratch file {_path} ended early.");
        }
    }

    /// <summary>Frees a partition's buffer once it has been read for the last time.</summary>
    public void Release(int partition) => _buffers[partition] = null;

    public void Dispose() => _file.Dispose();
}
