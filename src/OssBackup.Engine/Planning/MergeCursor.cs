namespace OssBackup.Engine.Planning;

/// <summary>
/// K-way merge of run chains by sort key, on encoded records. The chain that produced the last record
/// stays outside the heap: its next record is compared with the heap's smallest once and, while it is
/// still the smallest (clustered or concatenated input), taken without touching the heap.
/// After a successful <see cref="MoveNextAsync"/>, <see cref="Source"/> holds the current record.
/// </summary>
internal sealed class MergeCursor : IDisposable
{
    private static readonly IComparer<RunChain> ByKey = Comparer<RunChain>.Create(RunChain.Compare);

    private readonly IReadOnlyList<RunChain> _chains;
    private readonly PriorityQueue<RunChain, RunChain> _heap;
    private RunChain? _current;
    private bool _started;

    public MergeCursor(IReadOnlyList<RunChain> chains)
    {
        _chains = chains;
        _heap = new PriorityQueue<RunChain, RunChain>(chains.Count, ByKey);
    }

    /// <summary>The chain whose current record is the merge's current record.</summary>
    public RunChain Source => _current ?? throw new InvalidOperationException("The merge has no current record.");

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var source = _current;
        if (source is null)
        {
            return _started ? new(false) : StartAsync(cancellationToken);
        }
        if (source.MoveNext())
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
        foreach (var chain in _chains)
        {
            chain.Dispose();
        }
    }

    private void Select(RunChain source)
    {
        if (_heap.TryPeek(out var smallest, out _) && RunChain.Compare(source, smallest) > 0)
        {
            _current = _heap.DequeueEnqueue(source, source);
        }
    }

    private async ValueTask<bool> RefillAsync(RunChain source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (await source.LoadAsync(cancellationToken))
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
            if (await chain.LoadAsync(cancellationToken))
            {
                _heap.Enqueue(chain, chain);
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
        _current = _heap.TryDequeue(out var next, out _) ? next : null;
        return _current is not null;
    }
}
