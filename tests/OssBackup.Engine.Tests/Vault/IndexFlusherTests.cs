using System.Text;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

/// <summary>
/// Flushing a backup's new blobs out of memory: each flush writes an index file, moves the blobs into a level file the
/// index searches, and drops them from the overlay, without a moment when a lookup finds a blob in neither.
/// </summary>
public sealed class IndexFlusherTests : IDisposable
{
    private const int BlobsPerPack = 10;

    private readonly TempFolder _folder = new("index-flusher");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Flushed_blobs_leave_the_overlay_stay_findable_and_are_listed_by_one_index_file_per_flush()
    {
        var (vault, index, flusher) = await OpenAsync();
        using var disposesIndex = index;
        var packs = Enumerable.Range(0, 12).Select(NewPack).ToList();
        AddToOverlay(index, packs);
        Assert.Equal(packs.Count * BlobsPerPack, index.AddedCount);

        foreach (var batch in packs.Chunk(2))
        {
            await flusher.WriteIndexAsync(batch, CancellationToken.None);
            flusher.AddLevel(batch);
        }

        Assert.Equal(0, index.AddedCount);
        Assert.Equal(packs.Count * BlobsPerPack, index.PeakAddedCount);
        Assert.Equal(6, flusher.IndexFilesWritten);
        // Equal-sized flushes merge as the cache's levels do: lookups search a few files, not one per flush.
        Assert.InRange(index.FlushedLevels.Count, 1, 2);
        foreach (var (_, location) in packs.SelectMany(p => p.Blobs))
        {
            Assert.True(index.TryGet(location.Id, out var found));
            Assert.Equal(location, found);
        }
        var listed = new List<PackId>();
        await foreach (var file in vault.Store.ListAsync("index/", CancellationToken.None))
        {
            await using var stream = await vault.Store.GetAsync(file.Name, 0, null, CancellationToken.None);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            listed.AddRange(IndexFileCodec.Decode(memory.ToArray(), file.Name).Select(p => p.Pack));
        }
        Assert.Equal(packs.Select(p => p.Id).OrderBy(p => p.Value), listed.OrderBy(p => p.Value));
    }

    [Fact]
    public async Task A_blob_added_after_its_pack_was_flushed_does_not_stay_in_memory()
    {
        var (_, index, flusher) = await OpenAsync();
        using var disposesIndex = index;
        var pack = NewPack(0);

        // The writer that placed the blob records it only after the pack was sealed, indexed and flushed.
        await flusher.WriteIndexAsync([pack], CancellationToken.None);
        flusher.AddLevel([pack]);
        AddToOverlay(index, [pack]);

        Assert.Equal(0, index.AddedCount);
        Assert.True(index.TryGet(pack.Blobs[3].Location.Id, out _));
    }

    [Fact]
    public async Task Lookups_running_during_flushes_never_miss_a_blob()
    {
        var (_, index, flusher) = await OpenAsync();
        using var disposesIndex = index;
        var packs = Enumerable.Range(0, 40).Select(NewPack).ToList();
        AddToOverlay(index, packs);
        var ids = packs.SelectMany(p => p.Blobs).Select(b => b.Location.Id).ToArray();
        using var stop = new CancellationTokenSource();
        var misses = 0;
        var lookups = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var id in ids)
                {
                    if (!index.TryGet(id, out BlobLocation _))
                    {
                        Interlocked.Increment(ref misses);
                    }
                }
            }
        })).ToList();

        foreach (var batch in packs.Chunk(3))
        {
            await flusher.WriteIndexAsync(batch, CancellationToken.None);
            flusher.AddLevel(batch);
        }
        await stop.CancelAsync();
        await Task.WhenAll(lookups);

        Assert.Equal(0, misses);
        Assert.Equal(0, index.AddedCount);
    }

    private async Task<(VaultRepository Vault, BlobIndex Index, IndexFlusher Flusher)> OpenAsync()
    {
        var vault = await VaultRepository.CreateAsync(new FileBlobStore(_folder.Combine("vault")), CancellationToken.None);
        var index = new BlobIndex();
        return (vault, index, new IndexFlusher(vault, index, flushBlobs: 2 * BlobsPerPack, _folder.Combine("levels")));
    }

    private static void AddToOverlay(BlobIndex index, IEnumerable<SealedPack> packs)
    {
        foreach (var (_, location) in packs.SelectMany(p => p.Blobs))
        {
            index.Add(location);
        }
    }

    private static SealedPack NewPack(int seed)
    {
        var pack = PackId.NewRandom();
        var blobs = Enumerable.Range(0, BlobsPerPack)
            .Select(i => (BlobType.Data, new BlobLocation(BlobId.Of(Encoding.UTF8.GetBytes($"blob {seed} {i}")), pack, i * 100, 100, 100, BlobCompression.None)))
            .ToList();
        return new SealedPack(pack, BlobsPerPack * 100, blobs);
    }
}
