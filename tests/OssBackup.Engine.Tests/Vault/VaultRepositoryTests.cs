using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

public sealed class VaultRepositoryTests : IDisposable
{
    private readonly TempFolder _folder = new("repository");
    private readonly FileBlobStore _store;

    public VaultRepositoryTests()
    {
        _store = new FileBlobStore(_folder.Combine("vault"));
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_created_vault_opens_with_the_same_config()
    {
        var created = await VaultRepository.CreateAsync(_store, CancellationToken.None);

        var opened = await VaultRepository.OpenAsync(new FileBlobStore(_folder.Combine("vault")), CancellationToken.None);

        Assert.Matches("^[0-9a-f]{32}$", opened.Config.Id);
        Assert.Equal(created.Config.Id, opened.Config.Id);
        Assert.Equal(created.Config.CreatedAt, opened.Config.CreatedAt);
        Assert.Equal(created.Config.ChunkSize, opened.Config.ChunkSize);
        Assert.Equal("none", opened.Config.Encryption);
    }

    [Fact]
    public async Task Creating_a_vault_where_one_exists_fails_and_keeps_the_existing_one()
    {
        var first = await VaultRepository.CreateAsync(_store, CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => VaultRepository.CreateAsync(_store, CancellationToken.None));

        Assert.Equal(first.Config.Id, (await VaultRepository.OpenAsync(_store, CancellationToken.None)).Config.Id);
    }

    [Fact]
    public async Task Opening_an_empty_folder_fails_saying_the_config_is_missing()
    {
        Directory.CreateDirectory(_store.Location);

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => VaultRepository.OpenAsync(_store, CancellationToken.None));

        Assert.Contains("config", error.Message, StringComparison.Ordinal);
        Assert.Contains(_store.Location, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_vault_of_a_newer_format_version_is_refused()
    {
        await _store.PutAsync(VaultRepository.ConfigName, new MemoryStream("""{"version":2,"id":"x"}"""u8.ToArray()), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => VaultRepository.OpenAsync(_store, CancellationToken.None));

        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_index_written_for_sealed_packs_finds_every_blob_after_reopening()
    {
        var vault = await VaultRepository.CreateAsync(_store, CancellationToken.None);
        var packs = new List<SealedPack>();
        for (var p = 0; p < 3; p++)
        {
            await using var writer = vault.NewPackWriter(_folder.Combine("scratch"));
            for (var b = 0; b < 10; b++)
            {
                var plaintext = TestData.RandomBytes(1000 + b, seed: p * 100 + b);
                await writer.AddAsync(BlobType.Data, BlobId.Of(plaintext), plaintext, tryCompress: true, CancellationToken.None);
            }
            packs.Add((await writer.SealAsync(CancellationToken.None))!);
        }
        await vault.WriteIndexAsync(packs.Take(2).ToList(), CancellationToken.None);
        await vault.WriteIndexAsync(packs.Skip(2).ToList(), CancellationToken.None);

        using var index = await (await VaultRepository.OpenAsync(_store, CancellationToken.None)).LoadIndexAsync(_folder.Combine("cache"), CancellationToken.None);

        Assert.Equal(30, index.Count);
        Assert.All(packs.SelectMany(p => p.Blobs), blob =>
        {
            Assert.True(index.TryGet(blob.Location.Id, out var found), $"blob {blob.Location.Id} is not in the index");
            Assert.Equal(blob.Location, found);
        });
    }

    [Fact]
    public async Task Writing_an_index_of_no_packs_writes_no_file()
    {
        var vault = await VaultRepository.CreateAsync(_store, CancellationToken.None);

        await vault.WriteIndexAsync([], CancellationToken.None);

        using var index = await vault.LoadIndexAsync(_folder.Combine("cache"), CancellationToken.None);
        Assert.Equal(0, index.Count);
        Assert.False(Directory.Exists(Path.Combine(_store.Location, "index")));
    }

    [Fact]
    public async Task Snapshots_written_are_listed_and_load_back_with_every_field()
    {
        var vault = await VaultRepository.CreateAsync(_store, CancellationToken.None);
        var first = MakeSnapshot("nightly", parent: null);
        var second = MakeSnapshot("nightly", parent: first.Id);
        await vault.WriteSnapshotAsync(first, CancellationToken.None);
        await vault.WriteSnapshotAsync(second, CancellationToken.None);

        var listed = new List<SnapshotManifest>();
        await foreach (var snapshot in vault.ListSnapshotsAsync(CancellationToken.None))
        {
            listed.Add(snapshot);
        }
        var loaded = await vault.LoadSnapshotAsync(second.Id, CancellationToken.None);

        Assert.Equal(new[] { first.Id, second.Id }.Order(), listed.Select(s => s.Id).Order());
        Assert.Equal(second.ToJson(), loaded.ToJson());
        Assert.Equal(first.Id, loaded.Parent);
        Assert.Equal(second.Segments, loaded.Segments);
        Assert.Equal("family-photos", loaded.SourceBucket);
        Assert.Equal(7, loaded.Stats.DeletedObjects);
    }

    [Fact]
    public async Task Loading_an_unknown_snapshot_throws_FileNotFoundException_naming_the_id()
    {
        var vault = await VaultRepository.CreateAsync(_store, CancellationToken.None);

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => vault.LoadSnapshotAsync("0123abcd4567ef89", CancellationToken.None));

        Assert.Contains("0123abcd4567ef89", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_snapshot_ids_are_sixteen_hex_digits_and_unique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => VaultRepository.NewSnapshotId()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static SnapshotManifest MakeSnapshot(string plan, string? parent)
    {
        var segment = new TableSegmentRef(
            new BlobLocation(BlobId.Of(TestData.RandomBytes(10, seed: 5)), PackId.NewRandom(), 1234, 567, 8910, BlobCompression.Zstd),
            42, "a/first key", "z/last 😀 key");
        return new SnapshotManifest
        {
            Id = VaultRepository.NewSnapshotId(),
            Plan = plan,
            CreatedAt = new DateTimeOffset(2025, 11, 24, 10, 30, 15, 123, TimeSpan.Zero),
            SourceEndpoint = "https://oss-cn-hangzhou.aliyuncs.com",
            SourceBucket = "family-photos",
            SourcePrefix = "photos/",
            Parent = parent,
            Stats = new SnapshotStats { ObjectCount = 42, TotalBytes = 1 << 30, NewObjects = 3, ChangedObjects = 4, UnchangedObjects = 35, DeletedObjects = 7 },
            Table = [SegmentDto.From(segment)],
        };
    }
}
