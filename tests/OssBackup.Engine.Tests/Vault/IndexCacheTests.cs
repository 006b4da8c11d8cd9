using System.Text.Json.Nodes;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;
using OssBackup.Engine.Vault.IndexCache;

namespace OssBackup.Engine.Tests.Vault;

public sealed class IndexCacheTests : IAsyncLifetime, IDisposable
{
    private static readonly IndexCacheOptions NeverMerge = new() { MergeRatio = 0, RunCapacity = 100 };

    private readonly TempFolder _folder = new("index-cache");
    private FileBlobStore _store = null!;
    private VaultRepository _vault = null!;
    private int _seed;

    private string CacheRoot => _folder.Combine("cache");

    private string VaultCache => Path.Combine(CacheRoot, _vault.Config.Id);

    public async Task InitializeAsync()
    {
        _store = new FileBlobStore(_folder.Combine("vault"));
        _vault = await VaultRepository.CreateAsync(_store, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_first_load_builds_the_cache_and_the_next_one_reuses_it_without_reading_the_vault()
    {
        var blobs = await WriteIndexFileAsync(packs: 3, blobsPerPack: 400);

        using (var first = await LoadAsync(NeverMerge))
        {
            Assert.Equal(IndexCacheOutcome.Rebuilt, first.Load!.Outcome);
            Assert.Equal("no cache yet", first.Load.RebuildReason);
            Assert.Equal(1, first.Load.IndexFilesRead);
            AssertFindsExactly(first, blobs);
        }
        using var second = await LoadAsync(NeverMerge);

        Assert.Equal(IndexCacheOutcome.Reused, second.Load!.Outcome);
        Assert.Equal(0, second.Load.IndexFilesRead);
        Assert.Equal(1200, second.Count);
        AssertFindsExactly(second, blobs);
    }

    [Fact]
    public async Task Index_files_written_since_the_last_load_are_added_as_a_new_file_and_every_blob_is_found_across_files()
    {
        var older = await WriteIndexFileAsync(packs: 2, blobsPerPack: 500);
        (await LoadAsync(NeverMerge)).Dispose();
        var newer = await WriteIndexFileAsync(packs: 1, blobsPerPack: 50);
        var newest = await WriteIndexFileAsync(packs: 1, blobsPerPack: 7);

        using var index = await LoadAsync(NeverMerge);

        Assert.Equal(IndexCacheOutcome.Extended, index.Load!.Outcome);
        Assert.Equal(2, index.Load.IndexFilesRead);
        Assert.Equal(57, index.Load.BlobsRead);
        Assert.Equal(2, index.Load.Files);
        AssertFindsExactly(index, [.. older, .. newer, .. newest]);
    }

    [Fact]
    public async Task Newer_files_are_merged_into_an_older_one_that_is_not_much_larger()
    {
        var options = new IndexCacheOptions { MergeRatio = 4, RunCapacity = 64 };
        var all = await WriteIndexFileAsync(packs: 4, blobsPerPack: 100);
        (await LoadAsync(options)).Dispose();
        all.AddRange(await WriteIndexFileAsync(packs: 1, blobsPerPack: 20));
        using (var small = await LoadAsync(options))
        {
            // 400 > 4 × 20: the new file stays on its own.
            Assert.Equal((2, 0), (small.Load!.Files, small.Load.FilesMerged));
        }
        all.AddRange(await WriteIndexFileAsync(packs: 1, blobsPerPack: 90));

        using var index = await LoadAsync(options);

        // 20 ≤ 4 × 90, then 400 ≤ 4 × 110: all three become one.
        Assert.Equal((1, 3), (index.Load!.Files, index.Load.FilesMerged));
        AssertFindsExactly(index, all);
        Assert.Single(Directory.GetFiles(VaultCache, "level-*.blobs"));
    }

    [Fact]
    public async Task A_deleted_index_file_makes_its_packs_dead_without_a_rebuild_and_its_blobs_miss()
    {
        var kept = await WriteIndexFileAsync(packs: 2, blobsPerPack: 100);
        var pruned = await WriteIndexFileAsync(packs: 1, blobsPerPack: 100);
        (await LoadAsync(NeverMerge)).Dispose();
        var levelsBefore = LevelFiles();
        await _store.DeleteAsync(IndexFileNaming(pruned[0]), CancellationToken.None);

        using var index = await LoadAsync(NeverMerge);

        Assert.Equal((IndexCacheOutcome.Extended, 1, 1, 0), (index.Load!.Outcome, index.Load.IndexFilesGone, index.Load.DeadPacks, index.Load.IndexFilesRead));
        Assert.Equal(levelsBefore, LevelFiles());
        AssertFindsExactly(index, kept);
        Assert.All(pruned, blob => Assert.False(index.TryGet(blob.Id, out _)));
    }

    [Fact]
    public async Task A_prune_that_rewrites_an_index_file_filters_the_deleted_packs_and_a_relisted_blob_resolves_to_its_new_location()
    {
        var untouched = await WriteIndexFileAsync(packs: 2, blobsPerPack: 150);
        var packs = Enumerable.Range(0, 4).Select(_ => NewPack(blobs: 100)).ToList();
        var rewritten = await WriteIndexFileAsync(packs);
        (await LoadAsync(NeverMerge)).Dispose();
        var levelsBefore = LevelFiles();
        var buildBefore = BuildId();

        // What a prune does: the index file is replaced by one without the deleted packs (2 and 3). Half of pack 2's blobs
        // are listed again in a new pack, as a repack would: they must resolve there, never to the deleted pack.
        var survivors = packs.Take(2).ToList();
        var moved = NewPack(packs[2].Blobs.Take(50).Select(b => b.Location.Id));
        await WriteIndexFileAsync([.. survivors, moved]);
        await _store.DeleteAsync(rewritten, CancellationToken.None);

        using (var index = await LoadAsync(NeverMerge))
        {
            Assert.Equal(IndexCacheOutcome.Extended, index.Load!.Outcome);
            Assert.Equal((1, 2, 1), (index.Load.IndexFilesGone, index.Load.DeadPacks, index.Load.IndexFilesRead));
            Assert.Equal(buildBefore, BuildId());
            Assert.Superset(levelsBefore.ToHashSet(), LevelFiles().ToHashSet());
            AssertTheRewriteIsSeen(index);
        }

        // The dead packs are kept with the cache: a load with nothing new reads nothing and still filters them.
        using var reused = await LoadAsync(NeverMerge);
        Assert.Equal((IndexCacheOutcome.Reused, 0, 2), (reused.Load!.Outcome, reused.Load.IndexFilesRead, reused.Load.DeadPacks));
        AssertTheRewriteIsSeen(reused);

        void AssertTheRewriteIsSeen(BlobIndex index)
        {
            AssertFindsExactly(index, [.. untouched, .. Locations(survivors), .. Locations([moved])]);
            Assert.All(packs[2].Blobs.Skip(50).Concat(packs[3].Blobs), blob => Assert.False(index.TryGet(blob.Location.Id, out _), $"{blob.Location.Id} is in a deleted pack"));
        }
    }

    [Fact]
    public async Task A_merge_drops_the_records_of_dead_packs_and_forgets_them()
    {
        var untouched = await WriteIndexFileAsync(packs: 2, blobsPerPack: 100);
        var packs = Enumerable.Range(0, 3).Select(_ => NewPack(blobs: 40)).ToList();
        var rewritten = await WriteIndexFileAsync(packs);
        (await LoadAsync(NeverMerge)).Dispose();
        await WriteIndexFileAsync([packs[0]]);
        await _store.DeleteAsync(rewritten, CancellationToken.None);
        using (var pruned = await LoadAsync(NeverMerge))
        {
            Assert.Equal(2, pruned.Load!.DeadPacks);
            Assert.Single(Directory.GetFiles(VaultCache, "dead-*"));
        }
        var later = await WriteIndexFileAsync(packs: 1, blobsPerPack: 10);

        using var merged = await LoadAsync(new IndexCacheOptions { MergeRatio = 1000, RunCapacity = 64 });

        Assert.Equal((1, 3), (merged.Load!.Files, merged.Load.FilesMerged));
        Assert.Equal((80L, 0), (merged.Load.RecordsPurged, merged.Load.DeadPacks));
        Assert.Empty(Directory.GetFiles(VaultCache, "dead-*"));
        Assert.Equal(200 + 40 + 10, merged.Count);
        AssertFindsExactly(merged, [.. untouched, .. Locations([packs[0]]), .. later]);
        Assert.All(packs.Skip(1).SelectMany(p => p.Blobs), blob => Assert.False(merged.TryGet(blob.Location.Id, out _)));
    }

    [Fact]
    public async Task A_cache_written_before_pack_lists_were_kept_is_rebuilt_once()
    {
        var blobs = await WriteIndexFileAsync(packs: 2, blobsPerPack: 50);
        (await LoadAsync(NeverMerge)).Dispose();
        var manifestPath = Path.Combine(VaultCache, "manifest.json");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!.AsObject();
        manifest["format"] = 1;
        manifest.Remove("buildId");
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());
        Array.ForEach(Directory.GetFiles(VaultCache, "*.packs"), File.Delete);

        using (var index = await LoadAsync(NeverMerge))
        {
            Assert.Equal(IndexCacheOutcome.Rebuilt, index.Load!.Outcome);
            Assert.Contains("format 1", index.Load.RebuildReason, StringComparison.Ordinal);
            AssertFindsExactly(index, blobs);
        }
        using var next = await LoadAsync(NeverMerge);
        Assert.Equal(IndexCacheOutcome.Reused, next.Load!.Outcome);
    }

    [Theory]
    [InlineData("level-*.packs", "pack list")]
    [InlineData("dead-*.packs", "unusable")]
    public async Task A_damaged_pack_list_is_never_trusted_the_cache_is_rebuilt(string damaged, string reason)
    {
        var kept = await WriteIndexFileAsync(packs: 2, blobsPerPack: 60);
        var pruned = await WriteIndexFileAsync(packs: 2, blobsPerPack: 60);
        (await LoadAsync(NeverMerge)).Dispose();
        await _store.DeleteAsync(IndexFileNaming(pruned[0]), CancellationToken.None);
        if (damaged.StartsWith("dead", StringComparison.Ordinal))
        {
            (await LoadAsync(NeverMerge)).Dispose();
        }
        var victim = Directory.GetFiles(VaultCache, damaged).First();
        var bytes = await File.ReadAllBytesAsync(victim);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(victim, bytes);

        using var index = await LoadAsync(NeverMerge);

        Assert.Equal(IndexCacheOutcome.Rebuilt, index.Load!.Outcome);
        Assert.Contains(reason, index.Load.RebuildReason, StringComparison.Ordinal);
        AssertFindsExactly(index, kept);
        Assert.All(pruned, blob => Assert.False(index.TryGet(blob.Id, out _)));
    }

    [Fact]
    public async Task A_truncated_cache_file_is_detected_and_the_cache_rebuilt()
    {
        var blobs = await WriteIndexFileAsync(packs: 2, blobsPerPack: 300);
        (await LoadAsync(NeverMerge)).Dispose();
        var level = Directory.GetFiles(VaultCache, "level-*.blobs").Single();
        using (var file = new FileStream(level, FileMode.Open))
        {
            file.SetLength(file.Length - 100);
        }

        using var index = await LoadAsync(NeverMerge);

        Assert.Equal(IndexCacheOutcome.Rebuilt, index.Load!.Outcome);
        Assert.Contains("unusable", index.Load.RebuildReason, StringComparison.Ordinal);
        AssertFindsExactly(index, blobs);
    }

    [Fact]
    public async Task A_damaged_record_is_a_miss_never_a_wrong_location_and_the_next_load_rebuilds()
    {
        var blobs = await WriteIndexFileAsync(packs: 1, blobsPerPack: 1000);
        (await LoadAsync(NeverMerge)).Dispose();
        var level = Directory.GetFiles(VaultCache, "level-*.blobs").Single();
        var sorted = blobs.OrderBy(b => b.Id, BlobIdComparer.Instance).ToList();
        var victim = sorted[500];
        using (var file = new FileStream(level, FileMode.Open))
        {
            // One bit of the victim's pack id: without a check, the backup would reuse a location in another pack.
            file.Position = SortedBlobFile.HeaderSize + 500L * IndexCacheRecord.Size + BlobId.Size + 3;
            var value = (byte)file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(value ^ 0x10));
        }

        using (var damaged = await LoadAsync(NeverMerge))
        {
            Assert.Equal(IndexCacheOutcome.Reused, damaged.Load!.Outcome);
            Assert.False(damaged.TryGet(victim.Id, out _));
            Assert.True(damaged.CacheDamaged);
            Assert.True(damaged.TryGet(sorted[499].Id, out _));
        }
        using var index = await LoadAsync(NeverMerge);

        Assert.Equal(IndexCacheOutcome.Rebuilt, index.Load!.Outcome);
        AssertFindsExactly(index, blobs);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{ "format": 1, "vaultId": "someone-else", "levels": [], "indexFiles": {} }""")]
    [InlineData("""{ "format": 1, "vaultId": "ID", "levels": [ { "file": "../../elsewhere.blobs", "count": 1 } ], "indexFiles": {} }""")]
    [InlineData("""{ "format": 3, "vaultId": "ID", "levels": [], "indexFiles": {} }""")]
    public async Task A_manifest_that_is_unreadable_or_not_this_vaults_is_replaced_by_a_rebuild(string manifest)
    {
        var blobs = await WriteIndexFileAsync(packs: 1, blobsPerPack: 50);
        (await LoadAsync(NeverMerge)).Dispose();
        await File.WriteAllTextAsync(Path.Combine(VaultCache, "manifest.json"), manifest.Replace("ID", _vault.Config.Id, StringComparison.Ordinal));

        using var index = await LoadAsync(NeverMerge);

        Assert.Equal(IndexCacheOutcome.Rebuilt, index.Load!.Outcome);
        AssertFindsExactly(index, blobs);
    }

    [Fact]
    public async Task Another_vaults_cache_files_are_refused()
    {
        var blobs = await WriteIndexFileAsync(packs: 1, blobsPerPack: 50);
        (await LoadAsync(NeverMerge)).Dispose();
        var manifestPath = Path.Combine(VaultCache, "manifest.json");
        var otherStore = new FileBlobStore(_folder.Combine("other-vault"));
        var other = await VaultRepository.CreateAsync(otherStore, CancellationToken.None);
        var otherCache = Path.Combine(CacheRoot, other.Config.Id);
        Directory.CreateDirectory(otherCache);
        foreach (var file in Directory.GetFiles(VaultCache, "level-*"))
        {
            File.Copy(file, Path.Combine(otherCache, Path.GetFileName(file)));
        }
        // A manifest that passes every check of its own: only the files' headers tell whose they are.
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
        manifest["vaultId"] = other.Config.Id;
        manifest["indexFiles"] = new JsonObject();
        await File.WriteAllTextAsync(Path.Combine(otherCache, "manifest.json"), manifest.ToJsonString());

        using var index = await other.LoadIndexAsync(CacheRoot, NeverMerge, CancellationToken.None);

        Assert.Equal(IndexCacheOutcome.Rebuilt, index.Load!.Outcome);
        Assert.Contains("another vault", index.Load.RebuildReason, StringComparison.Ordinal);
        Assert.All(blobs, blob => Assert.False(index.TryGet(blob.Id, out _)));
    }

    [Fact]
    public async Task Blobs_added_during_a_backup_are_found_and_stay_out_of_the_cache()
    {
        var blobs = await WriteIndexFileAsync(packs: 1, blobsPerPack: 50);
        var added = MakeBlobs(PackId.NewRandom(), 10);
        using (var index = await LoadAsync(NeverMerge))
        {
            added.ForEach(index.Add);
            AssertFindsExactly(index, [.. blobs, .. added]);
            Assert.Equal(10, index.AddedCount);
        }
        using var next = await LoadAsync(NeverMerge);

        Assert.All(added, blob => Assert.False(next.TryGet(blob.Id, out _)));
    }

    [Fact]
    public async Task Concurrent_loads_of_one_cache_all_see_every_blob_and_leave_it_consistent()
    {
        var blobs = await WriteIndexFileAsync(packs: 2, blobsPerPack: 200);
        (await LoadAsync(NeverMerge)).Dispose();
        for (var i = 0; i < 4; i++)
        {
            blobs.AddRange(await WriteIndexFileAsync(packs: 1, blobsPerPack: 100));
        }
        var options = new IndexCacheOptions { RunCapacity = 64 };

        var loads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => LoadAsync(options))));

        try
        {
            Assert.Single(loads, l => l.Load!.Outcome == IndexCacheOutcome.Extended);
            Assert.All(loads, index => AssertFindsExactly(index, blobs));
        }
        finally
        {
            Array.ForEach(loads, l => l.Dispose());
        }
        using var after = await LoadAsync(options);
        Assert.Equal(IndexCacheOutcome.Reused, after.Load!.Outcome);
        AssertFindsExactly(after, blobs);
    }

    [Fact]
    public async Task A_cache_locked_by_another_process_for_too_long_is_replaced_by_a_private_one_deleted_afterwards()
    {
        var blobs = await WriteIndexFileAsync(packs: 1, blobsPerPack: 100);
        (await LoadAsync(NeverMerge)).Dispose();
        var options = NeverMerge with { LockWait = TimeSpan.FromMilliseconds(300) };
        string[] privateFolders;

        using (new FileStream(Path.Combine(VaultCache, "lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            using var index = await LoadAsync(options);
            Assert.True(index.Load!.Private);
            AssertFindsExactly(index, blobs);
            privateFolders = Directory.GetDirectories(CacheRoot, "*-private-*");
            Assert.Single(privateFolders);
        }

        Assert.False(Directory.Exists(privateFolders[0]));
    }

    [Fact]
    public async Task A_vault_without_index_files_gives_an_empty_index()
    {
        using var index = await LoadAsync(NeverMerge);

        Assert.Equal(0, index.Count);
        Assert.False(index.TryGet(MakeBlobs(PackId.NewRandom(), 1)[0].Id, out _));
    }

    private Task<BlobIndex> LoadAsync(IndexCacheOptions options) => _vault.LoadIndexAsync(CacheRoot, options, CancellationToken.None);

    private readonly Dictionary<PackId, string> _indexFileOfPack = [];

    /// <summary>Writes one index file of synthetic packs and returns their blobs.</summary>
    private async Task<List<BlobLocation>> WriteIndexFileAsync(int packs, int blobsPerPack)
    {
        var sealedPacks = Enumerable.Range(0, packs).Select(_ => NewPack(blobsPerPack)).ToList();
        await WriteIndexFileAsync(sealedPacks);
        return Locations(sealedPacks);
    }

    /// <summary>Writes one index file listing <paramref name="packs"/> and returns its name.</summary>
    private async Task<string> WriteIndexFileAsync(IReadOnlyCollection<SealedPack> packs)
    {
        var before = _store.ListAsync("index/", CancellationToken.None).ToBlockingEnumerable().Select(f => f.Name).ToHashSet();
        await _vault.WriteIndexAsync(packs, CancellationToken.None);
        var written = _store.ListAsync("index/", CancellationToken.None).ToBlockingEnumerable().Select(f => f.Name).Single(n => !before.Contains(n));
        foreach (var pack in packs)
        {
            _indexFileOfPack[pack.Id] = written;
        }
        return written;
    }

    private SealedPack NewPack(int blobs)
    {
        var pack = PackId.NewRandom();
        return new SealedPack(pack, blobs * 1000L, MakeBlobs(pack, blobs).Select(b => (BlobType.Data, b)).ToList());
    }

    /// <summary>A new pack holding blobs already stored elsewhere, each at another offset than before.</summary>
    private static SealedPack NewPack(IEnumerable<BlobId> blobs)
    {
        var pack = PackId.NewRandom();
        var locations = blobs.Select((id, i) => (BlobType.Data, new BlobLocation(id, pack, 7 + i * 3000L, 800, 1000, BlobCompression.Zstd))).ToList();
        return new SealedPack(pack, locations.Count * 3000L, locations);
    }

    private static List<BlobLocation> Locations(IEnumerable<SealedPack> packs) => packs.SelectMany(p => p.Blobs.Select(b => b.Location)).ToList();

    private string[] LevelFiles() => Directory.GetFiles(VaultCache, "level-*.blobs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private string BuildId() => JsonNode.Parse(File.ReadAllText(Path.Combine(VaultCache, "manifest.json")))!["buildId"]!.GetValue<string>();

    private string IndexFileNaming(BlobLocation blob) => _indexFileOfPack[blob.Pack];

    private List<BlobLocation> MakeBlobs(PackId pack, int count)
    {
        var random = new Random(++_seed);
        var id = new byte[BlobId.Size];
        return Enumerable.Range(0, count).Select(i =>
        {
            random.NextBytes(id);
            return new BlobLocation(BlobId.Read(id), pack, i * 1000L, 900 + i % 100, 1000 + i, i % 2 == 0 ? BlobCompression.Zstd : BlobCompression.None);
        }).ToList();
    }

    private static void AssertFindsExactly(BlobIndex index, IEnumerable<BlobLocation> blobs)
    {
        var near = new byte[BlobId.Size];
        foreach (var blob in blobs)
        {
            Assert.True(index.TryGet(blob.Id, out var found), $"blob {blob.Id} is not found");
            Assert.Equal(blob, found);
            // An id one bit away sorts right beside it: it must miss.
            blob.Id.Write(near);
            near[^1] ^= 1;
            Assert.False(index.TryGet(BlobId.Read(near), out _));
        }
    }
}
