using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using OssBackup.Engine.Inventory;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.PlanningBench;

/// <summary>
/// The engine's planning, each mode in a process of its own:
/// <list type="bullet">
/// <item><c>ours</c>: the production path of an incremental inventory backup, up to its plan: InventoryScan.OpenAsync
/// (select and validate the newest run), the previous point's digest, InventoryScan.JoinAsync (read lanes scatter rows
/// by key digest, partitions joined with the digest), then the delta sorted by key and the dropped objects listed.</item>
/// <item><c>ours-steps</c>: the same, plus BackupPlanner.PlanFromDigestsAsync: the key-ordered merge with the previous
/// point's table that hands every step (unchanged ones included) to the backup.</item>
/// <item><c>ours-sorted</c>: the plan as a first backup makes it (and as every backup made it before digests):
/// every row sorted by key (ExternalSorter, default options), merge-joined by BackupPlanner.PlanAsync with TableReader.</item>
/// <item><c>digest-build</c>: what a machine without the previous point's digest pays once: building it from the table.</item>
/// <item>Profile modes, to see where the time goes: <c>gunzip</c> (decompress the data files, nothing else),
/// <c>read</c> (the production read lanes: data files -> sort record batches), <c>sort</c> (InventoryScan.ReadAsync:
/// read + ExternalSorter + decode, drained without a join), <c>table</c> (TableReader over the previous point,
/// nothing else).</item>
/// </list>
/// </summary>
internal static class OursRunner
{
    private static readonly TimeSpan AnyAge = TimeSpan.FromDays(36500);

    public static async Task<RunResult> RunAsync(string mode, Dataset dataset, CancellationToken cancellationToken)
    {
        using var trace = MemoryTrace.StartIfAsked(dataset.ScratchFolder);
        return await RunModeAsync(mode, dataset, trace, cancellationToken);
    }

    /// <summary>
    /// The sort's options: the default, unless OSSBACKUP_BENCH_SORT_BUFFER_MIB (MaxBufferedBytes) or
    /// OSSBACKUP_BENCH_SORT_MAX_OPEN_RUNS say otherwise: small buffers make a small dataset spill as many runs
    /// (and intermediate merges) as a large one, to study what the run count costs without 100M rows.
    /// </summary>
    private static ExternalSortOptions SortOptions()
    {
        var options = ExternalSortOptions.Default;
        if (Environment.GetEnvironmentVariable("OSSBACKUP_BENCH_SORT_BUFFER_MIB") is { Length: > 0 } mib)
        {
            options = options with { MaxBufferedBytes = long.Parse(mib, System.Globalization.CultureInfo.InvariantCulture) << 20 };
        }
        if (Environment.GetEnvironmentVariable("OSSBACKUP_BENCH_SORT_MAX_OPEN_RUNS") is { Length: > 0 } fanIn)
        {
            options = options with { MaxOpenRuns = int.Parse(fanIn, System.Globalization.CultureInfo.InvariantCulture) };
        }
        return options;
    }

    private static async Task<RunResult> RunModeAsync(string mode, Dataset dataset, MemoryTrace? trace, CancellationToken cancellationToken) => mode switch
    {
        "ours" => await PlanByDigestsAsync(dataset, trace, withSteps: false, cancellationToken),
        "ours-steps" => await PlanByDigestsAsync(dataset, trace, withSteps: true, cancellationToken),
        "ours-sorted" => await PlanAsync(dataset, trace, cancellationToken),
        "digest-build" => await BuildDigestAsync(dataset, cancellationToken),
        "csv" or "csv-fields" => await CsvOnlyAsync(dataset, full: mode == "csv-fields", cancellationToken),
        "gunzip" => await GunzipAsync(dataset, cancellationToken),
        "read" => await ReadAsync(dataset, cancellationToken),
        "sort" => await SortAsync(dataset, trace, cancellationToken),
        "table" => await TableAsync(dataset, cancellationToken),
        "carry" or "carry-dedupe" or "carry-read" => await CarryRunner.RunAsync(mode, dataset, cancellationToken),
        _ => throw new ArgumentException($"Unknown mode '{mode}'.", nameof(mode)),
    };

    private static BackupPlan Plan() => new()
    {
        Name = "planning-bench",
        SourceBucket = Synthetic.SourceBucket,
        InventoryBucket = Dataset.InventoryBucket,
        InventoryPrefix = Dataset.InventoryPrefix,
        InventoryId = Dataset.InventoryId,
        InventoryMaxAge = AnyAge,
    };

    /// <summary>
    /// The production path of an incremental inventory backup up to its plan: select and validate the inventory, open
    /// the previous point's digest (its checksum checked), scatter and join (InventoryScan.JoinAsync), then sort the delta
    /// and list the dropped objects. With <paramref name="withSteps"/>, also the key-ordered merge with the previous
    /// point's table (BackupPlanner.PlanFromDigestsAsync) that hands every step, unchanged ones included, to the backup.
    /// </summary>
    private static async Task<RunResult> PlanByDigestsAsync(Dataset dataset, MemoryTrace? trace, bool withSteps, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(dataset.VaultRoot), cancellationToken);
        var previous = await vault.LoadSnapshotAsync(dataset.SnapshotId, cancellationToken);
        var scan = await InventoryScan.OpenAsync(Plan(), new FileBlobStore(dataset.InventoryRoot), previous, NullObserver.Instance,
            dataset.ScratchFolder, SortOptions(), cancellationToken);
        var digestPath = PointDigestFile.PathFor(dataset.DigestCacheRoot, vault.Config.Id, previous.Id);
        var digests = PointDigestFile.TryOpen(digestPath, previous.Id, previous.Stats.ObjectCount)
            ?? throw new InvalidOperationException($"No digest of the previous point at {digestPath}: run 'mode digest-build' on this dataset first.");
        var opened = clock.Elapsed;
        trace?.Mark("read + scatter + join");
        await using var plan = await scan.JoinAsync(digests, null, Path.Combine(dataset.ScratchFolder, "plan"), SortOptions(), cancellationToken);
        var joined = clock.Elapsed;
        trace?.Mark(withSteps ? "delta sort + table merge" : "delta sort + dropped list");
        long unchanged = 0, readNew = 0, readChanged = 0, skip = 0, deleted = 0;
        var deltaSorted = TimeSpan.Zero;
        if (withSteps)
        {
            using var reader = vault.NewBlobReader();
            var counters = new PlanCounters();
            await foreach (var step in BackupPlanner.PlanFromDigestsAsync(plan, TableReader.ReadAsync(reader, previous.Segments, null, cancellationToken),
                $"backup point {previous.Id}", _ => true, counters, cancellationToken))
            {
                Count(step, ref unchanged, ref readNew, ref readChanged, ref skip);
            }
            deleted = counters.Deleted;
        }
        else
        {
            long deltaRows = 0;
            await foreach (var _ in plan.Delta(cancellationToken))
            {
                deltaRows++;
            }
            deltaSorted = clock.Elapsed;
            using var dropped = plan.DroppedOrdinals();
            while (dropped.MoveNext())
            {
                deleted++;
            }
            (unchanged, readNew, readChanged, skip) = (plan.Counts.Unchanged, plan.Counts.New, plan.Counts.Changed, plan.Counts.Skipped);
            if (deltaRows != readNew + readChanged + skip)
            {
                throw new InvalidOperationException($"The delta has {deltaRows:N0} rows, the join counted {readNew + readChanged + skip:N0}.");
            }
        }
        var total = clock.Elapsed;
        var statistics = scan.JoinStatistics!;
        return Result(withSteps ? "ours-steps" : "ours", dataset, total, new PlanCounts(unchanged, readNew, readChanged, skip, deleted),
            new()
            {
                ["of which read + scatter (until the last row)"] = statistics.ReadAndScatter.TotalSeconds,
                ["of which join (partitions)"] = statistics.Join.TotalSeconds,
                ["partitions"] = statistics.Partitions,
                ["scratch MiB written"] = statistics.BytesSpilled / 1048576.0,
                ["open (select + validate manifest, load snapshot, check the digest)"] = opened.TotalSeconds,
                ["read + scatter + join"] = (joined - opened).TotalSeconds,
                [withSteps ? "delta sort + key-ordered merge with the table (every step)" : "delta sort + dropped ordinals"] = (total - joined).TotalSeconds,
                ["of which delta sort"] = withSteps ? 0 : (deltaSorted - joined).TotalSeconds,
            });
    }

    private static void Count(PlanStep step, ref long unchanged, ref long readNew, ref long readChanged, ref long skip)
    {
        switch (step.Action)
        {
            case PlanAction.Unchanged:
                unchanged++;
                break;
            case PlanAction.Skip:
                skip++;
                break;
            case PlanAction.Read when step.Before is null:
                readNew++;
                break;
            default:
                readChanged++;
                break;
        }
    }

    /// <summary>
    /// The CSV parser alone (<c>csv</c>), or with the production decoding of key, size, time and ETag into a sort record
    /// (<c>csv-fields</c>), three passes over the first data file decompressed in memory beforehand (untimed). Assumes the
    /// generator's column order.
    /// </summary>
    private static async Task<RunResult> CsvOnlyAsync(Dataset dataset, bool full, CancellationToken cancellationToken)
    {
        var csvBytes = new MemoryStream();
        await using (var gzip = new GZipStream(File.OpenRead(dataset.DataFiles[0]), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(csvBytes, cancellationToken);
        }
        var clock = Stopwatch.StartNew();
        var cpu = RunResult.CpuNow();
        long records = 0, fieldBytes = 0;

        var record = new OssBackup.Engine.Util.BinaryWriterBuffer(1024);
        var scratch = new byte[256];
        for (var pass = 0; pass < 3; pass++)
        {
            csvBytes.Position = 0;
            using var csv = new CsvRecordReader(csvBytes);
            while (await csv.ReadAsync(cancellationToken))
            {
                records++;
                if (!full)
                {
                    fieldBytes += csv.GetField(1).Length;
                    continue;
                }
                var key = InventoryValues.DecodeKeyBytes(csv.GetField(1), ref scratch);
                var size = InventoryValues.ParseSize(csv.GetField(2));
                var time = InventoryValues.ParseTimestamp(csv.GetField(4));
                var etag = csv.GetField(5).Trim(" \""u8);
                record.Clear();
                SourceObjectCodec.WriteRecord(record, key, size, time, etag, csv.GetField(3));
                fieldBytes += record.Length;
            }
        }
        return Result(full ? "csv-fields" : "csv", dataset, clock.Elapsed, null, new() { ["records"] = records, ["CPU-s"] = RunResult.CpuNow() - cpu, ["MiB"] = csvBytes.Length * 3 / 1048576.0, ["key bytes"] = fieldBytes });
    }

    /// <summary>What a backup pays once when this machine has no digest of the previous point: building it from the table.</summary>
    private static async Task<RunResult> BuildDigestAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(dataset.VaultRoot), cancellationToken);
        var previous = await vault.LoadSnapshotAsync(dataset.SnapshotId, cancellationToken);
        PointDigests.Forget(dataset.DigestCacheRoot, vault.Config.Id, previous.Id);
        using var reader = vault.NewBlobReader();
        var digests = await PointDigests.OpenOrBuildAsync(reader, previous, dataset.DigestCacheRoot, vault.Config.Id, _ => { }, cancellationToken);
        return Result("digest-build", dataset, clock.Elapsed, null, new() { ["digests"] = digests.Count, ["MiB"] = new FileInfo(digests.Path).Length / 1048576.0 });
    }

    /// <summary>The plan as it was made before digests (and still is for a first backup): every row sorted by key, merge-joined with the table.</summary>
    private static async Task<RunResult> PlanAsync(Dataset dataset, MemoryTrace? trace, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(dataset.VaultRoot), cancellationToken);
        var previous = await vault.LoadSnapshotAsync(dataset.SnapshotId, cancellationToken);
        var scan = await InventoryScan.OpenAsync(Plan(), new FileBlobStore(dataset.InventoryRoot), previous, NullObserver.Instance,
            dataset.ScratchFolder, SortOptions(), cancellationToken);
        var opened = clock.Elapsed;
        trace?.Mark("read + sort input + merge down");

        using var reader = vault.NewBlobReader();
        var counters = new PlanCounters();
        long unchanged = 0, readNew = 0, readChanged = 0, skip = 0;
        TimeSpan? firstStep = null;
        await foreach (var step in BackupPlanner.PlanAsync(scan.ReadAsync(cancellationToken), scan.Description,
            TableReader.ReadAsync(reader, previous.Segments, null, cancellationToken), _ => true, counters, cancellationToken))
        {
            if (firstStep is null)
            {
                firstStep = clock.Elapsed;
                trace?.Mark("final merge + table read + join");
            }
            Count(step, ref unchanged, ref readNew, ref readChanged, ref skip);
        }
        var total = clock.Elapsed;
        var first = firstStep ?? total;
        return Result("ours-sorted", dataset, total, new PlanCounts(unchanged, readNew, readChanged, skip, counters.Deleted),
            new()
            {
                ["open (select + validate manifest, load snapshot)"] = opened.TotalSeconds,
                ["read + decode + sort input (to the first plan step)"] = (first - opened).TotalSeconds,
                ["merge + table read + join (after the first step)"] = (total - first).TotalSeconds,
            });
    }

    private static async Task<RunResult> GunzipAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[1 << 20];
        long bytes = 0;
        foreach (var path in dataset.DataFiles)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            await using var gzip = new GZipStream(new BufferedStream(file, 1 << 20), CompressionMode.Decompress);
            int read;
            while ((read = await gzip.ReadAsync(buffer, cancellationToken)) > 0)
            {
                bytes += read;
            }
        }
        return Result("gunzip", dataset, clock.Elapsed, null, new() { ["decompressed MiB"] = bytes / 1048576.0 });
    }

    /// <summary>
    /// The read lanes of the production path (InventoryReader.ReadSortRecordBatchesAsync, as many lanes as
    /// InventoryScan uses): gzip, CSV, row checks and sort records, batched; nothing is sorted or decoded.
    /// </summary>
    private static async Task<RunResult> ReadAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (reader, manifest) = await OpenInventoryAsync(dataset, cancellationToken);
        long records = 0, bytes = 0;
        await foreach (var batch in reader.ReadSortRecordBatchesAsync(manifest, null, InventoryScan.ReadLanes, cancellationToken))
        {
            records += batch.Count;
            bytes += batch.Bytes.Length;
        }
        return Result("read", dataset, clock.Elapsed, null, new() { ["records"] = records, ["record batch MiB"] = bytes / 1048576.0 });
    }

    /// <summary>
    /// InventoryScan.ReadAsync drained without a join: the production read + sort + decode, split at the first
    /// object out (before it: read and sort input, spills included; after it: final merge and decoding).
    /// </summary>
    private static async Task<RunResult> SortAsync(Dataset dataset, MemoryTrace? trace, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var scan = await InventoryScan.OpenAsync(Plan(), new FileBlobStore(dataset.InventoryRoot), null, NullObserver.Instance,
            dataset.ScratchFolder, SortOptions(), cancellationToken);
        var opened = clock.Elapsed;
        TimeSpan? first = null;
        long count = 0;
        string? last = null;
        await foreach (var item in scan.ReadAsync(cancellationToken))
        {
            if (first is null)
            {
                first = clock.Elapsed;
                trace?.Mark("final merge + decode");
            }
            if (last is not null && KeyOrder.Instance.Compare(last, item.Key) >= 0)
            {
                throw new InvalidDataException("The sort is out of order.");
            }
            last = item.Key;
            count++;
        }
        var total = clock.Elapsed;
        var added = first ?? total;
        var sort = scan.SortStatistics;
        return Result("sort", dataset, total, null, new()
        {
            ["open"] = opened.TotalSeconds,
            ["read + sort input (to the first object)"] = (added - opened).TotalSeconds,
            ["final merge + decode"] = (total - added).TotalSeconds,
            ["runs written"] = sort.RunsWritten,
            ["final merge width"] = sort.FinalMergeWidth,
            ["intermediate merges"] = sort.IntermediateMerges,
            ["spilled MiB (total)"] = sort.BytesWritten / 1048576.0,
            ["records"] = count,
        });
    }

    private static async Task<RunResult> TableAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(dataset.VaultRoot), cancellationToken);
        var previous = await vault.LoadSnapshotAsync(dataset.SnapshotId, cancellationToken);
        using var reader = vault.NewBlobReader();
        long entries = 0, chunks = 0;
        await foreach (var entry in TableReader.ReadAsync(reader, previous.Segments, null, cancellationToken))
        {
            entries++;
            chunks += entry.Chunks.Count;
        }
        return Result("table", dataset, clock.Elapsed, null, new() { ["entries"] = entries, ["chunks"] = chunks, ["segments"] = previous.Table.Count });
    }

    private static async Task<(InventoryReader Reader, InventoryManifest Manifest)> OpenInventoryAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var reader = new InventoryReader(new FileBlobStore(dataset.InventoryRoot));
        var location = new InventoryLocation(Dataset.InventoryBucket, Dataset.InventoryPrefix, Synthetic.SourceBucket, Dataset.InventoryId);
        var selection = await reader.SelectAsync(location, AnyAge, DateTimeOffset.UtcNow, null, cancellationToken);
        return (reader, selection.Manifest);
    }

    internal static RunResult Result(string mode, Dataset dataset, TimeSpan elapsed, PlanCounts? counts, Dictionary<string, double> stages,
        [CallerMemberName] string caller = "")
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        return new RunResult
        {
            Mode = mode,
            Rows = dataset.Rows,
            Seconds = elapsed.TotalSeconds,
            CpuSeconds = RunResult.CpuNow(),
            PeakRssBytes = RunResult.PeakRss(),
            Counts = counts,
            Stages = stages,
            Notes = new()
            {
                ["runner"] = caller,
                ["gc"] = $"gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}, " +
                    $"allocated {GC.GetTotalAllocatedBytes() / 1048576.0:N0} MiB, pause {GC.GetTotalPauseDuration().TotalSeconds:F2} s, " +
                    $"heap at last GC {gc.HeapSizeBytes / 1048576.0:N0} MiB, server GC {System.Runtime.GCSettings.IsServerGC}",
            },
        };
    }
}
