using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using OssBackup.Engine.Source;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>
/// What a <see cref="DigestJoin"/> found. <see cref="New"/> and <see cref="Changed"/> count objects to read; new or changed
/// objects of a class that cannot be read are <see cref="Skipped"/>. <see cref="Unmatched"/> previous objects are not in
/// the inventory any more (deleted, or now outside the plan's prefix or filter).
/// </summary>
internal sealed record DigestJoinCounts(long Scanned, long ScannedBytes, long Unchanged, long New, long Changed, long Skipped, long Unmatched, long Repeated);

internal sealed record DigestJoinStatistics(int Partitions, long BytesSpilled, TimeSpan ReadAndScatter, TimeSpan Join);

/// <summary>
/// Classifies an inventory against the previous point without sorting it by key or decoding the point's table:
/// both sides become digests (<see cref="ObjectDigest"/>), are scattered by key hash into partitions small enough
/// for memory, and each partition is sorted by hash and joined. An unchanged object costs a few dozen bytes of
/// sequential scratch I/O and no string; only new and changed rows (the delta) are sorted by key, for the
/// key-ordered merge with the table (<see cref="DigestPlanner"/>), which also drops what is gone.
/// </summary>
/// <remarks>
/// Memory is bounded by the partition size, not the object count: the number of partitions grows with the
/// expected rows, and a partition that still comes out too large is split again on further hash bits.
/// </remarks>
internal sealed class DigestJoin : IAsyncDisposable
{
    /// <summary>Rows a partition is meant to hold: with ~130 bytes a row and sort arrays, about 30 MB in memory while joined.</summary>
    internal const long RowsPerPartition = 150_000;

    private const int InventoryHeader = ObjectDigest.Size + sizeof(int);
    private const int PreviousRecord = ObjectDigest.Size + sizeof(long);

    private readonly string _folder;
    private readonly InventoryLane[] _lanes;
    private readonly PartitionSpill _previous;
    private readonly int _shift;
    private readonly long _seed;
    private readonly Func<string, bool>? _accepts;
    private readonly ExternalSorter<SourceObject> _delta;
    private readonly Action<string> _warn;
    private readonly string _description;
    private long _previousCount;
    private bool _deltaHandedOver;

    /// <param name="expectedRows">The most rows either side is expected to have; only sets the partition count.</param>
    /// <param name="accepts">The plan's include/exclude filter, or null when it has none (then keys never become strings).</param>
    public DigestJoin(string scratchFolder, long seed, long expectedRows, int lanes, Func<string, bool>? accepts, ExternalSortOptions deltaSort, string description, Action<string> warn)
    {
        _folder = scratchFolder;
        _seed = seed;
        _accepts = accepts;
        _warn = warn;
        _description = description;
        var partitions = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, expectedRows / RowsPerPartition)), 1, 4096);
        _shift = 64 - BitOperations.Log2((uint)partitions);
        // A chunk per partition buffered at a time: 8 MiB per spill whatever the partition count, 32 KiB chunks at 256.
        var bufferSize = Math.Clamp((8 << 20) / partitions, 4096, 64 << 10);
        _lanes = Enumerable.Range(0, lanes).Select(lane => new InventoryLane(this, new PartitionSpill(scratchFolder, $"inventory-{lane}.parts", partitions, bufferSize))).ToArray();
        _previous = new PartitionSpill(scratchFolder, "previous.parts", partitions, bufferSize);
        _delta = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, Path.Combine(scratchFolder, "delta"), deltaSort);
    }

    public int Partitions => _previous.Partitions;

    /// <summary>Bytes the scatter wrote to scratch files, both sides.</summary>
    public long BytesSpilled => _lanes.Sum(l => l.Spill.BytesWritten) + _previous.BytesWritten;

    private int PartitionOf(ulong keyHigh) => _shift == 64 ? 0 : (int)(keyHigh >> _shift);

    /// <summary>Scatters the previous point's digests (in table order, so each partition keeps its ordinals ascending).</summary>
    public void AddPrevious(PointDigestFile digests)
    {
        if (digests.Seed != _seed)
        {
            throw new ArgumentException("The join's seed is not the digest file's.", nameof(digests));
        }
        _previousCount = 0;
        digests.ReadAll(ScatterPrevious);
    }

    // Called a few hundred times for millions of records: compiled optimized at once rather than run in tier 0 first.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScatterPrevious(ReadOnlySpan<byte> block)
    {
        var ordinal = _previousCount;
        for (var at = 0; at < block.Length; at += ObjectDigest.Size)
        {
            var record = block.Slice(at, ObjectDigest.Size);
            var target = _previous.Append(PartitionOf(BinaryPrimitives.ReadUInt64LittleEndian(record)), PreviousRecord);
            record.CopyTo(target);
            BinaryPrimitives.WriteInt64LittleEndian(target[ObjectDigest.Size..], ordinal++);
        }
        _previousCount = ordinal;
    }

    public delegate bool RowFilter(ReadOnlySpan<byte> record);

    /// <summary>
    /// What read lane <paramref name="lane"/> does with each inventory row (a <see cref="SourceObjectCodec"/> record): rows
    /// <paramref name="keep"/> accepts and the plan's filter does not exclude are hashed and scattered into the lane's own
    /// partitions, so lanes never wait for each other or for one consumer.
    /// </summary>
    public Inventory.RecordConsumer ConsumerForLane(int lane, RowFilter keep)
    {
        var target = _lanes[lane];
        return (ReadOnlySpan<byte> record, in SourceObjectCodec.VersionFields fields) =>
        {
            if (keep(record))
            {
                target.Add(record, fields);
            }
            return default;
        };
    }

    /// <summary>One read lane's share of the inventory side: its partitions and counts.</summary>
    private sealed class InventoryLane(DigestJoin join, PartitionSpill spill)
    {
        public PartitionSpill Spill { get; } = spill;
        public long Scanned;
        public long ScannedBytes;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<byte> record, in SourceObjectCodec.VersionFields fields)
        {
            if (join._accepts is not null && !join._accepts(Encoding.UTF8.GetString(fields.Key)))
            {
                return;
            }
            var digest = ObjectDigest.Of(fields.Key, fields.Size, fields.UtcTicks, fields.ETag, join._seed);
            var target = Spill.Append(join.PartitionOf(digest.KeyHigh), InventoryHeader + record.Length);
            digest.Write(target);
            BinaryPrimitives.WriteInt32LittleEndian(target[ObjectDigest.Size..], record.Length);
            record.CopyTo(target[InventoryHeader..]);
            Scanned++;
            ScannedBytes += fields.Size;
        }
    }

    /// <summary>Joins every partition (as many at once as there are cores, up to <paramref name="parallelism"/>) and returns the plan.</summary>
    public async Task<DigestPlan> JoinAsync(int parallelism, CancellationToken cancellationToken)
    {
        var totals = new Totals();
        var dropped = new OrdinalRuns(Path.Combine(_folder, "dropped.ordinals"));
        var gate = new SemaphoreSlim(1, 1);
        var workspaces = new System.Collections.Concurrent.ConcurrentBag<Workspace>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Partitions), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (partition, token) =>
            {
                if (!workspaces.TryTake(out var workspace))
                {
                    workspace = new Workspace();
                }
                var result = JoinPartition(partition, workspace);
                await gate.WaitAsync(token);
                try
                {
                    totals.Add(result);
                    var delta = workspace.Delta.WrittenMemory;
                    var position = 0;
                    while (position < delta.Length)
                    {
                        var length = BinaryPrimitives.ReadInt32LittleEndian(delta.Span[position..]);
                        await _delta.AddRecordAsync(delta.Span.Slice(position + sizeof(int), length), token);
                        position += sizeof(int) + length;
                    }
                    dropped.AddRun(workspace.Dropped.AsSpan(0, workspace.DroppedCount));
                }
                finally
                {
                    gate.Release();
                }
                foreach (var lane in _lanes)
                {
                    lane.Spill.Release(partition);
                }
                _previous.Release(partition);
                workspaces.Add(workspace);
            });
        foreach (var key in totals.Repeats)
        {
            _warn($"{_description} lists '{key}' more than once; the first row was used.");
        }
        var counts = new DigestJoinCounts(_lanes.Sum(l => l.Scanned) - totals.Repeated, _lanes.Sum(l => l.ScannedBytes) - totals.RepeatedBytes, totals.Unchanged, totals.New, totals.Changed,
            totals.Skipped, _previousCount - totals.Matched, totals.Repeated);
        _deltaHandedOver = true;
        return new DigestPlan(counts, _previousCount, _delta, dropped);
    }

    private readonly record struct PartitionResult(long Unchanged, long New, long Changed, long Skipped, long Matched, long Repeated, long RepeatedBytes, List<string>? Repeats);

    private sealed class Totals
    {
        public long Unchanged, New, Changed, Skipped, Matched, Repeated, RepeatedBytes;
        public readonly List<string> Repeats = [];

        public void Add(PartitionResult result)
        {
            Unchanged += result.Unchanged;
            New += result.New;
            Changed += result.Changed;
            Skipped += result.Skipped;
            Matched += result.Matched;
            Repeated += result.Repeated;
            RepeatedBytes += result.RepeatedBytes;
            if (result.Repeats is not null)
            {
                Repeats.AddRange(result.Repeats);
            }
        }
    }

    /// <summary>Buffers one joining thread reuses from partition to partition.</summary>
    private sealed class Workspace
    {
        public byte[] Inventory = new byte[1 << 20];
        public byte[] Previous = new byte[1 << 20];

        /// <summary>Open-addressing table of the partition's previous objects: position + 1, 0 for an empty slot.</summary>
        public int[] PreviousSlots = new int[1 << 12];

        /// <summary>Per previous object: 1 + the offset of the inventory row that matched it, 0 while none has.</summary>
        public int[] MatchedBy = new int[1 << 12];

        /// <summary>Open-addressing table of the partition's new rows (to find repeated ones): offset + 1, 0 when empty.</summary>
        public int[] NewSlots = new int[1 << 10];

        public long[] Dropped = new long[1 << 12];
        public int DroppedCount;
        public readonly BinaryWriterBuffer Delta = new(1 << 16);
    }

    private static void Ensure<T>(ref T[] array, int count)
    {
        if (array.Length < count)
        {
            array = new T[Math.Max(count, array.Length * 2)];
        }
    }

    private static ulong High(ReadOnlySpan<byte> digest) => BinaryPrimitives.ReadUInt64LittleEndian(digest);

    private static ulong Low(ReadOnlySpan<byte> digest) => BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]);

    private static ulong VersionOf(ReadOnlySpan<byte> digest) => BinaryPrimitives.ReadUInt64LittleEndian(digest[16..]);

    /// <summary>
    /// Hash-joins one partition: the previous objects go into a table by key digest, then the inventory rows probe it in
    /// the order they were added, so the first of repeated rows is the one kept. The key digests are hashes already:
    /// their low bits (the partition took the high ones) index the tables directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PartitionResult JoinPartition(int partition, Workspace w)
    {
        w.Delta.Clear();
        w.DroppedCount = 0;

        var previousLength = _previous.Read(partition, ref w.Previous);
        var previous = w.Previous.AsSpan(0, previousLength);
        var previousCount = previousLength / PreviousRecord;
        var slotCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, previousCount * 2));
        Ensure(ref w.PreviousSlots, slotCount);
        Ensure(ref w.MatchedBy, previousCount);
        var slots = w.PreviousSlots.AsSpan(0, slotCount);
        slots.Clear();
        w.MatchedBy.AsSpan(0, previousCount).Clear();
        var mask = slotCount - 1;
        for (var i = 0; i < previousCount; i++)
        {
            var digest = previous.Slice(i * PreviousRecord, ObjectDigest.Size);
            var slot = (int)Low(digest) & mask;
            while (slots[slot] != 0)
            {
                var other = previous.Slice((slots[slot] - 1) * PreviousRecord, ObjectDigest.Size);
                if (High(other) == High(digest) && Low(other) == Low(digest))
                {
                    throw new InvalidDataException($"Two objects of the previous point have the same 128-bit key digest. {CollisionAdvice}");
                }
                slot = (slot + 1) & mask;
            }
            slots[slot] = i + 1;
        }

        var inventoryLength = 0;
        foreach (var lane in _lanes)
        {
            inventoryLength += lane.Spill.Read(partition, ref w.Inventory, inventoryLength);
        }
        var inventory = w.Inventory.AsSpan(0, inventoryLength);
        var newSlotCount = 1 << 10;
        w.NewSlots.AsSpan(0, newSlotCount).Clear();
        var newRows = 0;

        long unchanged = 0, added = 0, changed = 0, skipped = 0, matched = 0, repeated = 0, repeatedBytes = 0;
        List<string>? repeats = null;
        Span<byte> lengthBytes = stackalloc byte[sizeof(int)];
        for (var at = 0; at < inventoryLength;)
        {
            var offset = at;
            var digest = inventory.Slice(at, ObjectDigest.Size);
            var record = inventory.Slice(at + InventoryHeader, BinaryPrimitives.ReadInt32LittleEndian(inventory[(at + ObjectDigest.Size)..]));
            at += InventoryHeader + record.Length;
            var (high, low) = (High(digest), Low(digest));

            var slot = (int)low & mask;
            var before = -1;
            while (slots[slot] != 0)
            {
                var candidate = previous.Slice((slots[slot] - 1) * PreviousRecord, ObjectDigest.Size);
                if (High(candidate) == high && Low(candidate) == low)
                {
                    before = slots[slot] - 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }

            if (before >= 0)
            {
                if (w.MatchedBy[before] != 0)
                {
                    CountRepeat(inventory, w.MatchedBy[before] - 1, record, ref repeated, ref repeatedBytes, ref repeats);
                    continue;
                }
                w.MatchedBy[before] = offset + 1;
                matched++;
                if (VersionOf(previous[(before * PreviousRecord)..]) == VersionOf(digest))
                {
                    unchanged++;
                    continue;
                }
                if (IsReadable(record))
                {
                    changed++;
                }
                else
                {
                    skipped++;
                }
            }
            else
            {
                // A key the previous point does not have: remember it, so a repeat of it is found too.
                if ((newRows + 1) * 2 > newSlotCount)
                {
                    newSlotCount *= 2;
                    RehashNewRows(w, inventory, newSlotCount);
                }
                var newMask = newSlotCount - 1;
                var newSlot = (int)low & newMask;
                var first = -1;
                while (w.NewSlots[newSlot] != 0)
                {
                    var candidate = inventory.Slice(w.NewSlots[newSlot] - 1, ObjectDigest.Size);
                    if (High(candidate) == high && Low(candidate) == low)
                    {
                        first = w.NewSlots[newSlot] - 1;
                        break;
                    }
                    newSlot = (newSlot + 1) & newMask;
                }
                if (first >= 0)
                {
                    CountRepeat(inventory, first, record, ref repeated, ref repeatedBytes, ref repeats);
                    continue;
                }
                w.NewSlots[newSlot] = offset + 1;
                newRows++;
                if (IsReadable(record))
                {
                    added++;
                }
                else
                {
                    skipped++;
                }
            }
            BinaryPrimitives.WriteInt32LittleEndian(lengthBytes, record.Length);
            w.Delta.WriteBytes(lengthBytes);
            w.Delta.WriteBytes(record);
        }

        Ensure(ref w.Dropped, previousCount - (int)matched);
        for (var i = 0; i < previousCount; i++)
        {
            if (w.MatchedBy[i] == 0)
            {
                w.Dropped[w.DroppedCount++] = BinaryPrimitives.ReadInt64LittleEndian(previous[((i * PreviousRecord) + ObjectDigest.Size)..]);
            }
        }
        return new PartitionResult(unchanged, added, changed, skipped, matched, repeated, repeatedBytes, repeats);
    }

    private static void RehashNewRows(Workspace w, ReadOnlySpan<byte> inventory, int slotCount)
    {
        var old = w.NewSlots;
        var oldCount = slotCount / 2;
        var slots = new int[Math.Max(slotCount, old.Length)];
        var mask = slotCount - 1;
        for (var i = 0; i < oldCount; i++)
        {
            if (old[i] != 0)
            {
                var slot = (int)Low(inventory[(old[i] - 1)..]) & mask;
                while (slots[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = old[i];
            }
        }
        w.NewSlots = slots;
    }

    /// <summary>A row whose key digest an earlier row of the partition had: the same key again, or (never seen) a collision.</summary>
    private void CountRepeat(ReadOnlySpan<byte> inventory, int firstOffset, ReadOnlySpan<byte> record, ref long repeated, ref long repeatedBytes, ref List<string>? repeats)
    {
        var firstRecord = inventory.Slice(firstOffset + InventoryHeader, BinaryPrimitives.ReadInt32LittleEndian(inventory[(firstOffset + ObjectDigest.Size)..]));
        var firstKey = SourceObjectCodec.ReadVersionFields(firstRecord).Key;
        var fields = SourceObjectCodec.ReadVersionFields(record);
        if (!firstKey.SequenceEqual(fields.Key))
        {
            throw new InvalidDataException(
                $"'{Encoding.UTF8.GetString(firstKey)}' and '{Encoding.UTF8.GetString(fields.Key)}' in {_description} have the same 128-bit key digest. {CollisionAdvice}");
        }
        repeated++;
        repeatedBytes += fields.Size;
        (repeats ??= []).Add(Encoding.UTF8.GetString(fields.Key));
    }

    private const string CollisionAdvice =
        "Delete this machine's digest cache (the 'digests' folder in the OssBackup home's cache folder); the next backup rebuilds it with a new seed.";

    private static bool IsReadable(ReadOnlySpan<byte> record) =>
        Operations.StorageClasses.IsReadable(Encoding.UTF8.GetString(SourceObjectCodec.ReadVersionFields(record).StorageClass));

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes)
        {
            lane.Spill.Dispose();
        }
        _previous.Dispose();
        if (!_deltaHandedOver)
        {
            await _delta.DisposeAsync();
        }
    }
}
