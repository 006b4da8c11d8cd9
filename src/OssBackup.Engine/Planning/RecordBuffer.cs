namespace OssBackup.Engine.Planning;

/// <summary>Where one buffered record lies, with its key's prefix for fast comparison (32 bytes).</summary>
internal struct BufferEntry
{
    public ulong Prefix;
    public int Chunk;
    public int Offset;
    public int Length;
    public int KeyOffset;
    public int KeyLength;
}

/// <summary>
/// The in-memory part of an external sort: encoded records packed into 1 MiB chunks (arrays the garbage
/// collector never has to scan) and an array of entries that is sorted instead of the records.
/// Notes on the way in whether the records arrived in order, so that ordered input is never sorted.
/// </summary>
internal sealed class RecordBuffer
{
    public const int EntrySize = 32;
    private const int ChunkSize = 1 << 20;

    private byte[][] _chunks = [];
    private int _chunkCount;
    private int _chunk = -1;
    private int _used;
    private BufferEntry[] _entries = [];

    public int Count { get; private set; }

    /// <summary>Encoded bytes plus entries: what the buffer holds, give or take the unused end of a chunk.</summary>
    public long Bytes { get; private set; }

    public bool IsSorted { get; private set; } = true;

    public void Add(ReadOnlySpan<byte> record, int keyOffset, int keyLength, int maxRecords)
    {
        if (_chunk < 0 || record.Length > _chunks[_chunk].Length - _used)
        {
            NextChunk(record.Length);
        }
        var chunk = _chunks[_chunk];
        record.CopyTo(chunk.AsSpan(_used));
        var key = chunk.AsSpan(_used + keyOffset, keyLength);
        var entry = new BufferEntry
        {
            Prefix = SortKeys.Prefix(key),
            Chunk = _chunk,
            Offset = _used,
            Length = record.Length,
            KeyOffset = _used + keyOffset,
            KeyLength = keyLength,
        };
        _used += record.Length;

        var count = Count;
        if (count == _entries.Length)
        {
            Array.Resize(ref _entries, (int)Math.Min(maxRecords, Math.Max(1024L, 2L * count)));
        }
        if (IsSorted && count > 0)
        {
            ref var previous = ref _entries[count - 1];
            IsSorted = SortKeys.Compare(previous.Prefix, Key(previous), entry.Prefix, key) <= 0;
        }
        _entries[count] = entry;
        Count = count + 1;
        Bytes += record.Length + EntrySize;
    }

    public void Sort()
    {
        if (!IsSorted)
        {
            _entries.AsSpan(0, Count).Sort(new EntryComparer(_chunks));
            IsSorted = true;
        }
    }

    public ref readonly BufferEntry Entry(int index) => ref _entries[index];

    public ReadOnlySpan<byte> Record(in BufferEntry entry) => _chunks[entry.Chunk].AsSpan(entry.Offset, entry.Length);

    public ReadOnlySpan<byte> Key(in BufferEntry entry) => _chunks[entry.Chunk].AsSpan(entry.KeyOffset, entry.KeyLength);

    /// <summary>Forgets the records; keeps the chunks and the entry array for the next buffer.</summary>
    public void Clear()
    {
        Count = 0;
        Bytes = 0;
        _chunk = -1;
        _used = 0;
        IsSorted = true;
    }

    /// <summary>Hands the records over to a run that merges them from memory; the buffer starts afresh.</summary>
    public MemoryRun TakeAsRun()
    {
        Sort();
        var run = new MemoryRun(_chunks, _entries, Count);
        _chunks = [];
        _chunkCount = 0;
        _entries = [];
        Clear();
        return run;
    }

    private void NextChunk(int needed)
    {
        _chunk++;
        _used = 0;
        if (_chunk < _chunkCount && _chunks[_chunk].Length >= needed)
        {
            return;
        }
        if (_chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, Math.Max(8, _chunks.Length * 2));
        }
        // a record bigger than a chunk gets one of its own size
        _chunks[_chunk] = new byte[Math.Max(ChunkSize, needed)];
        _chunkCount = Math.Max(_chunkCount, _chunk + 1);
    }

    private readonly struct EntryComparer(byte[][] chunks) : IComparer<BufferEntry>
    {
        public int Compare(BufferEntry x, BufferEntry y) =>
            x.Prefix != y.Prefix
                ? (x.Prefix < y.Prefix ? -1 : 1)
                : chunks[x.Chunk].AsSpan(x.KeyOffset, x.KeyLength).SequenceCompareTo(chunks[y.Chunk].AsSpan(y.KeyOffset, y.KeyLength));
    }
}
