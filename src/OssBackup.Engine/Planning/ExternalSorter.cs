using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Planning;

/// <summary>What an external sort did: run files started while adding, merges before the final one, its width, bytes spilled.</summary>
internal readonly record struct SortStatistics(int RunsWritten, int IntermediateMerges, int FinalMergeWidth, long BytesWritten);

/// <summary>
/// Sorts more records than fit in memory, in the order of their codec's sort key (for
/// <see cref="SourceObjectCodec"/>: key order, <see cref="Vault.KeyOrder"/>).
/// Records are encoded as they are added and buffered as bytes (no object survives in memory, so the
/// garbage collector has nothing to trace); a full buffer is sorted and spilled to a run file in
/// <c>scratchFolder</c> on a background task while a second buffer fills (the two share the byte
/// budget; a spill that fails is reported by the next add or by <see cref="SortAsync"/>), and the runs
/// are k-way merged on their encoded keys, decoding each record once, as it leaves the sort.
/// Input already in order costs little: a buffer that arrived in order is not sorted, a buffer that
/// continues the previous run is appended to that run's file (sorted input becomes a single run, read
/// straight back), and runs that do not overlap (sorted or reverse-sorted input, or an inventory made
/// of sorted parts) are read one after another as one merge input. The last buffer is merged from
/// memory rather than spilled, and input that fits in the buffer never touches the disk.
/// Equal keys come out in no particular order; duplicates are all kept.
/// Not thread-safe: one producer adds, then one consumer enumerates <see cref="SortAsync"/>, once.
/// Scratch files live in a folder of their own, deleted when the sorted sequence has been enumerated
/// to its end or abandoned, and when the sorter is disposed.
/// </summary>
internal sealed class ExternalSorter<T> : IAsyncDisposable
{
    private readonly IRecordCodec<T> _codec;
    private readonly KeyLocator _locateKey;
    private readonly ExternalSortOptions _options;
    private readonly string _scratchFolder;
    private readonly BinaryWriterBuffer _encoded = new(1024);
    private readonly List<SortedRun> _runs = [];
    private readonly List<RunChain> _chains = [];

    /// <summary>
    /// Read buffers of the run readers, shared by every merge of this sort: no merge reads more than
    /// MaxOpenRuns runs at once, so that many buffers serve all of them, however many runs there are.
    /// </summary>
    private readonly ArrayPool<byte> _readBuffers;
    private RecordBuffer _buffer = new();
    private RecordBuffer? _spare;
    private Task? _spilling;
    private RunWriter? _openRun;
    private string? _folder;
    private int _fileSequence;
    private State _state;

    /// <summary>
    /// A sorter in <paramref name="comparer"/>'s order, which must be the codec's
    /// <see cref="IRecordCodec{T}.Order"/>: records are compared by their encoded sort keys, never as objects.
    /// </summary>
    public ExternalSorter(IComparer<T> comparer, IRecordCodec<T> codec, string scratchFolder, ExternalSortOptions? options = null)
        : this(codec, scratchFolder, options)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        if (!ReferenceEquals(comparer, codec.Order))
        {
            throw new ArgumentException(
                $"An external sort orders records by the sort keys of their codec ({codec.GetType().Name}), so the comparer must be that codec's Order.",
                nameof(comparer));
        }
    }

    /// <summary>A sorter in the codec's <see cref="IRecordCodec{T}.Order"/>.</summary>
    public ExternalSorter(IRecordCodec<T> codec, string scratchFolder, ExternalSortOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentException.ThrowIfNullOrEmpty(scratchFolder);
        options ??= ExternalSortOptions.Default;
        options.Validate();
        _codec = codec;
        _locateKey = codec.LocateSortKey;
        _options = options;
        _scratchFolder = scratchFolder;
        _readBuffers = ArrayPool<byte>.Create(2 * options.BlockSize, options.MaxOpenRuns);
    }

    private enum State
    {
        Adding,
        Sorting,
        Enumerating,
        Done,
    }

    /// <summary>Records added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Run files started while adding: 0 when everything fit in memory, 1 for sorted input.</summary>
    public int RunsWritten { get; private set; }

    /// <summary>Merges done before the final one because there were more inputs than MaxOpenRuns.</summary>
    public int IntermediateMerges { get; private set; }

    /// <summary>Bytes written to scratch files, by spills and intermediate merges together.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Inputs of the final merge (runs that do not overlap count as one); 0 when sorted in memory.</summary>
    public int FinalMergeWidth { get; private set; }

    public SortStatistics Statistics => new(RunsWritten, IntermediateMerges, FinalMergeWidth, BytesWritten);

    /// <summary>The folder holding this sort's run files, once the first run is written.</summary>
    public string? RunFolder => _folder;

    public ValueTask AddAsync(T item, CancellationToken cancellationToken = default)
    {
        if (_state != State.Adding)
        {
            ObjectDisposedException.ThrowIf(_state == State.Done, this);
            throw new InvalidOperationException("Records cannot be added once sorting has started.");
        }
        var encoded = _encoded;
        encoded.Clear();
        _codec.Write(encoded, item);
        return AddEncodedAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a record already encoded as the codec's <see cref="IRecordCodec{T}.Write"/> would, for producers
    /// that make records straight from bytes without building objects first.
    /// </summary>
    public ValueTask AddRecordAsync(ReadOnlySpan<byte> record, CancellationToken cancellationToken = default)
    {
        if (_state != State.Adding)
        {
            ObjectDisposedException.ThrowIf(_state == State.Done, this);
            throw new InvalidOperationException("Records cannot be added once sorting has started.");
        }
        var encoded = _encoded;
        encoded.Clear();
        encoded.WriteBytes(record);
        return AddEncodedAsync(cancellationToken);
    }

    private ValueTask AddEncodedAsync(CancellationToken cancellationToken)
    {
        var buffer = _buffer;
        if (buffer.Count > 0 && (buffer.Count == _options.MaxBufferedRecords || buffer.Bytes + _encoded.Length > BufferByteLimit))
        {
            return SpillThenAddAsync(cancellationToken);
        }
        Append();
        return default;
    }

    /// <summary>Adds every record of <paramref name="source"/>.</summary>
    public async ValueTask AddRangeAsync(IAsyncEnumerable<T> source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        await foreach (var item in source.WithCancellation(cancellationToken))
        {
            await AddAsync(item, cancellationToken);
        }
    }

    /// <summary>All records in order. Can be enumerated once; no record can be added afterwards.</summary>
    public IAsyncEnumerable<T> SortAsync(CancellationToken cancellationToken = default)
    {
        if (_state != State.Adding)
        {
            ObjectDisposedException.ThrowIf(_state == State.Done, this);
            throw new InvalidOperationException("A sorter's output can be taken once.");
        }
        _state = State.Sorting;
        return SortCoreAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _state = State.Done;
        // a spill still writing owns the open run: let it finish before its file is deleted
        await (_spilling ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _spilling = null;
        Cleanup();
    }

    private void Append()
    {
        var record = _encoded.WrittenSpan;
        var (offset, length) = _locateKey(record);
        _buffer.Add(record, offset, length, _options.MaxBufferedRecords);
        Count++;
    }

    /// <summary>Two buffers share the byte budget: one fills while the other is sorted and spilled.</summary>
    private long BufferByteLimit => Math.Max(1, _options.MaxBufferedBytes / 2);

    /// <summary>
    /// Hands the full buffer to a background spill and goes on filling the other one, once the spill
    /// before has finished with it. Spills run one at a time, in order, so runs are written as if the
    /// sort spilled in place; only the thread differs.
    /// </summary>
    private async ValueTask SpillThenAddAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await WaitForSpillAsync();
        var full = _buffer;
        _buffer = _spare ?? new RecordBuffer();
        _spare = full;
        _spilling = Task.Run(() => SpillAsync(full, cancellationToken).AsTask(), cancellationToken);
        Append();
    }

    private async ValueTask WaitForSpillAsync()
    {
        var spilling = _spilling;
        if (spilling is not null)
        {
            _spilling = null;
            await spilling;
        }
    }

    private async ValueTask SpillAsync(RecordBuffer buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        buffer.Sort();
        var count = buffer.Count;
        if (_openRun is not null)
        {
            ref readonly var first = ref buffer.Entry(0);
            var last = _openRun.LastKey!;
            if (SortKeys.Compare(SortKeys.Prefix(last), last, first.Prefix, buffer.Key(first)) > 0)
            {
                await CloseOpenRunAsync(cancellationToken);
            }
        }
        if (_openRun is null)
        {
            _openRun = new RunWriter(NextFilePath(), _options.BlockSize) { FirstKey = buffer.Key(buffer.Entry(0)).ToArray() };
            RunsWritten++;
        }
        var run = _openRun;
        var before = run.Length;
        for (var i = 0; i < count; i++)
        {
            if (run.Add(buffer.Record(buffer.Entry(i))))
            {
                await run.FlushAsync(cancellationToken);
            }
        }
        run.LastKey = buffer.Key(buffer.Entry(count - 1)).ToArray();
        BytesWritten += run.Length - before;
        buffer.Clear();
    }

    private async ValueTask CloseOpenRunAsync(CancellationToken cancellationToken)
    {
        var writer = _openRun!;
        var before = writer.Length;
        _runs.Add(await writer.CompleteAsync(cancellationToken));
        BytesWritten += writer.Length - before;
        _openRun = null;
    }

    private async IAsyncEnumerable<T> SortCoreAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_state != State.Sorting)
        {
            throw new InvalidOperationException("A sorter's output can be enumerated once.");
        }
        _state = State.Enumerating;
        try
        {
            await WaitForSpillAsync();
            _spare = null;
            if (_openRun is null && _runs.Count == 0)
            {
                var buffer = _buffer;
                buffer.Sort();
                for (var i = 0; i < buffer.Count; i++)
                {
                    if ((i & 4095) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    yield return Decode(buffer.Record(buffer.Entry(i)));
                }
                yield break;
            }

            if (_openRun is not null)
            {
                await CloseOpenRunAsync(cancellationToken);
            }
            if (_buffer.Count > 0)
            {
                _runs.Add(_buffer.TakeAsRun());
            }
            _buffer = new RecordBuffer();
            BuildChains();
            await MergeDownAsync(cancellationToken);
            FinalMergeWidth = _chains.Count;

            using var cursor = new MergeCursor([.. _chains]);
            while (await cursor.MoveNextAsync(cancellationToken))
            {
                yield return Decode(cursor.Source.Record);
            }
        }
        finally
        {
            _state = State.Done;
            Cleanup();
        }
    }

    private T Decode(ReadOnlySpan<byte> record)
    {
        var reader = new BinarySpanReader(record);
        var item = _codec.Read(ref reader);
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("A sort record holds more bytes than its codec reads.");
        }
        return item;
    }

    /// <summary>
    /// Groups the runs into as few chains of non-overlapping runs as possible (greedy by first key, each
    /// run going to the chain whose last key is the greatest one not above the run's first).
    /// </summary>
    private void BuildChains()
    {
        var runs = _runs.OrderBy(r => r.FirstKey!, ByteOrder.Instance).ToList();
        foreach (var run in runs)
        {
            RunChain? best = null;
            foreach (var chain in _chains)
            {
                if (ByteOrder.Instance.Compare(chain.LastKey, run.FirstKey) <= 0
                    && (best is null || ByteOrder.Instance.Compare(chain.LastKey, best.LastKey) > 0))
                {
                    best = chain;
                }
            }
            if (best is null)
            {
                best = new RunChain(_locateKey, _readBuffers, _options.BlockSize);
                _chains.Add(best);
            }
            best.Append(run);
        }
        _runs.Clear();
    }

    /// <summary>
    /// Merges the smallest chains into new runs until at most MaxOpenRuns remain. The first merge takes
    /// just enough inputs that every later one is a full MaxOpenRuns-way merge (least data rewritten).
    /// Records are copied as bytes: nothing is decoded.
    /// </summary>
    private async ValueTask MergeDownAsync(CancellationToken cancellationToken)
    {
        var fanIn = _options.MaxOpenRuns;
        while (_chains.Count > fanIn)
        {
            var excess = _chains.Count - fanIn;
            var merges = (excess + fanIn - 2) / (fanIn - 1);
            var take = excess - (merges - 1) * (fanIn - 1) + 1;
            _chains.Sort((a, b) => a.RecordCount.CompareTo(b.RecordCount));
            var group = _chains.GetRange(0, take);

            using var writer = new RunWriter(NextFilePath(), _options.BlockSize);
            using (var cursor = new MergeCursor(group))
            {
                while (await cursor.MoveNextAsync(cancellationToken))
                {
                    if (writer.Add(cursor.Source.Record))
                    {
                        await writer.FlushAsync(cancellationToken);
                    }
                }
            }
            _chains.RemoveRange(0, take);
            var run = await writer.CompleteAsync(cancellationToken);
            var merged = new RunChain(_locateKey, _readBuffers, _options.BlockSize);
            merged.Append(run);
            _chains.Add(merged);
            BytesWritten += writer.Length;
            IntermediateMerges++;
        }
    }

    private string NextFilePath()
    {
        if (_folder is null)
        {
            var folder = Path.Combine(_scratchFolder, "sort-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            _folder = folder;
        }
        return Path.Combine(_folder, "run-" + (++_fileSequence).ToString("D6", CultureInfo.InvariantCulture));
    }

    private void Cleanup()
    {
        _spare = null;
        _openRun?.Dispose();
        _openRun = null;
        _buffer = new RecordBuffer();
        foreach (var chain in _chains)
        {
            chain.Dispose();
        }
        _chains.Clear();
        foreach (var run in _runs)
        {
            run.Release();
        }
        _runs.Clear();
        if (_folder is not null)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            _folder = null;
        }
    }

    private sealed class ByteOrder : IComparer<byte[]?>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
