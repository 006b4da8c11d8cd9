namespace OssBackup.Engine.Planning;

/// <summary>
/// K-way merge of run chains by sort key, on encoded records, through a tree of losers: each inner node
/// keeps the chain that lost the match played there, so when the winner moves on, its new record is
/// compared once per level on its way back to the root (log2 k comparisons per record, where a binary
/// heap's sift-down compares twice per level). An exhausted chain stands for a key above every key.
/// After a successful <see cref="MoveNextAsync"/>, <see cref="Source"/> holds the current record.
/// </summary>
internal sealed class MergeCursor : IDisposable
{
    private readonly IReadOnlyList<RunChain> _chains;

    /// <summary>The chain at each leaf; null once it is exhausted.</summary>
    private readonly RunChain?[] _leaves;

    /// <summary>Inner node n (1..k-1, children 2n and 2n+1, leaf i at k+i) holds the leaf that lost there.</summary>
    private readonly int[] _losers;

    private int _winner = -1;
    private bool _started;

    public MergeCursor(IReadOnlyList<RunChain> chains)
    {
        _chains = chains;
        _leaves = new RunChain?[chains.Count];
        _losers = new int[Math.Max(1, chains.Count)];
    }

    /// <summary>The chain whose current record is the merge's current record.</summary>
    public RunChain Source => (_winner >= 0 ? _leaves[_winner] : null) ?? throw new InvalidOperationException("The merge has no current record.");

    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return StartAsync(cancellationToken);
        }
        var source = _winner >= 0 ? _leaves[_winner] : null;
        if (source is null)
        {
            return new(false);
        }
        if (source.MoveNext())
        {
            return new(Replay());
        }
        return RefillAsync(source, cancellationToken);
    }

    public void Dispose()
    {
        _started = true;
        _winner = -1;
        Array.Clear(_leaves);
        foreach (var chain in _chains)
        {
            chain.Dispose();
        }
    }

    private async ValueTask<bool> StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        for (var i = 0; i < _chains.Count; i++)
        {
            var chain = _chains[i];
            if (await chain.LoadAsync(cancellationToken))
            {
                _leaves[i] = chain;
            }
            else
            {
                chain.Dispose();
            }
        }
        if (_leaves.Length == 0)
        {
            return false;
        }
        _winner = _leaves.Length == 1 ? 0 : Play(1);
        return _leaves[_winner] is not null;
    }

    private async ValueTask<bool> RefillAsync(RunChain source, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!await source.LoadAsync(cancellationToken))
        {
            source.Dispose();
            _leaves[_winner] = null;
        }
        return Replay();
    }

    /// <summary>Plays the matches below inner node <paramref name="node"/>, keeping losers; returns the winning leaf.</summary>
    private int Play(int node)
    {
        var count = _leaves.Length;
        var left = 2 * node >= count ? 2 * node - count : Play(2 * node);
        var right = 2 * node + 1 >= count ? 2 * node + 1 - count : Play(2 * node + 1);
        if (Precedes(right, left))
        {
            _losers[node] = left;
            return right;
        }
        _losers[node] = right;
        return left;
    }

    /// <summary>The winner's record changed: plays it against the losers on its way to the root; true unless every chain is exhausted.</summary>
    private bool Replay()
    {
        var losers = _losers;
        var winner = _winner;
        for (var node = (winner + _leaves.Length) >> 1; node > 0; node >>= 1)
        {
            var loser = losers[node];
            if (Precedes(loser, winner))
            {
                losers[node] = winner;
                winner = loser;
            }
        }
        _winner = winner;
        return _leaves[winner] is not null;
    }

    /// <summary>Whether leaf <paramref name="a"/>'s record comes strictly before leaf <paramref name="b"/>'s (an exhausted leaf comes last).</summary>
    private bool Precedes(int a, int b)
    {
        var chainA = _leaves[a];
        var chainB = _leaves[b];
        if (chainA is null)
        {
            return false;
        }
        return chainB is null || RunChain.Compare(chainA, chainB) < 0;
    }
}
