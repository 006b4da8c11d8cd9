using System.Runtime.CompilerServices;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Planning;

public enum PlanAction
{
    /// <summary>The previous point's entry is carried over; no request to the source.</summary>
    Unchanged,

    /// <summary>New or changed: the object is read from the source.</summary>
    Read,

    /// <summary>Cannot be read (a class that needs a restore request first); the previous version, if any, is carried over.</summary>
    Skip,
}

/// <summary>
/// What a backup does with one scanned object. <see cref="Before"/> is the previous point's entry for the key.
/// <see cref="Item"/> is the scanned object; it is null only in an <see cref="PlanAction.Unchanged"/> step of a plan
/// made from digests (<see cref="BackupPlanner.PlanFromDigestsAsync"/>), where the row is known to describe
/// <see cref="Before"/> and is never decoded.
/// </summary>
public readonly record struct PlanStep(PlanAction Action, SourceObject? Item, ObjectEntry? Before);

/// <summary>Counts of a plan as it streams; read from other threads for progress (published every few thousand objects, exact once <see cref="Complete"/>).</summary>
#pragma warning disable CA1051 // Fields, so Interlocked can update them from the planning thread while progress reads them.
public sealed class PlanCounters
{
    public long Scanned;
    public long ScannedBytes;
    public long Unchanged;
    public long ToRead;
    public long ToReadBytes;
    public long Skipped;
    public long Deleted;
    public volatile bool Complete;
}
#pragma warning restore CA1051

/// <summary>
/// Merge-joins a key-ordered scan (a listing or a sorted inventory) with the previous point's key-ordered
/// object table, in one streaming pass: memory does not grow with the number of objects.
/// </summary>
public static class BackupPlanner
{
    /// <summary>
    /// Counts kept on the planning thread and added to the shared counters every few thousand objects (and
    /// at the end), instead of several interlocked operations per object; progress lags by at most that.
    /// </summary>
    private sealed class Tally(PlanCounters shared)
    {
        public const int PublishEvery = 4096;

        /// <summary>This thread's counts; <c>Complete</c> is unused here.</summary>
        public readonly PlanCounters Counts = new();

        private readonly PlanCounters _published = new();

        public void Publish()
        {
            Add(ref shared.Scanned, Counts.Scanned, ref _published.Scanned);
            Add(ref shared.ScannedBytes, Counts.ScannedBytes, ref _published.ScannedBytes);
            Add(ref shared.Unchanged, Counts.Unchanged, ref _published.Unchanged);
            Add(ref shared.ToRead, Counts.ToRead, ref _published.ToRead);
            Add(ref shared.ToReadBytes, Counts.ToReadBytes, ref _published.ToReadBytes);
            Add(ref shared.Skipped, Counts.Skipped, ref _published.Skipped);
            Add(ref shared.Deleted, Counts.Deleted, ref _published.Deleted);
        }

        private static void Add(ref long target, long now, ref long published)
        {
            Interlocked.Add(ref target, now - published);
            published = now;
        }
    }

    /// <summary>
    /// The steps of a plan made by a <see cref="DigestJoin"/>, in key order: the previous point's entries, less those
    /// the join dropped, merged with its new and changed rows. Entries that are neither dropped nor in the delta are
    /// unchanged, and are handed on without a scanned object. The plan's scanned counts are the join's.
    /// </summary>
    internal static async IAsyncEnumerable<PlanStep> PlanFromDigestsAsync(
        DigestPlan plan,
        IAsyncEnumerable<ObjectEntry> previous,
        string previousDescription,
        Func<string, bool> accepts,
        PlanCounters counters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tally = new Tally(counters);
        tally.Counts.Scanned = plan.Counts.Scanned;
        tally.Counts.ScannedBytes = plan.Counts.ScannedBytes;
        using var dropped = plan.DroppedOrdinals();
        var nextDropped = dropped.MoveNext() ? dropped.Current : long.MaxValue;
        await using var delta = plan.Delta(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var haveDelta = await delta.MoveNextAsync();
        long ordinal = 0;
        long steps = 0;
        try
        {
            await foreach (var entry in previous.WithCancellation(cancellationToken))
            {
                while (haveDelta && KeyOrder.Instance.Compare(delta.Current.Key, entry.Key) < 0)
                {
                    yield return ReadOrSkip(delta.Current, null, tally);
                    haveDelta = await delta.MoveNextAsync();
                    PublishNow(tally, ref steps);
                }
                var isDropped = ordinal == nextDropped;
                if (isDropped)
                {
                    nextDropped = dropped.MoveNext() ? dropped.Current : long.MaxValue;
                }
                ordinal++;
                PlanStep step;
                if (haveDelta && delta.Current.Key == entry.Key)
                {
                    step = ReadOrSkip(delta.Current, entry, tally);
                    haveDelta = await delta.MoveNextAsync();
                }
                else if (isDropped)
                {
                    if (accepts(entry.Key))
                    {
                        tally.Counts.Deleted++;
                    }
                    continue;
                }
                else
                {
                    tally.Counts.Unchanged++;
                    step = new PlanStep(PlanAction.Unchanged, null, entry);
                }
                PublishNow(tally, ref steps);
                yield return step;
            }
            while (haveDelta)
            {
                yield return ReadOrSkip(delta.Current, null, tally);
                haveDelta = await delta.MoveNextAsync();
            }
            if (ordinal != plan.PreviousCount || tally.Counts.Unchanged != plan.Counts.Unchanged)
            {
                throw new InvalidDataException(
                    $"The local digest of {previousDescription} does not match its table ({plan.PreviousCount:N0} digests, {ordinal:N0} entries; " +
                    $"{plan.Counts.Unchanged:N0} unchanged by digest, {tally.Counts.Unchanged:N0} by table). Delete this machine's digest cache and run the backup again.");
            }
        }
        finally
        {
            tally.Publish();
        }
        counters.Complete = true;
    }

    private static PlanStep ReadOrSkip(SourceObject item, ObjectEntry? before, Tally tally)
    {
        if (!StorageClasses.IsReadable(item.StorageClass))
        {
            tally.Counts.Skipped++;
            return new PlanStep(PlanAction.Skip, item, before);
        }
        tally.Counts.ToRead++;
        tally.Counts.ToReadBytes += item.Size;
        return new PlanStep(PlanAction.Read, item, before);
    }

    private static void PublishNow(Tally tally, ref long steps)
    {
        if ((++steps & (Tally.PublishEvery - 1)) == 0)
        {
            tally.Publish();
        }
    }

    public static async IAsyncEnumerable<PlanStep> PlanAsync(
        IAsyncEnumerable<SourceObject> scan,
        string scanDescription,
        IAsyncEnumerable<ObjectEntry> previous,
        Func<string, bool> accepts,
        PlanCounters counters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var previousEntries = previous.GetAsyncEnumerator(cancellationToken);
        var havePrevious = await previousEntries.MoveNextAsync();
        string? lastKey = null;
        var tally = new Tally(counters);
        try
        {
            await foreach (var item in scan.WithCancellation(cancellationToken))
            {
                if (lastKey is not null && KeyOrder.Instance.Compare(lastKey, item.Key) >= 0)
                {
                    throw new InvalidDataException($"The scan of {scanDescription} is not in key order: '{item.Key}' came after '{lastKey}'.");
                }
                lastKey = item.Key;
                if (!accepts(item.Key))
                {
                    continue;
                }
                tally.Counts.Scanned++;
                tally.Counts.ScannedBytes += item.Size;

                ObjectEntry? before = null;
                while (havePrevious && KeyOrder.Instance.Compare(previousEntries.Current.Key, item.Key) <= 0)
                {
                    if (previousEntries.Current.Key == item.Key)
                    {
                        before = previousEntries.Current;
                    }
                    else if (accepts(previousEntries.Current.Key))
                    {
                        tally.Counts.Deleted++;
                    }
                    havePrevious = await previousEntries.MoveNextAsync();
                }

                PlanStep step;
                if (before is not null && before.SameVersionAs(item.Size, item.ETag, item.LastModified))
                {
                    tally.Counts.Unchanged++;
                    step = new PlanStep(PlanAction.Unchanged, item, before);
                }
                else if (!StorageClasses.IsReadable(item.StorageClass))
                {
                    tally.Counts.Skipped++;
                    step = new PlanStep(PlanAction.Skip, item, before);
                }
                else
                {
                    tally.Counts.ToRead++;
                    tally.Counts.ToReadBytes += item.Size;
                    step = new PlanStep(PlanAction.Read, item, before);
                }
                if ((tally.Counts.Scanned & (Tally.PublishEvery - 1)) == 0)
                {
                    tally.Publish();
                }
                yield return step;
            }
            while (havePrevious)
            {
                if (accepts(previousEntries.Current.Key))
                {
                    tally.Counts.Deleted++;
                }
                havePrevious = await previousEntries.MoveNextAsync();
            }
        }
        finally
        {
            tally.Publish();
        }
        counters.Complete = true;
    }
}
