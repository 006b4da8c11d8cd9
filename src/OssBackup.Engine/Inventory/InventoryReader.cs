using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// Finds, validates and streams the bucket inventories an inventory rule writes (OSS layout, which S3 shares):
/// <c>[&lt;prefix&gt;/]&lt;source bucket&gt;/&lt;inventory id&gt;/&lt;YYYY-MM-DDTHH-MMZ&gt;/manifest.json</c> +
/// <c>manifest.checksum</c> per run, data files named by the manifest. The store must be rooted at the
/// inventory bucket (names are the bucket's keys), e.g. an <see cref="S3BlobStore"/> without a root prefix.
/// </summary>
/// <summary>
/// Takes one sort record on a read lane, with the fields it was made of (both valid only during the call); completes at
/// once unless it must wait to hand the record on.
/// </summary>
internal delegate ValueTask RecordConsumer(ReadOnlySpan<byte> record, in SourceObjectCodec.VersionFields fields);

public sealed class InventoryReader(IBlobStore store)
{
    private const string ManifestName = "manifest.json";
    private const string ChecksumName = "manifest.checksum";
    private static readonly string[] IgnoredFolders = ["data", "hive"];

    public IBlobStore Store { get; } = store;

    /// <summary>
    /// Every run under the location that has a manifest.json, newest first (by the time in the folder name).
    /// Reads manifest.json and manifest.checksum of each run as the sequence is consumed; never data files.
    /// Folders whose names are not run times (<c>data/</c>, <c>hive/</c>, anything else) are not runs.
    /// </summary>
    public async IAsyncEnumerable<InventoryCandidate> ListAsync(InventoryLocation location, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var run in await ListRunsAsync(location, cancellationToken))
        {
            yield return await InspectAsync(location, run, cancellationToken);
        }
    }

    /// <summary>The manifest a backup should use now; see <see cref="SelectAsync"/> for the rules.</summary>
    public async Task<InventoryManifest> SelectNewestAsync(InventoryLocation location, TimeSpan maxAge, DateTimeOffset now, DateTimeOffset? lastUsedCreationTime, CancellationToken cancellationToken) =>
        (await SelectAsync(location, maxAge, now, lastUsedCreationTime, cancellationToken)).Manifest;

    /// <summary>
    /// Chooses the inventory a backup uses. Only the newest inventory counts, never an older one as a fallback:
    /// <list type="number">
    /// <item>Runs that have no manifest.checksum yet are being written (the checksum is written last): the
    /// newest of those are passed over and reported in <see cref="InventorySelection.SkippedIncomplete"/>, and the
    /// newest COMPLETE run is the candidate. (Taking it is safe: it is what was newest a moment before.)</item>
    /// <item>If that run is broken (checksum mismatch, unparsable manifest, not CSV, missing columns, another
    /// source bucket) the selection fails (<see cref="InventoryErrorKind.Unusable"/>); an older run is not tried,
    /// because silently backing up from stale data would hide a fault the user must fix.</item>
    /// <item>It must be at most <paramref name="maxAge"/> old (<see cref="InventoryErrorKind.TooOld"/>) and newer
    /// than the one the previous backup used (<see cref="InventoryErrorKind.NotUpdated"/>), both by creationTimestamp.</item>
    /// </list>
    /// No run at all fails with <see cref="InventoryErrorKind.NotFound"/>; only incomplete runs with
    /// <see cref="InventoryErrorKind.Incomplete"/>.
    /// </summary>
    public async Task<InventorySelection> SelectAsync(InventoryLocation location, TimeSpan maxAge, DateTimeOffset now, DateTimeOffset? lastUsedCreationTime, CancellationToken cancellationToken)
    {
        var runs = await ListRunsAsync(location, cancellationToken);
        var skipped = new List<InventoryCandidate>();
        InventoryCandidate? newest = null;
        foreach (var run in runs)
        {
            var candidate = await InspectAsync(location, run, cancellationToken);
            if (candidate.IsComplete)
            {
                newest = candidate;
                break;
            }
            skipped.Add(candidate);
        }
        var where = $"{location.InventoryBucket}/{location.Folder}";
        if (newest is null)
        {
            if (skipped.Count == 0)
            {
                throw new InventoryException(InventoryErrorKind.NotFound,
                    $"No inventory list is available under {where}: check that an inventory rule with id '{location.InventoryId}' on bucket " +
                    $"'{location.SourceBucket}' writes CSV to bucket '{location.InventoryBucket}'{(location.DestinationPrefix.Trim('/').Length > 0 ? $" with prefix '{location.DestinationPrefix.Trim('/')}'" : "")}, " +
                    "and that its first run has finished (the first list can take a day or more).")
                { Key = location.Folder };
            }
            throw new InventoryException(InventoryErrorKind.Incomplete,
                $"No complete inventory list is available under {where}: the newest run {skipped[0].Folder} has no manifest.checksum yet, " +
                "so it is still being written (or its writing failed). Retry later.")
            { Key = skipped[0].Folder };
        }
        var note = skipped.Count == 0
            ? ""
            : $" (A newer run, {skipped[0].Folder}, is still being written: manifest.checksum is missing; retry once it is complete.)";
        if (!newest.IsUsable)
        {
            throw new InventoryException(InventoryErrorKind.Unusable,
                $"The newest inventory {newest.Folder} in bucket '{location.InventoryBucket}' cannot be used: {newest.Problem}.{note}")
            { Key = newest.Folder };
        }
        var manifest = newest.Manifest!;
        var age = now - manifest.CreationTime;
        if (age > maxAge)
        {
            throw new InventoryException(InventoryErrorKind.TooOld,
                $"The newest inventory ({Time(manifest.CreationTime)}, {newest.Folder}) is older than {Duration(maxAge)}: it is {Duration(age)} old. " +
                $"Check that the inventory rule '{location.InventoryId}' on bucket '{location.SourceBucket}' is enabled and runs often enough, " +
                $"or allow an older inventory.{note}")
            { Key = newest.Folder };
        }
        if (lastUsedCreationTime is { } last && manifest.CreationTime <= last)
        {
            throw new InventoryException(InventoryErrorKind.NotUpdated,
                $"The inventory was not updated since the last backup: newest is {Time(manifest.CreationTime)} ({newest.Folder}), " +
                $"the last backup used {Time(last)}. Wait for the next inventory run, or back up by listing the bucket.{note}")
            { Key = newest.Folder };
        }
        return new InventorySelection(newest, skipped);
    }

    /// <summary>
    /// Streams the rows of every data file the manifest names (or <see cref="InventoryReadOptions.Files"/>), one
    /// file at a time and never a whole file in memory. Each file's size and MD5 are verified at its end, so a
    /// caller must treat rows as provisional until the sequence completes: a failure after some rows
    /// (<see cref="InventoryErrorKind.DataFileCorrupt"/>) invalidates the whole inventory. In an all-versions
    /// inventory only current versions that are not delete markers are returned
    /// (<see cref="InventoryReadCounters.KeptOnlyCurrentVersions"/> says so).
    /// </summary>
    /// <exception cref="InventoryException">Unusable, DataFileMissing, DataFileCorrupt or RowInvalid.</exception>
    public async IAsyncEnumerable<InventoryRow> ReadRowsAsync(InventoryManifest manifest, InventoryReadOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        options ??= new InventoryReadOptions();
        var (columns, counters) = PrepareRead(manifest, options);
        foreach (var file in options.Files ?? manifest.Files)
        {
            await using var reader = await InventoryFileReader.OpenAsync(Store, file, manifest, columns, options.BufferSize, counters, cancellationToken);
            while (await reader.MoveNextAsync(cancellationToken))
            {
                yield return reader.Current;
            }
        }
    }

    /// <summary>
    /// The rows <see cref="ReadRowsAsync"/> returns, each written as a sort record
    /// (<see cref="SourceObjectCodec.WriteRecord"/>) into the one buffer this yields every time: its content is
    /// valid until the next row. Same checks, same errors, no string or object per row.
    /// </summary>
    internal async IAsyncEnumerable<BinaryWriterBuffer> ReadSortRecordsAsync(InventoryManifest manifest, InventoryReadOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One lane reads the files one after the other, in order.
        var record = new BinaryWriterBuffer(1024);
        await foreach (var batch in ReadSortRecordBatchesAsync(manifest, options, 1, cancellationToken))
        {
            var position = 0;
            while (batch.Next(ref position, out var offset, out var length))
            {
                record.Clear();
                record.WriteBytes(batch.Bytes.Slice(offset, length));
                yield return record;
            }
        }
    }

    /// <summary>
    /// The records of <see cref="ReadSortRecordsAsync"/>, read by up to <paramref name="lanes"/> tasks at once,
    /// each taking the next unread data file, and handed over in batches (yielded batches are reused: done
    /// with one once the next is asked for). Rows of different files interleave in no particular order.
    /// The first failure of any file ends the sequence with its error; the other files stop being read.
    /// </summary>
    internal async IAsyncEnumerable<RecordBatch> ReadSortRecordBatchesAsync(InventoryManifest manifest, InventoryReadOptions? options, int lanes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filled = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(2 * lanes) { SingleReader = true });
        var emptied = Channel.CreateUnbounded<RecordBatch>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = new RecordBatch?[lanes];
        RecordConsumer BatchInto(int lane) => (ReadOnlySpan<byte> record, in SourceObjectCodec.VersionFields _) =>
        {
            var batch = batches[lane] ??= emptied.Reader.TryRead(out var reused) ? reused : new RecordBatch();
            batch.Add(record);
            if (!batch.IsFull)
            {
                return default;
            }
            batches[lane] = null;
            return filled.Writer.WriteAsync(batch, stop.Token);
        };
        async Task LastBatchesAsync()
        {
            foreach (var batch in batches)
            {
                if (batch is { Count: > 0 })
                {
                    await filled.Writer.WriteAsync(batch, stop.Token);
                }
            }
        }
        var reading = Task.Run(async () =>
        {
            try
            {
                await ForEachSortRecordAsync(manifest, options, lanes, BatchInto, stop.Token);
                await LastBatchesAsync();
                filled.Writer.TryComplete();
            }
            catch (Exception e)
            {
                // the consumer hears of the first failure at once
                filled.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            while (await filled.Reader.WaitToReadAsync(cancellationToken))
            {
                while (filled.Reader.TryRead(out var batch))
                {
                    yield return batch;
                    batch.Clear();
                    emptied.Writer.TryWrite(batch);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reading;
        }
    }

    /// <summary>
    /// Reads the data files on up to <paramref name="lanes"/> tasks at once, each taking the next unread file, and hands
    /// every record (<see cref="ReadSortRecordsAsync"/>) to its lane's consumer on that lane: per-row work that needs no
    /// order (filters, hashes, scattering) so runs on every core. The first failure stops the other lanes and is thrown.
    /// </summary>
    internal async Task ForEachSortRecordAsync(InventoryManifest manifest, InventoryReadOptions? options, int lanes,
        Func<int, RecordConsumer> consumerForLane, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        options ??= new InventoryReadOptions();
        var (columns, counters) = PrepareRead(manifest, options);
        var files = options.Files ?? manifest.Files;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var nextFile = -1;
        async Task ReadLaneAsync(int lane)
        {
            try
            {
                var consume = consumerForLane(lane);
                var record = new BinaryWriterBuffer(1024);
                int index;
                while ((index = Interlocked.Increment(ref nextFile)) < files.Count)
                {
                    await using var reader = await InventoryFileReader.OpenAsync(Store, files[index], manifest, columns, options.BufferSize, counters, stop.Token);
                    await reader.ReadRecordsAsync(record, consume, stop.Token);
                }
            }
            catch
            {
                // the other lanes stop at their next row; the first failure is the one thrown
                await stop.CancelAsync();
                throw;
            }
        }
        var readers = Enumerable.Range(0, Math.Min(lanes, files.Count)).Select(lane => Task.Run(() => ReadLaneAsync(lane), CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(readers);
        }
        catch (Exception) when (readers.FirstOrDefault(r => r.IsFaulted && r.Exception!.GetBaseException() is not OperationCanceledException) is { } first
            && !cancellationToken.IsCancellationRequested)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first.Exception!.GetBaseException()).Throw();
            throw;
        }
    }

    private static (InventoryColumns Columns, InventoryReadCounters Counters) PrepareRead(InventoryManifest manifest, InventoryReadOptions options)
    {
        var problems = ReadProblems(manifest);
        if (problems.Count > 0)
        {
            throw new InventoryException(InventoryErrorKind.Unusable,
                $"The inventory {manifest.RunFolder} cannot be read: {string.Join("; ", problems)}.")
            { Key = manifest.RunFolder };
        }
        var counters = options.Counters ?? new InventoryReadCounters();
        if (manifest.IsAllVersions)
        {
            counters.MarkAllVersions();
        }
        return (InventoryColumns.For(manifest), counters);
    }

    /// <summary>Why a manifest's rows cannot be read by this reader (format, columns); empty when they can.</summary>
    public static IReadOnlyList<string> ReadProblems(InventoryManifest manifest)
    {
        var problems = new List<string>();
        if (!manifest.IsCsv)
        {
            problems.Add($"its format is {manifest.FileFormat}, and only CSV inventories can be read: set the inventory rule's format to CSV");
        }
        var missing = manifest.MissingRequiredColumns();
        if (missing.Count > 0)
        {
            problems.Add($"its schema lacks the required column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} " +
                $"(fileSchema: {string.Join(", ", manifest.Schema)}): add {(missing.Count > 1 ? "them" : "it")} to the inventory rule's fields");
        }
        return problems;
    }

    /// <summary>Run folders with a manifest.json, newest first.</summary>
    internal async Task<List<RunFolder>> ListRunsAsync(InventoryLocation location, CancellationToken cancellationToken)
    {
        var folder = location.Folder;
        var runs = new Dictionary<string, RunFolder>(StringComparer.Ordinal);
        await foreach (var file in Store.ListAsync(folder, cancellationToken))
        {
            var rest = file.Name.AsSpan(folder.Length);
            var slash = rest.IndexOf('/');
            if (slash <= 0)
            {
                continue;
            }
            var name = rest[..slash].ToString();
            var leaf = rest[(slash + 1)..];
            if (IgnoredFolders.Contains(name, StringComparer.Ordinal) || !(leaf.SequenceEqual(ManifestName) || leaf.SequenceEqual(ChecksumName)))
            {
                continue;
            }
            if (!runs.TryGetValue(name, out var run))
            {
                if (!InventoryManifest.TryParseRunTimestamp(name, out var timestamp))
                {
                    continue;
                }
                run = new RunFolder(folder + name + "/", timestamp);
                runs.Add(name, run);
            }
            if (leaf.SequenceEqual(ManifestName))
            {
                run.HasManifest = true;
            }
            else
            {
                run.HasChecksum = true;
            }
        }
        return runs.Values
            .Where(r => r.HasManifest)
            .OrderByDescending(r => r.Timestamp)
            .ThenByDescending(r => r.Folder, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads one run's manifest.json and manifest.checksum and says whether the run can be used.</summary>
    internal async Task<InventoryCandidate> InspectAsync(InventoryLocation location, RunFolder run, CancellationToken cancellationToken)
    {
        var manifestKey = run.Folder + ManifestName;
        var json = await ReadSmallAsync(manifestKey, cancellationToken);
        if (json is null)
        {
            return new InventoryCandidate(location, run.Folder, run.Timestamp, run.HasChecksum, null, "manifest.json was deleted while the inventory was being listed");
        }
        InventoryManifest? manifest = null;
        string? parseProblem = null;
        try
        {
            manifest = InventoryManifest.Parse(json, run.Folder);
        }
        catch (InventoryException e)
        {
            parseProblem = e.Message.TrimEnd('.');
        }
        var checksum = run.HasChecksum ? await ReadSmallAsync(run.Folder + ChecksumName, cancellationToken) : null;
        if (checksum is null)
        {
            return new InventoryCandidate(location, run.Folder, run.Timestamp, false, manifest,
                "incomplete: manifest.checksum is missing (the inventory may still be being written)");
        }
        var problems = new List<string>();
        var expected = Encoding.UTF8.GetString(checksum).Trim().Trim('\uFEFF').Trim();
        var actual = Convert.ToHexString(MD5.HashData(json));
        if (!string.Equals(expected, actual, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"manifest.checksum ({Shorten(expected)}) does not match the MD5 of manifest.json ({actual}): the manifest is damaged or was replaced");
        }
        if (manifest is null)
        {
            problems.Add(parseProblem!);
        }
        else
        {
            problems.AddRange(ReadProblems(manifest));
            if (!string.Equals(manifest.SourceBucket, location.SourceBucket, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"it lists bucket '{manifest.SourceBucket}', not '{location.SourceBucket}' (sourceBucket in manifest.json)");
            }
        }
        return new InventoryCandidate(location, run.Folder, run.Timestamp, true, manifest, problems.Count == 0 ? null : string.Join("; ", problems));
    }

    private async Task<byte[]?> ReadSmallAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await Store.GetAsync(name, 0, null, cancellationToken);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, cancellationToken);
            return memory.ToArray();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>"7 days", "1 day 6 hours", "3 hours 5 minutes", "12 minutes".</summary>
    internal static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "-" + Duration(-span);
        }
        static string Unit(long n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";
        var parts = new List<string>();
        if (span.Days > 0)
        {
            parts.Add(Unit(span.Days, "day"));
        }
        if (span.Hours > 0)
        {
            parts.Add(Unit(span.Hours, "hour"));
        }
        if (span.Days == 0 && (span.Minutes > 0 || parts.Count == 0))
        {
            parts.Add(Unit(span.Minutes, "minute"));
        }
        return string.Join(" ", parts);
    }

    /// <summary>A run folder as listed: its key prefix, the time in its name, which manifest files it holds.</summary>
    internal sealed class RunFolder(string folder, DateTimeOffset timestamp)
    {
        public string Folder { get; } = folder;
        public DateTimeOffset Timestamp { get; } = timestamp;
        public bool HasManifest { get; set; }
        public bool HasChecksum { get; set; }
    }
}
