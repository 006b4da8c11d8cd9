using System.Globalization;
using System.Runtime.CompilerServices;

namespace OssBackup.Engine.Planning;

/// <summary>
/// Sorts more records than fit in memory: records are buffered up to a limit, each full buffer is
/// sorted and spilled to a run file in <c>scratchFolder</c>, and the runs are k-way merged.
/// Input that is already in order costs almost nothing extra: a buffer that arrived in order is not
/// sorted, a buffer that continues the previous run is appended to that run's file (sorted input
/// becomes a single run, read straight back), and runs that do not overlap (sorted or reverse-sorted
/// input, or inventories made of sorted parts) are read one after another as a single merge input.
/// The last buffer is merged from memory instead of being spilled.
/// Equal records keep no particular order; duplicates are all kept.
/// Not thread-safe: one producer adds, then one consumer enumerates <see cref="SortAsync"/> once.
/// Scratch files live in a folder of their own, deleted when the sorted sequence is enumerated to
/// the end or abandoned, and when the sorter is disposed.
/// </summary>
internal sealed class ExternalSorter<T> : IAsyncDisposable
{
    private readonly IComparer<T> _comparer;
    private readonly IRecordCodec<T> _codec;
    private readonly ExternalSortOptions _options;
    private readonly string _scratchFolder;
    private readonly List<SortedRun<T>> _runs = [];
    private readonly List<RunChain<T>> _chains = [];
    private T[] _buffer = [];
    private int _count;
    private long _bufferedBytes;
    private bool _bufferSorted = true;
    private RunWriter<T>? _openRun;
    private string? _folder;
    private int _fileSequence;
    private State _state;

    public ExternalSorter(IComparer<T> comparer, IRecordCodec<T> codec, string scratchFolder, ExternalSortOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentException.ThrowIfNullOrEmpty(scratchFolder);
        options ??= ExternalSortOptions.Default;
        options.Validate();
        _comparer = comparer;
        _codec = codec;
        _options = options;
        _scratchFolder = scratchFolder;
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

    /// <summary>Run files started while adding (0 when everything fit in memory, 1 for sorted input).</summary>
    public int RunsWritten { get; private set; }

    /// <summary>Merges done before the final one because there were more inputs than MaxOpenRuns.</summary>
    public int IntermediateMerges { get; private set; }

    /// <summary>Bytes written to scratch files, runs and intermediate merges together.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Inputs of the final merge (runs that do not overlap count as one); 0 when sorted in memory.</summary>
    public int FinalMergeWidth { get; private set; }

    /// <summary>The folder holding this sort's run files, once the first run is written.</summary>
    public string? RunFolder => _folder;

    public ValueTask AddAsync(T item, CancellationToken cancellationToken = default)
    {
        if (_state != State.Adding)
        {
            ObjectDisposedException.ThrowIf(_state == State.Done, this);
            throw new InvalidOperationException("Records cannot be added once sorting has started.");
        }
        if (_count == _options.MaxBufferedRecords || (_options.MaxBufferedBytes is { } budget && _bufferedBytes >= budget))
        {
            return SpillThenAddAsync(item, cancellationToken);
        }
        Append(item);
        return default;
    }

    /// <summary>Adds every record of <paramref name="source"/>.</summary>
    public async ValueTask AddRangeAsync(IAsyncEnumerable<T> source, CancellationToken cancellationToken = default)
    {
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

    public ValueTask DisposeAsync()
    {
        _state = State.Done;
        Cleanup();
        return ValueTask.CompletedTask;
    }

    private void Append(T item)
    {
        var count = _count;
        if (count == _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(_options.MaxBufferedRecords, Math.Max(1024L, 2L * count)));
        }
        if (_bufferSorted && count > 0 && _comparer.Compare(_buffer[count - 1], item) > 0)
        {
            _bufferSorted = false;
        }
        _buffer[count] = item;
        _count = count + 1;
        Count++;
        if (_options.MaxBufferedBytes is not null)
        {
            _bufferedBytes += _codec.EstimateSize(item);
        }
    }

    private async ValueTask SpillThenAddAsync(T item, CancellationToken cancellationToken)
    {
        await SpillAsync(cancellationToken);
        Append(item);
    }

    private async ValueTask SpillAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SortBuffer();
        var buffer = _buffer;
        var count = _count;
        if (_openRun is not null && _comparer.Compare(_openRun.Last, buffer[0]) > 0)
        {
            await CloseOpenRunAsync(cancellationToken);
        }
        if (_openRun is null)
        {
            _openRun = RunWriter<T>.Create(NextFilePath(), _codec, _options.BlockSize);
            RunsWritten++;
        }
        var run = _openRun;
        var before = run.Length;
        for (var i = 0; i < count; i++)
        {
            if (run.Add(buffer[i]))
            {
                await run.FlushAsync(cancellationToken);
            }
        }
        BytesWritten += run.Length - before;
        Array.Clear(buffer, 0, count);
        _count = 0;
        _bufferedBytes = 0;
        _bufferSorted = true;
    }

    private async ValueTask CloseOpenRunAsync(CancellationToken cancellationToken)
    {
        var writer = _openRun!;
        var before = writer.Length;
        _runs.Add(await writer.CompleteAsync(cancellationToken));
        BytesWritten += writer.Length - before;
        _openRun = null;
    }

    private void SortBuffer()
    {
        if (!_bufferSorted)
        {
            Array.Sort(_buffer, 0, _count, _comparer);
            _bufferSorted = true;
        }
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
            if (_openRun is null && _runs.Count == 0)
            {
                SortBuffer();
                var buffer = _buffer;
                var count = _count;
                _buffer = [];
                _count = 0;
                for (var i = 0; i < count; i++)
                {
                    if ((i & 4095) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    var item = buffer[i];
                    buffer[i] = default!;
                    yield return item;
                }
                yield break;
            }

            if (_openRun is not null)
            {
                await CloseOpenRunAsync(cancellationToken);
            }
            if (_count > 0)
            {
                SortBuffer();
                _runs.Add(new MemoryRun<T>(_buffer, _count));
            }
            _buffer = [];
            _count = 0;
            BuildChains();
            await MergeDownAsync(cancellationToken);
            FinalMergeWidth = _chains.Count;

            using var cursor = new MergeCursor<T>([.. _chains], _comparer);
            while (await cursor.MoveNextAsync(cancellationToken))
            {
                yield return cursor.Current;
            }
        }
        finally
        {
            _state = State.Done;
            Cleanup();
        }
    }

    /// <summary>
    /// Groups the runs into as few chains of non-overlapping runs as possible (greedy by first record,
    /// each run going to the chain whose last record is the greatest one not above its first).
    /// </summary>
    private void BuildChains()
    {
        var runs = _runs.ToArray();
        var firsts = runs.Select(r => r.First).ToArray();
        Array.Sort(firsts, runs, _comparer);
        foreach (var run in runs)
        {
            RunChain<T>? best = null;
            foreach (var chain in _chains)
            {
                if (_comparer.Compare(chain.Last, run.First) <= 0 && (best is null || _comparer.Compare(chain.Last, best.Last) > 0))
                {
                    best = chain;
                }
            }
            if (best is null)
            {
                best = new RunChain<T>(_codec, _options.BlockSize);
                _chains.Add(best);
            }
            best.Append(run);
        }
        _runs.Clear();
    }

    /// <summary>
    /// Merges the smallest chains into new runs until at most MaxOpenRuns remain. The first merge takes
    /// just enough inputs that every later one is a full MaxOpenRuns-way merge (least data rewritten).
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

            using (var writer = RunWriter<T>.Create(NextFilePath(), _codec, _options.BlockSize))
            {
                using (var cursor = new MergeCursor<T>(group, _comparer))
                {
                    while (await cursor.MoveNextAsync(cancellationToken))
                    {
                        if (writer.Add(cursor.Current))
                        {
                            await writer.FlushAsync(cancellationToken);
                        }
                    }
                }
                _chains.RemoveRange(0, take);
                var run = await writer.CompleteAsync(cancellationToken);
                var merged = new RunChain<T>(_codec, _options.BlockSize);
                merged.Append(run);
                _chains.Add(merged);
                BytesWritten += writer.Length;
                IntermediateMerges++;
            }
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
        _openRun?.Dispose();
        _openRun = null;
        _buffer = [];
        _count = 0;
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
}
