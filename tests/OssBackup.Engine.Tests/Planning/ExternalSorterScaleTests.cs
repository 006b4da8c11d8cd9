using System.Diagnostics;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;
using Xunit.Abstractions;

namespace OssBackup.Engine.Tests.Planning;

/// <summary>Runs alone: it samples the process's heap, which other tests running alongside would inflate.</summary>
[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection;

[Collection(nameof(MemoryMeasurementCollection))]
public sealed class ExternalSorterScaleTests(ITestOutputHelper output)
{
    // Holding the million records would take ~260 MB as objects and ~130 MB even encoded; the sort
    // should need its 100,000-record buffer (~15 MB) plus read buffers.
    private const long MemoryBound = 100L << 20;

    [Fact]
    public async Task Sorting_a_million_objects_with_a_100k_buffer_stays_within_a_fixed_memory_bound()
    {
        const int total = 1_000_000;
        using var scratch = new TempFolder("sort-scale");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var peak = 0L;
        void Sample(long index)
        {
            if (index % 100_000 == 0)
            {
                GC.Collect();
            }
            var used = GC.GetTotalMemory(false) - baseline;
            peak = Math.Max(peak, used);
            Assert.True(used < MemoryBound, $"{used >> 20} MiB in use above the baseline at record {index}");
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var sorter = new ExternalSorter<SourceObject>(SourceObjectKeyOrder.Instance, SourceObjectCodec.Instance, scratch.Path,
            new ExternalSortOptions { MaxBufferedRecords = 100_000 });
        await using (sorter)
        {
            var random = new Random(40);
            for (var i = 0; i < total; i++)
            {
                var key = SortTestData.AsciiKey(random, 30 + random.Next(20));
                await sorter.AddAsync(new SourceObject(key, random.Next(), random.Next().ToString("x32"), SortTestData.BaseTime.AddSeconds(i), "Standard"));
                if (i % 10_000 == 0)
                {
                    Sample(i);
                }
            }
            var added = watch.Elapsed;

            string? previous = null;
            long count = 0;
            await foreach (var item in sorter.SortAsync())
            {
                if (previous is not null)
                {
                    Assert.True(KeyOrder.Instance.Compare(previous, item.Key) <= 0);
                }
                previous = item.Key;
                if (count % 10_000 == 0)
                {
                    Sample(count);
                }
                count++;
            }
            watch.Stop();

            Assert.Equal(total, count);
            Assert.Equal(9, sorter.RunsWritten); // the tenth buffer is merged from memory
            Assert.Empty(Directory.EnumerateFileSystemEntries(scratch.Path));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            output.WriteLine($"sorted {total:N0} objects (generated on the fly) in {watch.Elapsed.TotalSeconds:F2} s wall, {cpu.TotalSeconds:F2} s CPU " +
                $"(generate + add + spill {added.TotalSeconds:F2} s, merge + check {(watch.Elapsed - added).TotalSeconds:F2} s)");
            output.WriteLine($"runs {sorter.RunsWritten}, scratch written {sorter.BytesWritten / (1 << 20)} MiB, final merge width {sorter.FinalMergeWidth}");
            output.WriteLine($"heap: baseline {baseline >> 20} MiB, peak sampled above it {peak >> 20} MiB (bound {MemoryBound >> 20} MiB)");
        }
    }
}
