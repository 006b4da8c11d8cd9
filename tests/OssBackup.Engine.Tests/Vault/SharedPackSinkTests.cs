using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

/// <summary>
/// Many workers appending to one shared pack at once: large blobs are written outside the sink's lock
/// at offsets reserved under it, small ones gathered. Whatever the interleaving, every pack must hold
/// its blobs back to back, as its trailer says, and every blob must read back byte for byte.
/// </summary>
public sealed class SharedPackSinkTests : IDisposable
{
    private readonly TempFolder _folder = new("shared-sink");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Sixteen_workers_appending_large_and_small_blobs_at_once_produce_packs_whose_blobs_all_read_back()
    {
        var store = new FileBlobStore(_folder.Combine("vault"));
        var vault = await VaultRepository.CreateAsync(store, CancellationToken.None);
        // Per worker: incompressible blobs above the gather limit (written outside the lock), small text, a tiny one.
        var blobs = Enumerable.Range(0, 16).SelectMany(worker => new[]
        {
            TestData.RandomBytes(3 << 20, seed: worker * 10 + 1),
            TestData.CompressibleText(2_000 + worker),
            TestData.RandomBytes(PackWriter.GatherLimit + 1, seed: worker * 10 + 2),
            TestData.RandomBytes(700, seed: worker * 10 + 3),
            TestData.RandomBytes(1 << 20, seed: worker * 10 + 4),
            TestData.CompressibleText(600_000 + worker),
        }).ToList();
        var locations = new BlobLocation[blobs.Count];

        IReadOnlyList<SealedPack> packs;
        await using (var sink = new SharedPackSink(vault, _folder.Combine("scratch")))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, blobs.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
                locations[i] = await sink.AddAsync(BlobType.Data, BlobId.Of(blobs[i]), blobs[i], tryCompress: true, token));
            packs = await sink.CompleteAsync(CancellationToken.None);
        }

        Assert.True(packs.Count >= 3, $"expected the {blobs.Sum(b => (long)b.Length) >> 20} MiB to fill several 16 MiB packs, got {packs.Count}");
        foreach (var pack in packs)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(_folder.Combine("vault"), pack.Id.FileName));
            Assert.Equal(pack.Size, bytes.LongLength);
            var trailer = PackFormat.ReadTrailer(pack.Id, bytes);
            Assert.Equal(pack.Blobs, trailer);
            long expectedOffset = 0;
            foreach (var (_, location) in trailer)
            {
                Assert.Equal(expectedOffset, location.Offset);
                expectedOffset += location.StoredLength;
            }
            Assert.Equal(bytes.LongLength - PackFormat.FooterSize - trailer.Count * PackFormat.EntrySize, expectedOffset);
        }
        Assert.Equal(blobs.Count, packs.Sum(p => p.Blobs.Count));
        using var reader = new BlobReader(store);
        for (var i = 0; i < blobs.Count; i++)
        {
            Assert.Equal(blobs[i], await reader.ReadAsync(locations[i], CancellationToken.None));
        }
    }

    [Fact]
    public async Task Small_blobs_gathered_around_a_large_one_keep_their_order_and_offsets_in_one_pack()
    {
        var store = new FileBlobStore(_folder.Combine("vault"));
        await using var writer = new PackWriter(store, _folder.Combine("scratch"), compressionLevel: 3);
        byte[][] blobs = [TestData.RandomBytes(100, seed: 1), TestData.RandomBytes(200, seed: 2), TestData.RandomBytes(PackWriter.GatherLimit * 2, seed: 3), TestData.RandomBytes(300, seed: 4)];

        var locations = new List<BlobLocation>();
        foreach (var blob in blobs)
        {
            locations.Add(await writer.AddAsync(BlobType.Data, BlobId.Of(blob), blob, tryCompress: false, CancellationToken.None));
        }
        var pack = await writer.SealAsync(CancellationToken.None);

        Assert.Equal([0L, 100L, 300L, 300L + PackWriter.GatherLimit * 2], locations.Select(l => l.Offset));
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_folder.Combine("vault"), pack!.Id.FileName));
        Assert.Equal(blobs.SelectMany(b => b).ToArray(), bytes[..blobs.Sum(b => b.Length)]);
    }
}
