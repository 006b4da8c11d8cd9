namespace OssBackup.Engine.Planning;

/// <summary>
/// K-way merge of run chains. The chain that produced the last record stays outside the heap: its
/// next record is compared with the heap's minimum once and, when still the smallest (clustered or
/// concatenated input), taken without touching the heap. Records are cleared from the block arrays as
/// they are taken so that memory holds only what has not been merged yet.
/// </summary>
internal sealed class MergeCursor<T> : IDisposable
{
    private readonly IReadOnlyList<RunChain<T>> _chains;
    private readonly IComparer<T> _comparer;
    private readonly PriorityQueue<RunChain<T>, T> _heap;
    private RunChain<T>? _current;
    private bool _started;

    public MergeCursor(IReadOnlyList<RunChain<T>> chains, IComparer<T> comparer)
    {
        _chains = chains;
        _comparer = comparer;
        _heap = new PriorityQueue<RunChain<T>, T>(chains.Count, comparer);
    }

    public T Current { get; private set; } = default!;

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var source = _current;
        if (source is null)
        {
            return _started ? new(false) : StartAsync(cancellationToken);
        }
        source.Items[source.Index] = default!;
        source.Index++;
        if (source.Index < source.Count)
        {
            Select(source);
            return new(true);
        }
        return RefillAsync(source, cancellationToken);
    }

    public void Dispose()
    {
        _current = null;
        _started = true;
        _heap.Clear();
        Current = default!;
        foreach (var chain in _chains)
        {
            chain.Dispose();
        }
    }

    private void Select(RunChain<T> source)
    {
        var candidate = source.Items[source.Index];
        if (_heap.TryPeek(out _, out var smallest) && _comparer.Compare(candidate, smallest) > 0)
        {
            var next = _heap.DequeueEnqueue(source, candidate);
            _current = next;
            Current = next.Items[next.Index];
        }
        else
        {
            Current = candidate;
        }
    }

    private async ValueTask<bool> RefillAsync(RunChain<T> source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (await source.FillAsync(cancellationToken))
        {
            Select(source);
            return true;
        }
        source.Dispose();
        return TakeSmallest();
    }

    private async ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        foreach (var chain in _chains)
        {
            if (await chain.FillAsync(cancellationToken))
            {
                _heap.Enqueue(chain, chain.Items[0]);
            }
            else
            {
                chain.Dispose();
            }
        }
        return TakeSmallest();
    }

    private bool TakeSmallest()
    {
        if (_heap.TryDequeue(out var next, out var item))
        {
            _current = next;
            Current = item;
            return true;
        }
        _current = null;
        Current = default!;
        return false;
    }
}
