using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Prune;

/// <summary>
/// A vault in a temp folder whose backup points are written through the real vault pieces (PackWriter, TableWriter,
/// WriteIndexAsync, WriteSnapshotAsync), in the engine's order: packs, index, snapshot. Chunks are small (4 KiB), and
/// each object's new chunks can go to a pack of their own, so tests control which packs points share.
/// </summary>
public sealed class PruneTestVault : IDisposable
{
    public const int ChunkSize = 4096;

    private readonly TempFolder _folder = new("prune");
    private readonly Dictionary<string, IReadOnlyDictionary<string, byte[]>> _points = new(StringComparer.Ordinal);

    private PruneTestVault(FileBlobStore store, VaultRepository vault)
    {
        Store = store;
        Vault = vault;
    }

    public FileBlobStore Store { get; private set; }

    public VaultRepository Vault { get; private set; }

    public string Root => Store.Location;

    public string Scratch => _folder.Combine("scratch");

    /// <summary>The local index caches of this test's backups (the engine's is under OSSBACKUP_HOME).</summary>
    public string IndexCacheRoot => _folder.Combine("index-cache");

    public static async Task<PruneTestVault> CreateAsync()
    {
        var result = new PruneTestVault(null!, null!);
        result.Store = new FileBlobStore(result._folder.Combine("vault"));
        result.Vault = await VaultRepository.CreateAsync(result.Store, CancellationToken.None);
        return result;
    }

    /// <summary>
    /// Writes one backup point of <paramref name="objects"/> and returns its id. Chunks already in the vault are
    /// deduplicated. With <paramref name="packPerObject"/>, each object's new chunks are sealed into a pack of their own
    /// and the table goes into one more; otherwise the point writes a single pack.
    /// </summary>
    public async Task<string> BackupAsync(IReadOnlyDictionary<string, byte[]> objects, bool packPerObject = true)
    {
        var ct = CancellationToken.None;
        using var index = await Vault.LoadIndexAsync(IndexCacheRoot, ct);
        var sealedPacks = new List<SealedPack>();
        await using var packs = Vault.NewPackWriter(Scratch);
        var table = new TableWriter(packs, index);
        foreach (var (key, content) in objects.OrderBy(o => o.Key, KeyOrder.Instance))
        {
            var chunks = new List<BlobLocation>();
            for (var offset = 0; offset < content.Length; offset += ChunkSize)
            {
                var chunk = content.AsMemory(offset, Math.Min(ChunkSize, content.Length - offset));
                var id = BlobId.Of(chunk.Span);
                if (!index.TryGet(id, out var location))
                {
                    location = await packs.AddAsync(BlobType.Data, id, chunk, tryCompress: true, ct);
                    index.Add(location);
                }
                chunks.Add(location);
            }
            if (packPerObject && await packs.SealAsync(ct) is { } sealedPack)
            {
                sealedPacks.Add(sealedPack);
            }
            var modified = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
            await table.AddAsync(new ObjectEntry(key, content.Length, TestData.Sha256(content)[..32].ToLowerInvariant(), modified, "STANDARD", [], chunks), ct);
        }
        var segments = await table.CompleteAsync(ct);
        if (await packs.SealAsync(ct) is { } last)
        {
            sealedPacks.Add(last);
        }
        await Vault.WriteIndexAsync(sealedPacks, ct);
        var snapshot = new SnapshotManifest
        {
            Id = VaultRepository.NewSnapshotId(),
            Plan = "prune-test",
            CreatedAt = DateTimeOffset.UtcNow,
            SourceEndpoint = "http://localhost",
            SourceBucket = "bucket",
            Stats = new SnapshotStats { ObjectCount = objects.Count, TotalBytes = objects.Values.Sum(v => (long)v.Length) },
            Table = segments.Select(SegmentDto.From).ToList(),
        };
        await Vault.WriteSnapshotAsync(snapshot, ct);
        _points[snapshot.Id] = objects;
        return snapshot.Id;
    }

    /// <summary>Reopens the vault, streams the point's table and reads every chunk of every entry, comparing with what was backed up.</summary>
    public async Task AssertPointReadsBackAsync(string id)
    {
        var ct = CancellationToken.None;
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(Root), ct);
        var snapshot = await vault.LoadSnapshotAsync(id, ct);
        using var reader = vault.NewBlobReader();
        var expected = _points[id];
        var keys = new List<string>();
        await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, null, ct))
        {
            using var content = new MemoryStream();
            foreach (var chunk in entry.Chunks)
            {
                content.Write(await reader.ReadAsync(chunk, ct));
            }
            Assert.True(expected.TryGetValue(entry.Key, out var bytes), $"point {id} holds unexpected key '{entry.Key}'");
            Assert.Equal(bytes, content.ToArray());
            keys.Add(entry.Key);
        }
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    /// <summary>Every pack a point references: its table segments' and its chunks'.</summary>
    public async Task<HashSet<PackId>> PacksOfAsync(string id)
    {
        var ct = CancellationToken.None;
        var snapshot = await Vault.LoadSnapshotAsync(id, ct);
        using var reader = Vault.NewBlobReader();
        var packs = snapshot.Segments.Select(s => s.Blob.Pack).ToHashSet();
        await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, null, ct))
        {
            packs.UnionWith(entry.Chunks.Select(c => c.Pack));
        }
        return packs;
    }

    /// <summary>The pack holding the first chunk of <paramref name="key"/> in point <paramref name="id"/>.</summary>
    public async Task<PackId> PackOfAsync(string id, string key)
    {
        var snapshot = await Vault.LoadSnapshotAsync(id, CancellationToken.None);
        using var reader = Vault.NewBlobReader();
        await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, key, CancellationToken.None))
        {
            return entry.Chunks[0].Pack;
        }
        throw new InvalidOperationException($"'{key}' is not in point {id}.");
    }

    /// <summary>Every file in the vault folder (relative name with '/', size), *.partial included.</summary>
    public SortedDictionary<string, long> Files() => new(
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/'), p => new FileInfo(p).Length),
        StringComparer.Ordinal);

    public SortedDictionary<string, long> FilesUnder(string prefix) =>
        new(Files().Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value), StringComparer.Ordinal);

    public long DataBytes => FilesUnder("data/").Values.Sum();

    public bool PackExists(PackId pack) => File.Exists(Path.Combine(Root, pack.FileName.Replace('/', Path.DirectorySeparatorChar)));

    public void Dispose() => _folder.Dispose();
}
