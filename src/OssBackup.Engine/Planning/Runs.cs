using System.Buffers;

namespace OssBackup.Engine.Planning;

/// <summary>Finds the sort key in an encoded record (a codec's <see cref="IRecordCodec{T}.LocateSortKey"/>).</summary>
internal delegate (int Offset, int Length) KeyLocator(ReadOnlySpan<byte> record);

/// <summary>
/// Walks the encoded records of a run in order. <see cref="Record"/>, <see cref="Key"/> and
/// <see cref="Prefix"/> describe the current record and stay valid until the next move.
/// </summary>
internal interface IRecordReader : IDisposable
{
    ulong Prefix { get; }

    ReadOnlySpan<byte> Record { get; }

    ReadOnlySpan<byte> Key { get; }

    /// <summary>Moves within what is loaded; false when the loaded block is used up.</summary>
    bool MoveNext();

    /// <summary>Loads the next block and moves to its first record; false at the end of the run.</summary>
    ValueTask<bool> LoadAsync(CancellationToken cancellationToken);
}

/// <summary>Records in order, with the sort keys of the first and last (for chaining runs that do not overlap).</summary>
internal abstract class SortedRun(byte[]? firstKey, byte[]? lastKey, long count)
{
    /// <summary>Null for runs written by an intermediate merge, which are never chained.</summary>
    public byte[]? FirstKey { get; } = firstKey;

    public byte[]? LastKey { get; } = lastKey;

    public long Count { get; } = count;

    /// <summary>A reader of the run; a reader that needs a buffer rents it from <paramref name="readBuffers"/> and returns it when disposed.</summary>
    public abstract IRecordReader Open(KeyLocator locateKey, ArrayPool<byte> readBuffers, int blockSize);

    /// <summary>Frees what the run holds (deletes its file); idempotent.</summary>
    public abstract void Release();
}

internal sealed class FileRun(string path, byte[]? firstKey, byte[]? lastKey, long count) : SortedRun(firstKey, lastKey, count)
{
    public string Path { get; } = path;

    public override IRecordReader Open(KeyLocator locateKey, ArrayPool<byte> readBuffers, int blockSize) => new FileRecordReader(Path, locateKey, readBuffers, blockSize);

    public override void Release() => File.Delete(Path);
}

/// <summary>The last buffer of a sort, merged straight from memory instead of being spilled.</summary>
internal sealed class MemoryRun(byte[][] chunks, BufferEntry[] entries, int count)
    : SortedRun(KeyOf(chunks, entries[0]), KeyOf(chunks, entries[count - 1]), count)
{
    private byte[][]? _chunks = chunks;
    private BufferEntry[]? _entries = entries;

    public override IRecordReader Open(KeyLocator locateKey, ArrayPool<byte> readBuffers, int blockSize) =>
        new Reader(_chunks ?? throw new InvalidOperationException("The run was released."), _entries!, (int)Count);

    public override void Release()
    {
        _chunks = null;
        _entries = null;
    }

    private static byte[] KeyOf(byte[][] chunks, in BufferEntry entry) => chunks[entry.Chunk].AsSpan(entry.KeyOffset, entry.KeyLength).ToArray();

    private sealed class Reader(byte[][] chunks, BufferEntry[] entries, int count) : IRecordReader
    {
        private int _index = -1;
        private bool _loaded;

        public ulong Prefix => entries[_index].Prefix;

        public ReadOnlySpan<byte> Record
        {
            get
            {
                ref readonly var entry = ref entries[_index];
                return chunks[entry.Chunk].AsSpan(entry.Offset, entry.Length);
            }
        }

        public ReadOnlySpan<byte> Key
        {
            get
            {
                ref readonly var entry = ref entries[_index];
                return chunks[entry.Chunk].AsSpan(entry.KeyOffset, entry.KeyLength);
            }
        }

        public bool MoveNext() => _loaded && ++_index < count;

        public ValueTask<bool> LoadAsync(CancellationToken cancellationToken)
        {
            if (_loaded)
            {
                return new(false);
            }
            _loaded = true;
            return new(MoveNext());
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// One input of a merge: runs that do not overlap, read one after another. Each run is released (its
/// file deleted) as soon as it has been read, and every unread one when the chain is disposed.
/// Run readers take their buffers from <paramref name="readBuffers"/>, which the merges of one sort share.
/// </summary>
internal sealed class RunChain(KeyLocator locateKey, ArrayPool<byte> readBuffers, int blockSize) : IDisposable
{
    private readonly List<SortedRun> _runs = [];
    private IRecordReader? _reader;
    private int _next;
    private bool _disposed;

    public long RecordCount { get; private set; }

    public byte[]? LastKey => _runs[^1].LastKey;

    /// <summary>The current record's key prefix, copied here because merges compare it most.</summary>
    public ulong Prefix { get; private set; }

    public ReadOnlySpan<byte> Record => _reader!.Record;

    public ReadOnlySpan<byte> Key => _reader!.Key;

    public void Append(SortedRun run)
    {
        _runs.Add(run);
        RecordCount += run.Count;
    }

    public bool MoveNext()
    {
        if (_reader!.MoveNext())
        {
            Prefix = _reader.Prefix;
            return true;
        }
        return false;
    }

    /// <summary>Loads the next block (of this run or the next ones); false when the chain is exhausted.</summary>
    public async ValueTask<bool> LoadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_reader is null)
            {
                if (_next == _runs.Count)
                {
                    return false;
                }
                _reader = _runs[_next].Open(locateKey, readBuffers, blockSize);
            }
            if (await _reader.LoadAsync(cancellationToken))
            {
                Prefix = _reader.Prefix;
                return true;
            }
            _reader.Dispose();
            _reader = null;
            _runs[_next++].Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _reader?.Dispose();
        _reader = null;
        for (; _next < _runs.Count; _next++)
        {
            _runs[_next].Release();
        }
    }

    public static int Compare(RunChain a, RunChain b) => SortKeys.Compare(a.Prefix, a.Key, b.Prefix, b.Key);
}
