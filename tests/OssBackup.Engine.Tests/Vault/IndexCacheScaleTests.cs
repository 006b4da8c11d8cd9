using OssBackup.Engine.Storage;
using OssBackup.Engine.Tests.Planning;
using OssBackup.Engine.Vault;
using OssBackup.Engine.Vault.IndexCache;
using Xunit.Abstractions;

namespace OssBackup.Engine.Tests.Vault;

[Collection(nameof(MemoryMeasurementCollection))]
public sealed class IndexCacheScaleTests(ITestOutputHelper output)
{
    private const int IndexFiles = 30;
    private const int BlobsPerIndexFile = 100_000;
    private const int Total = IndexFiles * BlobsPerIndexFile;

    // A dictionary of 3M blobs takes about 465 MB (155 bytes a blob, docs/architecture.md "Memory"). The cache holds
    // one sort buffer (256Ki blobs, 20 MiB) while building and nothing per blob once built.
    private const long BuildBound = 64L << 20;
    private const long LookupBound = 4L << 20;

    [Fact]
    public async Task Building_and_searching_a_cache_of_three_million_blobs_keeps_the_managed_heap_far_below_a_dictionary()
    {
        using var scratch = new TempFolder("index-cache-scale");
        var store = new FileBlobStore(scratch.Combine("vault"));
        var vault = await VaultRepository.CreateAsync(store, CancellationToken.None);
        var random = new Random(3);
        var samples = new List<BlobId>();
        for (var f = 0; f < IndexFiles; f++)
        {
            var pack = PackId.NewRandom();
            var blobs = new List<(BlobType, BlobLocation)>(BlobsPerIndexFile);
            var id = new byte[BlobId.Size];
            for (var b = 0; b < BlobsPerIndexFile; b++)
            {
                random.NextBytes(id);
                blobs.Add((BlobType.Data, new BlobLocation(BlobId.Read(id), pack, b * 3000L, 2000, 3000, BlobCompression.Zstd)));
            }
            samples.AddRange(blobs.Where((_, i) => i % 300 == 0).Select(b => b.Item2.Id));
            await vault.WriteIndexAsync([new SealedPack(pack, BlobsPerIndexFile * 2000L, blobs)], CancellationToken.None);
            if (f == IndexFiles / 3 - 1)
            {
                // A third of the vault is cached by an earlier backup: the second load adds the rest and merges.
                (await vault.LoadIndexAsync(scratch.Combine("cache"), CancellationToken.None)).Dispose();
            }
        }

        var (index, buildPeak) = MeasurePeak(() => vault.LoadIndexAsync(scratch.Combine("cache"), CancellationToken.None).GetAwaiter().GetResult());
        using (index)
        {
            var (found, lookupPeak) = MeasurePeak(() =>
            {
                var hits = samples.Count(sample => index.TryGet(sample, out _));
                var absent = new byte[BlobId.Size];
                for (var i = 0; i < 100_000; i++)
                {
                    random.NextBytes(absent);
                    hits += index.TryGet(BlobId.Read(absent), out _) ? 1 : 0;
                }
                return hits;
            });

            output.WriteLine($"load: {index.Load}; peak heap above baseline: build {buildPeak >> 20} MiB, lookups {lookupPeak >> 10} KiB");
            Assert.Equal(IndexCacheOutcome.Extended, index.Load!.Outcome);
            Assert.Equal(2, index.Load.FilesMerged);
            Assert.Equal(Total, index.Count);
            Assert.Equal(samples.Count, found);
            Assert.InRange(buildPeak, 0, BuildBound);
            Assert.InRange(lookupPeak, 0, LookupBound);
        }
    }

    /// <summary>Runs <paramref name="work"/> while sampling the managed heap; returns its result and the peak above the start.</summary>
    private static (T Result, long Peak) MeasurePeak<T>(Func<T> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(true);
        var peak = 0L;
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            while (!done.Wait(5))
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
            }
        });
        sampler.Start();
        var result = work();
        peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
        done.Set();
        sampler.Join();
        return (result, peak);
    }
}
