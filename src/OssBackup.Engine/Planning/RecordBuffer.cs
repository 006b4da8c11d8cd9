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
    /// <summary>An entry plus the word and index the sort keeps for it.</summary>
    public const int EntrySize = 32 + sizeof(ulong) + sizeof(int);
    private const int ChunkSize = 1 << 20;

    private byte[][] _chunks = [];
    private int _chunkCount;
    private int _chunk = -1;
    private int _used;
    private BufferEntry[] _entries = [];
    private ulong[] _words = [];
    private int[] _order = [];

    /// <summary>
    /// Groups of equal key words still to be sorted on their next bytes. Kept from sort to sort: it grows to
    /// tens of thousands of groups, hundreds of KiB on the large object heap, and a new one per spill would
    /// leave that much garbage that only a full collection frees (100M rows: 200 spills).
    /// </summary>
    private readonly Stack<(int Start, int Length, int Depth)> _pending = new();

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
            SortByKeyWords();
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

    /// <summary>
    /// Most significant digit first, 7 key bytes at a time: entries are sorted by a word made of the next
    /// 7 key bytes and how many bytes remain (at most 8, meaning "more follow"); each group whose words are
    /// equal and whose keys go on is sorted again on its next 7 bytes. Every comparison is between two
    /// numbers in one array (the primitive sort, no comparer), and each key is read once per level instead
    /// of twice per comparison, which matters because keys in one bucket share long prefixes and a
    /// comparison that reads keys misses the cache twice.
    /// </summary>
    private void SortByKeyWords()
    {
        var count = Count;
        if (_words.Length < count)
        {
            _words = new ulong[_entries.Length];
            _order = new int[_entries.Length];
        }
        var words = _words;
        var order = _order;
        var entries = _entries;
        for (var i = 0; i < count; i++)
        {
            words[i] = KeyWord(Key(entries[i]), 0);
            order[i] = i;
        }
        var pending = _pending;
        pending.Clear();
        pending.Push((0, count, 0));
        while (pending.TryPop(out var range))
        {
            var (start, length, depth) = range;
            if (!AllEqual(words.AsSpan(start, length)))
            {
                Array.Sort(words, order, start, length);
            }
            var end = start + length;
            for (var groupStart = start; groupStart < end;)
            {
                var word = words[groupStart];
                var groupEnd = groupStart + 1;
                while (groupEnd < end && words[groupEnd] == word)
                {
                    groupEnd++;
                }
                // equal words of keys that end here are equal keys: nothing left to order
                if (groupEnd - groupStart > 1 && (word & 0xFF) == MoreFollow)
                {
                    var next = depth + WordBytes;
                    for (var i = groupStart; i < groupEnd; i++)
                    {
                        words[i] = KeyWord(Key(entries[order[i]]), next);
                    }
                    pending.Push((groupStart, groupEnd - groupStart, next));
                }
                groupStart = groupEnd;
            }
        }
        Permute(entries, order, count);
    }

    private const int WordBytes = 7;
    private const ulong MoreFollow = WordBytes + 1;

    /// <summary>
    /// Key bytes [depth, depth + 7) big-endian in the top 56 bits (zero-padded), and in the low byte how many
    /// bytes remain from depth, capped at 8. Equal words whose remainders are below 8 belong to equal keys;
    /// a key that ends inside the word is a prefix of any other key with the same bytes, and its smaller
    /// remainder puts it first, as byte order wants.
    /// </summary>
    internal static ulong KeyWord(ReadOnlySpan<byte> key, int depth)
    {
        var remaining = key.Length - depth;
        ulong word = 0;
        if (remaining >= sizeof(ulong))
        {
            word = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key[depth..]) & ~0xFFUL;
        }
        else
        {
            var take = Math.Min(remaining, WordBytes);
            for (var i = 0; i < take; i++)
            {
                word |= (ulong)key[depth + i] << (56 - 8 * i);
            }
        }
        return word | (uint)Math.Min(remaining, (int)MoreFollow);
    }

    private static bool AllEqual(ReadOnlySpan<ulong> words)
    {
        var first = words[0];
        for (var i = 1; i < words.Length; i++)
        {
            if (words[i] != first)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Puts entries[order[i]] at i for every i, in place, following each cycle of the permutation once.</summary>
    private static void Permute(BufferEntry[] entries, int[] order, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (order[i] < 0)
            {
                continue;
            }
            var held = entries[i];
            var j = i;
            while (true)
            {
                var k = order[j];
                order[j] = -1;
                if (k == i)
                {
                    entries[j] = held;
                    break;
                }
                entries[j] = entries[k];
                j = k;
            }
        }
    }
}
