using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// The layout of a sort run file (private scratch, lives for one sort, never read by another process):
/// <code>
/// run     := block*                                     (end of file ends the run)
/// block   := payloadLength u32 LE | recordCount u32 LE | payload
/// payload := (recordLength uvarint | record)*           recordCount times, in sort-key order
/// </code>
/// A record is what the codec wrote. The length prefix lets a merge walk records and compare their keys
/// without decoding them; only records that leave the sort are decoded. Blocks close once their payload
/// reaches the block size, so a reader touches the file about once per block.
/// </summary>
internal static class RunFormat
{
    public const int HeaderSize = 8;

    /// <summary>Refuses absurd headers rather than allocating for them (scratch damaged by something else).</summary>
    public const int MaxPayload = 1 << 30;
}

/// <summary>Appends encoded records to a run file, block by block.</summary>
internal sealed class RunWriter : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly BinaryWriterBuffer _block;
    private readonly byte[] _header = new byte[RunFormat.HeaderSize];
    private readonly ReadOnlyMemory<byte>[] _gather = new ReadOnlyMemory<byte>[2];
    private readonly int _blockSize;
    private int _blockRecords;
    private bool _closed;

    public RunWriter(string path, int blockSize)
    {
        Path = path;
        _blockSize = blockSize;
        _block = new BinaryWriterBuffer(blockSize + blockSize / 4);
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
    }

    public string Path { get; }

    public long Count { get; private set; }

    /// <summary>Bytes written to the file so far (not counting the block being filled).</summary>
    public long Length { get; private set; }

    /// <summary>The sort key of the first record, once set by the writer's owner.</summary>
    public byte[]? FirstKey { get; set; }

    /// <summary>The sort key of the last record, kept up to date by the writer's owner.</summary>
    public byte[]? LastKey { get; set; }

    /// <summary>Appends the record; true when the block is full and <see cref="FlushAsync"/> is due.</summary>
    public bool Add(ReadOnlySpan<byte> record)
    {
        _block.WriteUVarint((ulong)record.Length);
        _block.WriteBytes(record);
        _blockRecords++;
        Count++;
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
        await RandomAccess.WriteAsync(_handle, _gather, Length, cancellationToken);
        Length += RunFormat.HeaderSize + _block.Length;
        _gather[1] = default;
        _block.Clear();
        _blockRecords = 0;
    }

    /// <summary>Flushes the last block and closes the file; the result can be opened for reading.</summary>
    public async ValueTask<FileRun> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        Dispose();
        return new FileRun(Path, FirstKey, LastKey, Count);
    }

    public void Dispose()
    {
        if (!_closed)
        {
            _closed = true;
            _handle.Dispose();
        }
    }
}

/// <summary>
/// Walks the records of a run file, reading it a buffer at a time. The buffer (twice the block size, so on
/// the large object heap at the default size) is rented and given back on disposal: a sort opens a reader
/// per run and per intermediate merge input, hundreds over 100M rows, and buffers allocated for each stay
/// as garbage until a full collection.
/// </summary>
internal sealed class FileRecordReader : IRecordReader
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly KeyLocator _locateKey;
    private readonly ArrayPool<byte> _pool;
    private byte[]? _rented;
    private byte[] _bytes;
    private int _start;
    private int _end;
    private long _fileOffset;
    private int _position;
    private int _blockEnd;
    private int _remaining;
    private int _recordOffset;
    private int _recordLength;
    private int _keyOffset;
    private int _keyLength;

    public FileRecordReader(string path, KeyLocator locateKey, ArrayPool<byte> readBuffers, int blockSize)
    {
        _path = path;
        _locateKey = locateKey;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
        _pool = readBuffers;
        _rented = readBuffers.Rent(2 * blockSize);
        _bytes = _rented;
    }

    public ulong Prefix { get; private set; }

    public ReadOnlySpan<byte> Record => _bytes.AsSpan(_recordOffset, _recordLength);

    public ReadOnlySpan<byte> Key => _bytes.AsSpan(_keyOffset, _keyLength);

    public bool MoveNext()
    {
        if (_remaining == 0)
        {
            if (_position != _blockEnd)
            {
                throw Damaged("has a block with more bytes than its records");
            }
            return false;
        }
        _remaining--;
        var bytes = _bytes;
        var position = _position;
        ulong length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= _blockEnd || shift > 28)
            {
                throw Damaged("has a malformed record length");
            }
            var b = bytes[position++];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }
        if (length > (ulong)(_blockEnd - position))
        {
            throw Damaged("has a record longer than its block");
        }
        _recordOffset = position;
        _recordLength = (int)length;
        _position = position + (int)length;
        var (offset, keyLength) = _locateKey(bytes.AsSpan(position, (int)length));
        _keyOffset = position + offset;
        _keyLength = keyLength;
        Prefix = SortKeys.Prefix(bytes.AsSpan(_keyOffset, keyLength));
        return true;
    }

    public async ValueTask<bool> LoadAsync(CancellationToken cancellationToken)
    {
        // the previous block, if any, has been walked to its end
        _start = _blockEnd;
        if (!await EnsureAsync(RunFormat.HeaderSize, cancellationToken))
        {
            return _end == _start ? false : throw Damaged("is truncated");
        }
        var payload = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(_start));
        var count = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(_start + 4));
        if (payload > RunFormat.MaxPayload || count == 0 || count > payload)
        {
            throw Damaged("has a damaged block header");
        }
        if (!await EnsureAsync(RunFormat.HeaderSize + (int)payload, cancellationToken))
        {
            throw Damaged("is truncated");
        }
        _position = _start + RunFormat.HeaderSize;
        _blockEnd = _position + (int)payload;
        _remaining = (int)count;
        return MoveNext();
    }

    public void Dispose()
    {
        _handle.Dispose();
        // the rented buffer goes back even when a record too large for it made the reader move to a bigger one
        if (_rented is not null)
        {
            _pool.Return(_rented);
            _rented = null;
            _bytes = [];
        }
    }

    /// <summary>Makes at least <paramref name="needed"/> unread bytes available from <c>_start</c>; false at end of file.</summary>
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

    private InvalidDataException Damaged(string what) => new($"Sort run file '{_path}' {what}.");
}
