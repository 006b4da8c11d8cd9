using System.Runtime.CompilerServices;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Planning;

/// <summary>One key of a full outer join: the element of each side that has it, or null.</summary>
public sealed record JoinResult<TLeft, TRight>(string Key, TLeft? Left, TRight? Right)
    where TLeft : class
    where TRight : class;

/// <summary>Joins of streams that are in <see cref="KeyOrder"/>, one pass, constant memory.</summary>
public static class SortedMerge
{
    /// <summary>
    /// Pairs the elements of two streams by key: one result per key, with the element of each side
    /// that has it. Each input must be in strictly increasing <see cref="KeyOrder"/>; a key out of
    /// order or repeated on one side throws <see cref="InvalidDataException"/> when it is reached
    /// (results before it have been yielded already).
    /// </summary>
    public static async IAsyncEnumerable<JoinResult<TLeft, TRight>> FullOuterJoinAsync<TLeft, TRight>(
        IAsyncEnumerable<TLeft> left,
        IAsyncEnumerable<TRight> right,
        Func<TLeft, string> leftKey,
        Func<TRight, string> rightKey,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TLeft : class
        where TRight : class
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(leftKey);
        ArgumentNullException.ThrowIfNull(rightKey);
        var order = KeyOrder.Instance;
        await using var leftCursor = new OrderedCursor<TLeft>(left.GetAsyncEnumerator(cancellationToken), leftKey, "left");
        await using var rightCursor = new OrderedCursor<TRight>(right.GetAsyncEnumerator(cancellationToken), rightKey, "right");
        var hasLeft = await leftCursor.MoveNextAsync();
        var hasRight = await rightCursor.MoveNextAsync();
        while (hasLeft || hasRight)
        {
            var comparison = !hasLeft ? 1 : !hasRight ? -1 : order.Compare(leftCursor.Key, rightCursor.Key);
            if (comparison < 0)
            {
                yield return new(leftCursor.Key, leftCursor.Current, null);
                hasLeft = await leftCursor.MoveNextAsync();
            }
            else if (comparison > 0)
            {
                yield return new(rightCursor.Key, null, rightCursor.Current);
                hasRight = await rightCursor.MoveNextAsync();
            }
            else
            {
                yield return new(leftCursor.Key, leftCursor.Current, rightCursor.Current);
                hasLeft = await leftCursor.MoveNextAsync();
                hasRight = await rightCursor.MoveNextAsync();
            }
        }
    }

    /// <summary>An enumerator that checks its keys are strictly increasing.</summary>
    private sealed class OrderedCursor<T>(IAsyncEnumerator<T> inner, Func<T, string> keyOf, string side) : IAsyncDisposable
    {
        private long _position;

        public T Current { get; private set; } = default!;

        public string Key { get; private set; } = "";

        public async ValueTask<bool> MoveNextAsync()
        {
            if (!await inner.MoveNextAsync())
            {
                Current = default!;
                return false;
            }
            var item = inner.Current;
            var key = keyOf(item) ?? throw new InvalidDataException($"Element {_position} of the {side} input has no key.");
            if (_position > 0)
            {
                var comparison = KeyOrder.Instance.Compare(Key, key);
                if (comparison >= 0)
                {
                    throw new InvalidDataException(comparison == 0
                        ? $"The {side} input of a sorted join has the key '{key}' twice (element {_position})."
                        : $"The {side} input of a sorted join is out of order: '{key}' (element {_position}) follows '{Key}'.");
                }
            }
            _position++;
            Current = item;
            Key = key;
            return true;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
