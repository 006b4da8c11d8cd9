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

/// <summary>What a backup does with one scanned object. <see cref="Before"/> is the previous point's entry for the key.</summary>
public readonly record struct PlanStep(PlanAction Action, SourceObject Item, ObjectEntry? Before);

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
