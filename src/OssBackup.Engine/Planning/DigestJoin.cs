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
/// for memory, and each partition is hash-joined. An unchanged row costs about 140 bytes of sequential scratch I/O
/// and no string; only new and changed rows (the delta) are sorted by key, for the key-ordered merge with the table
/// (<see cref="BackupPlanner.PlanFromDigestsAsync"/>), which also drops what is gone.
/// </summary>
/// <remarks>
/// Memory is bounded by the partition size, not the object count: the number of partitions grows with the
/// expected rows, and a partition that still comes out larger than <see cref="MaxPartitionBytes"/> (the rows were
/// underestimated) is split again on further hash bits.
/// </remarks>
internal sealed class DigestJoin : IAsyncDisposable
{
    /// <summary>Rows a partition is meant to hold: with ~130 bytes a row and sort arrays, about 30 MB in memory while joined.</summary>
    internal const long RowsPerPartition = 150_000;

    /// <summary>Inventory bytes (about 350,000 rows) above which a partition is split rather than joined in memory.</summary>
    internal long MaxPartitionBytes { get; init; } = 48L << 20;

    /// <summary>A partition too large is split into this many (4 more hash bits).</summary>
    private const int SplitBits = 4;

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
    private int _partitionsSplit;

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
        // The delta is sorted while partitions are joined in memory: it gets half the sort's usual buffer.
        _delta = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, Path.Combine(scratchFolder, "delta"),
            deltaSort with { MaxBufferedBytes = Math.Max(1 << 20, deltaSort.MaxBufferedBytes / 2) });
    }

    public int Partitions => _previous.Partitions;

    /// <summary>Partitions (and parts of them) that held more than <see cref="MaxPartitionBytes"/> and were split.</summary>
    public int PartitionsSplit => _partitionsSplit;

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
        // Not a ConcurrentBag: its per-thread lists would keep every workspace's buffers alive until a finalizer ran.
        var workspaces = new System.Collections.Concurrent.ConcurrentStack<Workspace>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Partitions), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (partition, token) =>
            {
                if (!workspaces.TryPop(out var workspace))
                {
                    workspace = new Workspace();
                }
                workspace.Delta.Clear();
                workspace.DroppedCount = 0;
                workspace.DroppedRuns.Clear();
                var result = new Totals();
                JoinPartition([.. _lanes.Select(l => l.Spill)], _previous, partition, _shift, workspace, result);
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
                    var start = 0;
                    foreach (var end in workspace.DroppedRuns)
                    {
                        dropped.AddRun(workspace.Dropped.AsSpan(start, end - start));
                        start = end;
                    }
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
                workspaces.Push(workspace);
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

    private sealed class Totals
    {
        public long Unchanged, New, Changed, Skipped, Matched, Repeated, RepeatedBytes;
        public readonly List<string> Repeats = [];

        public void Add(Totals result)
        {
            Unchanged += result.Unchanged;
            New += result.New;
            Changed += result.Changed;
            Skipped += result.Skipped;
            Matched += result.Matched;
            Repeated += result.Repeated;
            RepeatedBytes += result.RepeatedBytes;
            Repeats.AddRange(result.Repeats);
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

        /// <summary>Where each ascending run of <see cref="Dropped"/> ends: one per partition joined (more when it was split).</summary>
        public readonly List<int> DroppedRuns = [];
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
    private void JoinPartition(IReadOnlyList<PartitionSpill> inventorySpills, PartitionSpill previousSpill, int partition, int shift, Workspace w, Totals totals)
    {
        if (inventorySpills.Sum(spill => spill.LengthOf(partition)) <= MaxPartitionBytes || shift <= SplitBits)
        {
            var inventoryLength = 0;
            foreach (var spill in inventorySpills)
            {
                inventoryLength += spill.Read(partition, ref w.Inventory, inventoryLength);
            }
            var previousLength = previousSpill.Read(partition, ref w.Previous);
            JoinLoaded(w, inventoryLength, previousLength, totals);
            return;
        }
        // More rows than expected: scatter this partition again on the next hash bits, in the order its rows came.
        Interlocked.Increment(ref _partitionsSplit);
        var folder = Path.Combine(_folder, $"split-{Guid.NewGuid():N}");
        var subShift = shift - SplitBits;
        const int Mask = (1 << SplitBits) - 1;
        try
        {
            using var inventory = new PartitionSpill(folder, "inventory.parts", 1 << SplitBits, 64 << 10);
            using var previous = new PartitionSpill(folder, "previous.parts", 1 << SplitBits, 64 << 10);
            foreach (var spill in inventorySpills)
            {
                spill.ReadChunks(partition, chunk =>
                {
                    for (var at = 0; at < chunk.Length;)
                    {
                        var length = InventoryHeader + BinaryPrimitives.ReadInt32LittleEndian(chunk[(at + ObjectDigest.Size)..]);
                        chunk.Slice(at, length).CopyTo(inventory.Append((int)(High(chunk[at..]) >> subShift) & Mask, length));
                        at += length;
                    }
                });
            }
            previousSpill.ReadChunks(partition, chunk =>
            {
                for (var at = 0; at < chunk.Length; at += PreviousRecord)
                {
                    chunk.Slice(at, PreviousRecord).CopyTo(previous.Append((int)(High(chunk[at..]) >> subShift) & Mask, PreviousRecord));
                }
            });
            for (var sub = 0; sub <= Mask; sub++)
            {
                JoinPartition([inventory], previous, sub, subShift, w, totals);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void JoinLoaded(Workspace w, int inventoryLength, int previousLength, Totals totals)
    {
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

        var inventory = w.Inventory.AsSpan(0, inventoryLength);
        var newSlotCount = 1 << 10;
        w.NewSlots.AsSpan(0, newSlotCount).Clear();
        var newRows = 0;

        long unchanged = 0, added = 0, changed = 0, skipped = 0, matched = 0, repeated = 0, repeatedBytes = 0;
        var repeats = totals.Repeats;
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
                    CountRepeat(inventory, w.MatchedBy[before] - 1, record, ref repeated, ref repeatedBytes, repeats);
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
                    CountRepeat(inventory, first, record, ref repeated, ref repeatedBytes, repeats);
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

        var droppedHere = previousCount - (int)matched;
        if (w.Dropped.Length < w.DroppedCount + droppedHere)
        {
            Array.Resize(ref w.Dropped, Math.Max(w.DroppedCount + droppedHere, w.Dropped.Length * 2));
        }
        for (var i = 0; i < previousCount; i++)
        {
            if (w.MatchedBy[i] == 0)
            {
                w.Dropped[w.DroppedCount++] = BinaryPrimitives.ReadInt64LittleEndian(previous[((i * PreviousRecord) + ObjectDigest.Size)..]);
            }
        }
        w.DroppedRuns.Add(w.DroppedCount);
        totals.Unchanged += unchanged;
        totals.New += added;
        totals.Changed += changed;
        totals.Skipped += skipped;
        totals.Matched += matched;
        totals.Repeated += repeated;
        totals.RepeatedBytes += repeatedBytes;
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
    private void CountRepeat(ReadOnlySpan<byte> inventory, int firstOffset, ReadOnlySpan<byte> record, ref long repeated, ref long repeatedBytes, List<string> repeats)
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
        repeats.Add(Encoding.UTF8.GetString(fields.Key));
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
