using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;
using OssBackup.Engine.Vault;
using Xunit.Abstractions;

namespace OssBackup.Engine.Tests.Planning;

[Collection(nameof(MemoryMeasurementCollection))]
public sealed class PlanningScaleTests(ITestOutputHelper output)
{
    // The million previous entries and the million scanned rows would take hundreds of MB as objects;
    // planning holds one table segment, the sort buffer and read buffers.
    private const long MemoryBound = 120L << 20;
    private const int Total = 1_000_000;
    private static readonly DateTimeOffset Modified = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public async Task Planning_a_million_row_inventory_against_a_million_object_point_stays_within_a_fixed_memory_bound()
    {
        using var scratch = new TempFolder("plan-scale");
        var (vault, previous) = await WritePreviousPointAsync(scratch, digest: null);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var peak = 0L;
        var counters = new PlanCounters();
        var (unchanged, created, changed) = (0L, 0L, 0L);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectCodec.Instance, scratch.Combine("sort"), new ExternalSortOptions { MaxBufferedRecords = 100_000 });
        await using (sorter)
        {
            foreach (var (i, row) in ScanRows())
            {
                await sorter.AddAsync(row);
                if (i % 50_000 == 0)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
                }
            }
            using var reader = vault.NewBlobReader();
            (unchanged, created, changed, var stepsPeak) = await CountStepsAsync(
                BackupPlanner.PlanAsync(sorter.SortAsync(), "test scan", TableReader.ReadAsync(reader, previous.Segments, null, CancellationToken.None), _ => true, counters, CancellationToken.None),
                baseline);
            peak = Math.Max(peak, stepsPeak);
        }

        output.WriteLine($"peak managed memory above baseline: {peak / (1 << 20)} MiB; unchanged {unchanged}, new {created}, changed {changed}, deleted {counters.Deleted}");
        Assert.Equal(Total / 200, created);
        Assert.Equal(Total / 200, counters.Deleted);
        Assert.Equal(Total - Total / 200 - created - changed, unchanged);
        Assert.InRange(changed, Total / 100 - Total / 200, Total / 100);
        Assert.InRange(peak, 0, MemoryBound);
    }

    [Fact]
    public async Task Planning_a_million_row_inventory_against_a_million_object_point_from_its_digest_stays_within_the_same_memory_bound()
    {
        using var scratch = new TempFolder("plan-scale-digest");
        const long seed = 0x5eed_d16e_57;
        var digestPath = PointDigestFile.PathFor(scratch.Combine("digests"), "vault", "scale");
        SnapshotManifest previous;
        VaultRepository vault;
        using (var writer = new PointDigestFile.Writer(scratch.Combine("digest-tmp"), seed))
        {
            (vault, previous) = await WritePreviousPointAsync(scratch, writer);
            writer.Complete(previous.Id, digestPath);
        }
        var digests = PointDigestFile.TryOpen(digestPath, previous.Id, Total - Total / 200);
        Assert.NotNull(digests);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var counters = new PlanCounters();
        var warnings = new List<string>();
        var (unchanged, created, changed) = (0L, 0L, 0L);
        var (inputPeak, joinPeak, stepsPeak) = (0L, 0L, 0L);
        var join = new DigestJoin(scratch.Combine("join"), seed, Total, 2, null, new ExternalSortOptions { MaxBufferedRecords = 100_000 }, "test inventory", warnings.Add);
        await using (join)
        {
            join.AddPrevious(digests);
            inputPeak = GC.GetTotalMemory(false) - baseline;
            // Two read lanes, as the inventory reader hands them rows: each scatters into partitions of its own.
            var lanes = new[] { join.ConsumerForLane(0, _ => true), join.ConsumerForLane(1, _ => true) };
            var record = new BinaryWriterBuffer();
            var fed = 0L;
            foreach (var (i, row) in ScanRows())
            {
                record.Clear();
                SourceObjectCodec.Instance.Write(record, row);
                await lanes[fed++ % 2](record.WrittenSpan, SourceObjectCodec.ReadVersionFields(record.WrittenSpan));
                if (i % 50_000 == 0)
                {
                    inputPeak = Math.Max(inputPeak, GC.GetTotalMemory(false) - baseline);
                }
            }
            // The partitions are joined in memory one per thread: sample while they are, not only after. Collecting first
            // measures what the join holds, as the step stream's samples do, not the garbage of arrays it has outgrown.
            using var joining = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                var most = 0L;
                while (!joining.IsCancellationRequested)
                {
                    GC.Collect();
                    most = Math.Max(most, GC.GetTotalMemory(false) - baseline);
                    await Task.Delay(10, CancellationToken.None);
                }
                return most;
            }, CancellationToken.None);
            DigestPlan plan;
            try
            {
                plan = await join.JoinAsync(2, CancellationToken.None);
            }
            finally
            {
                await joining.CancelAsync();
                joinPeak = await sampler;
            }
            await using (plan)
            {
                using var reader = vault.NewBlobReader();
                (unchanged, created, changed, stepsPeak) = await CountStepsAsync(
                    BackupPlanner.PlanFromDigestsAsync(plan, TableReader.ReadAsync(reader, previous.Segments, null, CancellationToken.None), "test point", _ => true, counters, CancellationToken.None),
                    baseline);
            }
        }
        var peak = Math.Max(inputPeak, Math.Max(joinPeak, stepsPeak));

        output.WriteLine($"peak managed memory above baseline: {peak / (1 << 20)} MiB (input {inputPeak / (1 << 20)} MiB, join {joinPeak / (1 << 20)} MiB, steps {stepsPeak / (1 << 20)} MiB); unchanged {unchanged}, new {created}, changed {changed}, deleted {counters.Deleted}");
        Assert.Empty(warnings);
        Assert.Equal(Total / 200, created);
        Assert.Equal(Total / 200, counters.Deleted);
        Assert.Equal(Total - Total / 200 - created - changed, unchanged);
        Assert.InRange(changed, Total / 100 - Total / 200, Total / 100);
        Assert.InRange(peak, 0, MemoryBound);
    }

    /// <summary>Counts a plan's steps by kind, and samples managed memory above <paramref name="baseline"/> every 100,000 steps.</summary>
    private static async Task<(long Unchanged, long Created, long Changed, long Peak)> CountStepsAsync(IAsyncEnumerable<PlanStep> steps, long baseline)
    {
        var (unchanged, created, changed, peak, seen) = (0L, 0L, 0L, 0L, 0L);
        await foreach (var step in steps)
        {
            switch (step.Action)
            {
                case PlanAction.Unchanged: unchanged++; break;
                case PlanAction.Read when step.Before is null: created++; break;
                case PlanAction.Read: changed++; break;
            }
            if (++seen % 100_000 == 0)
            {
                GC.Collect();
                peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
            }
        }
        return (unchanged, created, changed, peak);
    }

    /// <summary>
    /// The previous point: every key but one in 200 (new in the scan), all at version 0. With a digest writer, each entry's
    /// digest is written as the entry is added, as a backup does.
    /// </summary>
    private static async Task<(VaultRepository Vault, SnapshotManifest Previous)> WritePreviousPointAsync(TempFolder scratch, PointDigestFile.Writer? digest)
    {
        var vault = await VaultRepository.CreateAsync(new FileBlobStore(scratch.Combine("vault")), CancellationToken.None);
        await using var sink = new SharedPackSink(vault, scratch.Combine("packs"));
        var table = new TableWriter(sink, new BlobIndex());
        for (var i = 0; i < Total; i++)
        {
            if (i % 200 == 7)
            {
                continue; // new in the scan
            }
            var entry = new ObjectEntry(Key(i), 1000 + i % 977, Etag(i, 0), Modified, "Standard", [], []);
            await table.AddAsync(entry, CancellationToken.None);
            digest?.Add(ObjectDigest.Of(entry, digest.Seed));
        }
        var segments = await table.CompleteAsync(CancellationToken.None);
        await vault.WriteIndexAsync(await sink.CompleteAsync(CancellationToken.None), CancellationToken.None);
        return (vault, new SnapshotManifest { Id = "scale", Table = segments.Select(SegmentDto.From).ToList() });
    }

    /// <summary>
    /// The scan, unsorted as inventory rows arrive: one key in 200 gone since the point, one in 100 changed (a new ETag
    /// an hour later), with the index each row was made from.
    /// </summary>
    private static IEnumerable<(int Index, SourceObject Row)> ScanRows()
    {
        foreach (var i in Shuffled(Total))
        {
            if (i % 200 == 11)
            {
                continue;
            }
            var version = i % 100 == 3 ? 1 : 0;
            yield return (i, new SourceObject(Key(i), 1000 + i % 977, Etag(i, version), version == 0 ? Modified : Modified.AddHours(1), "Standard"));
        }
    }

    private static string Key(int i) => $"photos/{i / 10_000:D3}/IMG_{i:D8}.jpg";

    private static string Etag(int i, int version) => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(BitConverter.GetBytes(i * 31L + version))).ToLowerInvariant();

    private static IEnumerable<int> Shuffled(int count)
    {
        // A full-period linear congruential walk: every index once, in scrambled order, without an array.
        const long multiplier = 1_103_515_245, increment = 12_345, modulus = 1L << 20;
        long x = 0;
        for (long n = 0; n < modulus; n++)
        {
            x = (multiplier * x + increment) % modulus;
            if (x < count)
            {
                yield return (int)x;
            }
        }
    }
}
