namespace OssBackup.Engine.Planning;

/// <summary>Yields a run's records one block at a time; <see cref="Items"/> is valid until the next read.</summary>
internal interface IBlockReader<T> : IDisposable
{
    T[] Items { get; }

    /// <summary>Decodes the next block into <see cref="Items"/>; the number of records, 0 at the end.</summary>
    ValueTask<int> ReadBlockAsync(CancellationToken cancellationToken);
}

/// <summary>A sequence of records in order, with its first and last record (for chaining disjoint runs).</summary>
internal abstract class SortedRun<T>(T first, T last, long count)
{
    public T First { get; } = first;

    public T Last { get; } = last;

    public long Count { get; } = count;

    public abstract IBlockReader<T> Open(IRecordCodec<T> codec, int blockSize);

    /// <summary>Frees what the run holds (deletes its file); idempotent.</summary>
    public abstract void Release();
}

internal sealed class FileRun<T>(string path, T first, T last, long count) : SortedRun<T>(first, last, count)
{
    public string Path { get; } = path;

    public override IBlockReader<T> Open(IRecordCodec<T> codec, int blockSize) => new FileBlockReader<T>(Path, codec, blockSize);

    public override void Release() => File.Delete(Path);
}

/// <summary>The last buffer of a sort, merged straight from memory instead of being spilled.</summary>
internal sealed class MemoryRun<T>(T[] items, int count) : SortedRun<T>(items[0], items[count - 1], count)
{
    private T[]? _items = items;

    public override IBlockReader<T> Open(IRecordCodec<T> codec, int blockSize) =>
        new Reader(_items ?? throw new InvalidOperationException("The run was released."), (int)Count);

    public override void Release() => _items = null;

    private sealed class Reader(T[] items, int count) : IBlockReader<T>
    {
        private bool _done;

        public T[] Items => items;

        public ValueTask<int> ReadBlockAsync(CancellationToken cancellationToken)
        {
            if (_done)
            {
                return new(0);
            }
            _done = true;
            return new(count);
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// One input of a merge: runs that do not overlap, read one after another. Each run is released
/// (its file deleted) as soon as it has been read, and every unread one when the chain is disposed.
/// </summary>
internal sealed class RunChain<T>(IRecordCodec<T> codec, int blockSize) : IDisposable
{
    private readonly List<SortedRun<T>> _runs = [];
    private IBlockReader<T>? _reader;
    private int _next;
    private bool _disposed;

    /// <summary>The current block; the record at <see cref="Index"/> is the next one not yet taken.</summary>
    public T[] Items { get; private set; } = [];

    public int Index { get; set; }

    public int Count { get; private set; }

    public long RecordCount { get; private set; }

    public T Last => _runs[^1].Last;

    public void Append(SortedRun<T> run)
    {
        _runs.Add(run);
        RecordCount += run.Count;
    }

    /// <summary>Loads the next block (of this run or the next); false when the chain is exhausted.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_reader is null)
            {
                if (_next == _runs.Count)
                {
                    Items = [];
                    Index = Count = 0;
                    return false;
                }
                _reader = _runs[_next].Open(codec, blockSize);
            }
            var count = await _reader.ReadBlockAsync(cancellationToken);
            if (count > 0)
            {
                Items = _reader.Items;
                Index = 0;
                Count = count;
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
        Items = [];
    }
}
