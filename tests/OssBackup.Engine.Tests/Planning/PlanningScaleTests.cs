using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
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

    [Fact]
    public async Task Planning_a_million_row_inventory_against_a_million_object_point_stays_within_a_fixed_memory_bound()
    {
        using var scratch = new TempFolder("plan-scale");
        var vault = await VaultRepository.CreateAsync(new FileBlobStore(scratch.Combine("vault")), CancellationToken.None);
        var index = new BlobIndex();
        var modified = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        SnapshotManifest previous;
        await using (var sink = new SharedPackSink(vault, scratch.Combine("packs")))
        {
            var table = new TableWriter(sink, index);
            for (var i = 0; i < Total; i++)
            {
                if (i % 200 == 7)
                {
                    continue; // new in the scan
                }
                await table.AddAsync(new ObjectEntry(Key(i), 1000 + i % 977, Etag(i, 0), modified, "Standard", [], []), CancellationToken.None);
            }
            var segments = await table.CompleteAsync(CancellationToken.None);
            await vault.WriteIndexAsync(await sink.CompleteAsync(CancellationToken.None), CancellationToken.None);
            previous = new SnapshotManifest { Id = "scale", Table = segments.Select(SegmentDto.From).ToList() };
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var peak = 0L;
        var counters = new PlanCounters();
        var (unchanged, created, changed) = (0L, 0L, 0L);
        var sorter = new ExternalSorter<SourceObject>(SourceObjectCodec.Instance, scratch.Combine("sort"), new ExternalSortOptions { MaxBufferedRecords = 100_000 });
        await using (sorter)
        {
            // The scan arrives unsorted, as inventory rows do; a tenth of a percent are gone since the point.
            foreach (var i in Shuffled(Total))
            {
                if (i % 200 == 11)
                {
                    continue;
                }
                var version = i % 100 == 3 ? 1 : 0;
                await sorter.AddAsync(new SourceObject(Key(i), 1000 + i % 977, Etag(i, version), version == 0 ? modified : modified.AddHours(1), "Standard"));
                if (i % 50_000 == 0)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
                }
            }
            using var reader = vault.NewBlobReader();
            var seen = 0L;
            await foreach (var step in BackupPlanner.PlanAsync(sorter.SortAsync(), "test scan", TableReader.ReadAsync(reader, previous.Segments, null, CancellationToken.None), _ => true, counters, CancellationToken.None))
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
        }

        output.WriteLine($"peak managed memory above baseline: {peak / (1 << 20)} MiB; unchanged {unchanged}, new {created}, changed {changed}, deleted {counters.Deleted}");
        Assert.Equal(Total / 200, created);
        Assert.Equal(Total / 200, counters.Deleted);
        Assert.Equal(Total - Total / 200 - created - changed, unchanged);
        Assert.InRange(changed, Total / 100 - Total / 200, Total / 100);
        Assert.InRange(peak, 0, MemoryBound);
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
