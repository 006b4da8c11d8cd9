using Microsoft.Win32.SafeHandles;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Records scattered into partitions in one scratch file: each partition fills a small buffer that is
/// written as a chunk when full, so any number of partitions costs one file and a bounded amount of memory,
/// and a partition reads back as its chunks in the order they were added.
/// </summary>
internal sealed class PartitionSpill : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly byte[]?[] _buffers;
    private readonly int[] _filled;
    private readonly List<(long Offset, int Length)>[] _chunks;
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
        _chunks = Enumerable.Range(0, partitions).Select(_ => new List<(long, int)>()).ToArray();
        _lengths = new long[partitions];
        _bufferSize = bufferSize;
    }

    public int Partitions => _buffers.Length;

    public long BytesWritten => _end;

    /// <summary>Bytes in partition <paramref name="partition"/>, written or still buffered.</summary>
    public long LengthOf(int partition) => _lengths[partition];

    /// <summary>Space for a record of <paramref name="length"/> bytes at the end of a partition; a record never spans two chunks.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public Span<byte> Append(int partition, int length)
    {
        var buffer = _buffers[partition] ??= new byte[Math.Max(_bufferSize, length)];
        if (_filled[partition] + length > buffer.Length)
        {
            Flush(partition);
            if (length > buffer.Length)
            {
                buffer = _buffers[partition] = new byte[length];
            }
        }
        var start = _filled[partition];
        _filled[partition] = start + length;
        _lengths[partition] += length;
        return buffer.AsSpan(start, length);
    }

    private void Flush(int partition)
    {
        var length = _filled[partition];
        if (length == 0)
        {
            return;
        }
        RandomAccess.Write(_file, _buffers[partition].AsSpan(0, length), _end);
        _chunks[partition].Add((_end, length));
        _end += length;
        _filled[partition] = 0;
    }

    /// <summary>
    /// Reads partition <paramref name="partition"/> whole into <paramref name="into"/> from <paramref name="at"/> on (growing it,
    /// keeping what is before <paramref name="at"/>) and returns its length. Safe from several threads for different partitions
    /// once nothing is appended any more.
    /// </summary>
    public int Read(int partition, ref byte[] into, int at = 0)
    {
        var total = checked((int)_lengths[partition]);
        if (into.Length < at + total)
        {
            Array.Resize(ref into, Math.Max(at + total, into.Length * 2));
        }
        var position = at;
        foreach (var (offset, length) in _chunks[partition])
        {
            var read = 0;
            while (read < length)
            {
                var n = RandomAccess.Read(_file, into.AsSpan(position + read, length - read), offset + read);
                if (n == 0)
                {
                    throw new IOException($"The scratch file {_path} ended early.");
                }
                read += n;
            }
            position += length;
        }
        if (_filled[partition] > 0)
        {
            _buffers[partition].AsSpan(0, _filled[partition]).CopyTo(into.AsSpan(position));
        }
        return total;
    }

    public delegate void ChunkReader(ReadOnlySpan<byte> chunk);

    /// <summary>
    /// Reads partition <paramref name="partition"/> a chunk at a time, in the order it was appended: for a partition too
    /// large to read whole. Records never span chunks.
    /// </summary>
    public void ReadChunks(int partition, ChunkReader read)
    {
        var buffer = Array.Empty<byte>();
        foreach (var (offset, length) in _chunks[partition])
        {
            if (buffer.Length < length)
            {
                buffer = new byte[Math.Max(length, _bufferSize)];
            }
            var done = 0;
            while (done < length)
            {
                var n = RandomAccess.Read(_file, buffer.AsSpan(done, length - done), offset + done);
                if (n == 0)
                {
                    throw new IOException($"The scratch file {_path} ended early.");
                }
                done += n;
            }
            read(buffer.AsSpan(0, length));
        }
        if (_filled[partition] > 0)
        {
            read(_buffers[partition].AsSpan(0, _filled[partition]));
        }
    }

    /// <summary>Frees a partition's buffer once it has been read for the last time.</summary>
    public void Release(int partition)
    {
        _buffers[partition] = null;
        _chunks[partition].Clear();
    }

    public void Dispose() => _file.Dispose();
}
