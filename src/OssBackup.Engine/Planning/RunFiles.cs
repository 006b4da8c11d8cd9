using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// The layout of a sort run file (private scratch, lives for one sort, never read by another process):
/// <code>
/// run   := block*                                   (end of file ends the run)
/// block := payloadLength u32 LE | recordCount u32 LE | payload
/// payload := recordCount records back to back, as the codec writes them
/// </code>
/// Records inside a run are in order. Blocks close once their payload reaches the block size, so a
/// reader decodes a whole block in one synchronous pass and touches the file once per buffer refill.
/// </summary>
internal static class RunFormat
{
    public const int HeaderSize = 8;

    /// <summary>Refuses absurd headers rather than allocating for them (scratch damaged by something else).</summary>
    public const int MaxPayload = 1 << 30;
}

/// <summary>Appends records to a run file, block by block.</summary>
internal sealed class RunWriter<T> : IDisposable
{
    private readonly IRecordCodec<T> _codec;
    private readonly SafeFileHandle _handle;
    private readonly BinaryWriterBuffer _block;
    private readonly byte[] _header = new byte[RunFormat.HeaderSize];
    private readonly ReadOnlyMemory<byte>[] _gather = new ReadOnlyMemory<byte>[2];
    private readonly int _blockSize;
    private int _blockRecords;
    private long _position;
    private bool _closed;

    private RunWriter(string path, IRecordCodec<T> codec, int blockSize)
    {
        Path = path;
        _codec = codec;
        _blockSize = blockSize;
        _block = new BinaryWriterBuffer(blockSize + blockSize / 4);
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
    }

    public static RunWriter<T> Create(string path, IRecordCodec<T> codec, int blockSize) => new(path, codec, blockSize);

    public string Path { get; }

    public long Count { get; private set; }

    public T First { get; private set; } = default!;

    public T Last { get; private set; } = default!;

    /// <summary>Bytes written to the file so far.</summary>
    public long Length => _position;

    /// <summary>Encodes the item; true when the block is full and <see cref="FlushAsync"/> is due.</summary>
    public bool Add(T item)
    {
        if (Count == 0)
        {
            First = item;
        }
        Last = item;
        Count++;
        _codec.Write(_block, item);
        _blockRecords++;
        return _block.Length >= _blockSize;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_blockRecords == 0)
        {
            return;
        }
        if (_block.Length > RunFormat.MaxPayload)
        {
            throw new InvalidOperationException("A sort run block grew beyond 1 GiB; a record is too large to sort.");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)_block.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)_blockRecords);
        _gather[0] = _header;
        _gather[1] = _block.WrittenMemory;
        await RandomAccess.WriteAsync(_handle, _gather, _position, cancellationToken);
        _position += RunFormat.HeaderSize + _block.Length;
        _gather[1] = default;
        _block.Clear();
        _blockRecords = 0;
    }

    /// <summary>Flushes the last block and closes the file; the result can be opened for reading.</summary>
    public async ValueTask<FileRun<T>> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        Close();
        return new FileRun<T>(Path, First, Last, Count);
    }

    public void Dispose() => Close();

    private void Close()
    {
        if (!_closed)
        {
            _closed = true;
            _handle.Dispose();
        }
    }
}

/// <summary>Reads a run file back one decoded block at a time.</summary>
internal sealed class FileBlockReader<T> : IBlockReader<T>
{
    private readonly IRecordCodec<T> _codec;
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private byte[] _bytes;
    private int _start;
    private int _end;
    private long _fileOffset;
    private T[] _items = [];

    public FileBlockReader(string path, IRecordCodec<T> codec, int blockSize)
    {
        _path = path;
        _codec = codec;
        _bytes = new byte[2 * blockSize];
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    public T[] Items => _items;

    public async ValueTask<int> ReadBlockAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(RunFormat.HeaderSize, cancellationToken))
        {
            return _end == _start ? 0 : throw Truncated();
        }
        var payload = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(_start));
        var count = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(_start + 4));
        if (payload > RunFormat.MaxPayload || count == 0 || count > payload)
        {
            throw new InvalidDataException($"Sort run file '{_path}' has a damaged block header.");
        }
        if (!await EnsureAsync(RunFormat.HeaderSize + (int)payload, cancellationToken))
        {
            throw Truncated();
        }
        Decode(_bytes.AsSpan(_start + RunFormat.HeaderSize, (int)payload), (int)count);
        _start += RunFormat.HeaderSize + (int)payload;
        return (int)count;
    }

    public void Dispose() => _handle.Dispose();

    private void Decode(ReadOnlySpan<byte> payload, int count)
    {
        if (_items.Length < count)
        {
            _items = new T[count];
        }
        var items = _items;
        var reader = new BinarySpanReader(payload);
        for (var i = 0; i < count; i++)
        {
            items[i] = _codec.Read(ref reader);
        }
        if (!reader.AtEnd)
        {
            throw new InvalidDataException($"Sort run file '{_path}' has a block whose records do not fill it.");
        }
    }

    /// <summary>Makes at least <paramref name="needed"/> unread bytes available; false at end of file.</summary>
    private async ValueTask<bool> EnsureAsync(int needed, CancellationToken cancellationToken)
    {
        if (_end - _start >= needed)
        {
            return true;
        }
        if (_start > 0)
        {
            Buffer.BlockCopy(_bytes, _start, _bytes, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_bytes.Length < needed)
        {
            Array.Resize(ref _bytes, Math.Max(needed, _bytes.Length * 2));
        }
        while (_end < needed)
        {
            var read = await RandomAccess.ReadAsync(_handle, _bytes.AsMemory(_end), _fileOffset, cancellationToken);
            if (read == 0)
            {
                return false;
            }
            _fileOffset += read;
            _end += read;
        }
        return true;
    }

    private InvalidDataException Truncated() => new($"Sort run file '{_path}' is truncated.");
}
