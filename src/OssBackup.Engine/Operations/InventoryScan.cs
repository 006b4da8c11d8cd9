using System.Runtime.CompilerServices;
using System.Text;
using OssBackup.Engine.Inventory;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

/// <summary>
/// Scans the bucket's newest usable inventory instead of listing it: rows under the plan's prefix are
/// sorted externally (bounded memory, whatever the object count) and handed on in key order.
/// </summary>
internal sealed class InventoryScan : IBackupScan
{
    private readonly InventoryReader _reader;
    private readonly InventorySelection _selection;
    private readonly BackupPlan _plan;
    private readonly IOperationObserver _observer;
    private readonly string _scratchFolder;
    private readonly ExternalSortOptions _sortOptions;

    private InventoryScan(InventoryReader reader, InventorySelection selection, BackupPlan plan, IOperationObserver observer, string scratchFolder, ExternalSortOptions sortOptions)
    {
        _reader = reader;
        _selection = selection;
        _plan = plan;
        _observer = observer;
        _scratchFolder = scratchFolder;
        _sortOptions = sortOptions;
    }

    /// <summary>Data files read at once at most; one thread sorts what they read, so more would wait on it.</summary>
    private const int MaxReadLanes = 4;

    /// <summary>Read lanes on this machine: as many as there are cores, up to <see cref="MaxReadLanes"/>.</summary>
    internal static int ReadLanes => Math.Clamp(Environment.ProcessorCount, 1, MaxReadLanes);

    /// <summary>What the last <see cref="ReadAsync"/>'s sort did (runs, merges, bytes spilled), once its output was read to the end.</summary>
    internal SortStatistics SortStatistics { get; private set; }

    public InventoryReadCounters Counters { get; } = new();

    /// <summary>What the last <see cref="JoinAsync"/> did: partitions, bytes scattered, and the time to read and scatter vs to join.</summary>
    internal DigestJoinStatistics? JoinStatistics { get; private set; }

    /// <summary>The time between the two newest complete runs of the rule, when there are two.</summary>
    public TimeSpan? GenerationCycle { get; private init; }

    public string Description => $"inventory {_selection.Chosen.Location.InventoryBucket}/{_selection.Chosen.Folder}";
    public string? InventoryFolder => _selection.Chosen.Folder;
    public DateTimeOffset? InventoryCreatedAt => _selection.Manifest.CreationTime;

    /// <summary>Picks the inventory by the product's rules; each rule that fails throws an <see cref="InventoryException"/> saying why.</summary>
    public static async Task<InventoryScan> OpenAsync(BackupPlan plan, IBlobStore inventoryBucket, SnapshotManifest? previous, IOperationObserver observer,
        string scratchFolder, ExternalSortOptions sortOptions, CancellationToken cancellationToken)
    {
        var reader = new InventoryReader(inventoryBucket);
        var location = new InventoryLocation(plan.InventoryBucket, plan.InventoryPrefix, plan.SourceBucket, plan.InventoryId);
        var selection = await reader.SelectAsync(location, plan.InventoryMaxAge, DateTimeOffset.UtcNow, previous?.InventoryCreatedAt, cancellationToken);
        foreach (var incomplete in selection.SkippedIncomplete)
        {
            observer.Warning($"Inventory {location.InventoryBucket}/{incomplete.Folder} is not complete yet ({incomplete.Problem}); using {selection.Chosen.Folder}.");
        }
        var complete = new List<DateTimeOffset>();
        await foreach (var candidate in reader.ListAsync(location, cancellationToken))
        {
            if (candidate.IsComplete && candidate.Manifest is not null)
            {
                complete.Add(candidate.Timestamp);
                if (complete.Count == 2)
                {
                    break;
                }
            }
        }
        return new InventoryScan(reader, selection, plan, observer, scratchFolder, sortOptions)
        {
            GenerationCycle = complete.Count == 2 ? complete[0] - complete[1] : null,
        };
    }

    public async IAsyncEnumerable<SourceObject> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, _scratchFolder, _sortOptions);
        var options = new InventoryReadOptions { Counters = Counters };
        var prefix = Utf8Prefix(_plan.SourcePrefix);
        // Rows go from CSV bytes to sort records without becoming strings (objects are made as they leave the
        // sort), on as many threads as there are cores, up to a few: gzip and CSV are most of the work.
        await foreach (var batch in _reader.ReadSortRecordBatchesAsync(_selection.Manifest, options, ReadLanes, cancellationToken))
        {
            var position = 0;
            while (batch.Next(ref position, out var offset, out var length))
            {
                if (HasPrefix(batch.Bytes.Slice(offset, length), prefix))
                {
                    await sorter.AddRecordAsync(batch.Bytes.Slice(offset, length), cancellationToken);
                }
            }
        }
        WarnIfAllVersions();

        string? lastKey = null;
        // The merge and its decoding run on another core than the planning that consumes them.
        await foreach (var item in ReadAhead.InBackground(sorter.SortAsync(cancellationToken), 512, 2, cancellationToken))
        {
            // Each object should appear once in an inventory; a repeated row is reported, not backed up twice.
            if (lastKey is not null && lastKey == item.Key)
            {
                _observer.Warning($"{Description} lists '{item.Key}' more than once; the first row was used.");
                continue;
            }
            lastKey = item.Key;
            yield return item;
        }
        SortStatistics = sorter.Statistics;
    }

    /// <summary>
    /// Classifies the inventory's rows under the plan's prefix against the previous point's digests
    /// (<see cref="DigestJoin"/>) instead of sorting them all by key: only new and changed rows are sorted.
    /// </summary>
    /// <param name="accepts">The plan's include/exclude filter, or null when it has none.</param>
    internal async Task<DigestPlan> JoinAsync(PointDigestFile previous, Func<string, bool>? accepts, string scratchFolder, ExternalSortOptions deltaSort, CancellationToken cancellationToken)
    {
        // Gzip'd CSV rows take 40-50 bytes each; assuming 20 overestimates the rows, which only adds partitions.
        var expectedRows = Math.Max(previous.Count, _selection.Manifest.DataBytes / 20);
        var join = new DigestJoin(scratchFolder, previous.Seed, expectedRows, ReadLanes, accepts, deltaSort, Description, _observer.Warning);
        Task? scatterPrevious = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // The previous digests scatter on their own thread while the read lanes and this one scatter the rows.
            scatterPrevious = Task.Run(() => join.AddPrevious(previous), cancellationToken);
            var options = new InventoryReadOptions { Counters = Counters };
            var prefix = Utf8Prefix(_plan.SourcePrefix);
            // Each lane checks the prefix and filter, hashes its rows and scatters them into partitions of its own.
            await _reader.ForEachSortRecordAsync(_selection.Manifest, options, ReadLanes, lane => join.ConsumerForLane(lane, record => HasPrefix(record, prefix)), cancellationToken);
            await scatterPrevious;
            WarnIfAllVersions();
            var scattered = clock.Elapsed;
            var plan = await join.JoinAsync(ReadLanes, cancellationToken);
            JoinStatistics = new DigestJoinStatistics(join.Partitions, join.BytesSpilled, scattered, clock.Elapsed - scattered);
            return plan;
        }
        finally
        {
            if (scatterPrevious is not null)
            {
                // Its failure, if any, is rethrown above; here it only must not outlive the files it writes.
                await scatterPrevious.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            await join.DisposeAsync();
        }
    }

    private void WarnIfAllVersions()
    {
        if (Counters.KeptOnlyCurrentVersions)
        {
            _observer.Warning($"{Description} lists all versions: kept only current versions ({Counters.NonCurrentRowsSkipped:N0} noncurrent or delete-marker rows ignored).");
        }
    }

    /// <summary>The prefix as UTF-8, or null when it is not valid Unicode and keys must be compared as strings.</summary>
    private static byte[]? Utf8Prefix(string prefix)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(prefix);
        }
        catch (EncoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Whether the record's key starts with the prefix: for valid Unicode, byte prefixes of UTF-8 are ordinal string prefixes.</summary>
    private bool HasPrefix(ReadOnlySpan<byte> record, byte[]? prefix)
    {
        if (_plan.SourcePrefix.Length == 0)
        {
            return true;
        }
        var (offset, length) = SourceObjectCodec.Instance.LocateSortKey(record);
        var key = record.Slice(offset, length);
        return prefix is not null
            ? key.StartsWith(prefix)
            : Encoding.UTF8.GetString(key).StartsWith(_plan.SourcePrefix, StringComparison.Ordinal);
    }

    public async Task CompleteAsync(SnapshotManifest committed, CancellationToken cancellationToken)
    {
        if (_plan.InventoryCleanup == InventoryCleanup.DoNotDelete)
        {
            return;
        }
        // The point is committed: a cleanup problem is worth a warning, never a failed backup.
        try
        {
            var cleaner = new InventoryCleaner(_reader.Store);
            await cleaner.DeleteAsync(_selection.Chosen, cancellationToken);
            if (_plan.InventoryCleanup == InventoryCleanup.DeleteAll)
            {
                await cleaner.DeleteOlderAsync(_selection.Chosen.Location, _selection.Chosen.Timestamp, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _observer.Warning($"Backup point {committed.Id} is complete, but cleaning up {Description} failed: {e.Message}");
        }
    }
}
