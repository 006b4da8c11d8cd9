using System.Text.Json;
using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// Deduplication through the local index cache across backups of one vault, and after a prune rewrote its index: the
/// cache turns the deleted packs into dead packs instead of being rebuilt.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class IndexCacheBackupTests(S3TestServer server, TestHome home) : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new("index-cache-e2e");
    private BackupCatalog _catalog = null!;
    private OssBackupService _service = null!;
    private BackupVault _vault = null!;
    private string _bucket = "";

    private static readonly IReadOnlyDictionary<string, byte[]> Objects = Enumerable.Range(0, 40).ToDictionary(
        i => $"{(i < 15 ? "one" : "two")}/file {i:D2}.txt",
        i => TestData.CompressibleText(2000 + i * 97, seed: 500 + i),
        StringComparer.Ordinal);

    private static int OnlyInOne => Objects.Keys.Count(k => k.StartsWith("one/", StringComparison.Ordinal));

    private FileBlobStore VaultStore => new(_vault.Location);

    public async Task InitializeAsync()
    {
        if (!server.IsAvailable)
        {
            return;
        }
        _catalog = BackupCatalog.Open(_folder.Combine("catalog.db"));
        _service = new OssBackupService(_catalog);
        _bucket = await server.CreateBucketAsync("idxcache");
        await server.PutObjectsAsync(_bucket, Objects);
        _vault = await _service.NewVaultAsync("cached", _folder.Combine("vault"), CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [S3Fact]
    public async Task Backups_deduplicate_through_the_cache_and_after_a_prune_store_again_only_what_it_deleted()
    {
        var first = await BackupAsync("first", "one/");
        var second = await BackupAsync("second", "two/");
        await AssertCacheCoversTheVaultExceptAsync(second.NewIndexFiles);

        // A full backup (a new plan has no previous point) of data already in the vault reads every object and stores none.
        var again = await BackupAsync("again", "two/");
        Assert.Equal((BackupMode.Full, Objects.Count - OnlyInOne), (again.Job.Mode, again.Job.BackedUpObjects));
        Assert.Empty(again.NewIndexFiles);
        var everything = await BackupAsync("everything", "");
        Assert.Equal(Objects.Count, everything.Job.BackedUpObjects);
        Assert.Equal(0, everything.NewDataBlobs);
        await AssertCacheCoversTheVaultExceptAsync(everything.NewIndexFiles);

        // Removing every point that holds "one/" deletes its packs and rewrites or deletes the index files naming them.
        var buildBeforePrune = await CacheBuildIdAsync();
        var removed = await _service.RemoveBackupPointsAsync([first.Job.BackupPointId!, everything.Job.BackupPointId!], dryRun: false, CancellationToken.None);
        Assert.True(removed.Single().PacksDeleted > 0);

        // Index files the cache covers are gone: the next backup turns the packs they alone listed into dead packs (no
        // rebuild), must store "one/" again, never reuse a location in a deleted pack, and still deduplicates "two/".
        var afterPrune = await BackupAsync("after prune", "");
        Assert.Equal(OnlyInOne, afterPrune.NewDataBlobs);
        Assert.Equal(buildBeforePrune, await CacheBuildIdAsync());
        await AssertEveryChunkIsInAnExistingPackAsync(afterPrune.Job.BackupPointId!);
        await AssertEveryChunkIsInAnExistingPackAsync(second.Job.BackupPointId!);
        await AssertCacheCoversTheVaultExceptAsync(afterPrune.NewIndexFiles);
    }

    private async Task<(BackupJob Job, List<string> NewIndexFiles, int NewDataBlobs)> BackupAsync(string plan, string prefix)
    {
        await _service.NewPlanAsync(server.PlanFor(plan, _bucket, prefix, _vault.Name), server.Credentials, CancellationToken.None);
        var before = await VaultIndexFiles.ListAsync(_vault.Location);
        var job = await _service.StartBackupAsync(plan, server.Credentials, NullObserver.Instance, CancellationToken.None);
        Assert.Equal(JobStatus.Completed, job.Status);
        var added = (await VaultIndexFiles.ListAsync(_vault.Location)).Keys.Except(before.Keys).ToList();
        return (job, added, await VaultIndexFiles.DataBlobsAsync(_vault.Location, added));
    }

    /// <summary>
    /// Each backup leaves the engine's cache (under OSSBACKUP_HOME) covering every index file of the vault but the one
    /// it wrote itself, which the next backup adds.
    /// </summary>
    private async Task AssertCacheCoversTheVaultExceptAsync(IReadOnlyCollection<string> writtenByTheLastBackup)
    {
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(await CacheManifestPathAsync()));
        var covered = json.RootElement.GetProperty("indexFiles").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);
        var expected = (await VaultIndexFiles.ListAsync(_vault.Location)).Where(f => !writtenByTheLastBackup.Contains(f.Key));
        Assert.Single(writtenByTheLastBackup);
        Assert.Equal(expected.OrderBy(f => f.Key, StringComparer.Ordinal), covered.OrderBy(f => f.Key, StringComparer.Ordinal));
    }

    /// <summary>The cache manifest's build id: a rebuild from every index file gives it a new one.</summary>
    private async Task<string> CacheBuildIdAsync()
    {
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(await CacheManifestPathAsync()));
        return json.RootElement.GetProperty("buildId").GetString()!;
    }

    private async Task<string> CacheManifestPathAsync()
    {
        var vault = await VaultRepository.OpenAsync(VaultStore, CancellationToken.None);
        return Path.Combine(home.Path, "cache", "index", vault.Config.Id, "manifest.json");
    }

    private async Task AssertEveryChunkIsInAnExistingPackAsync(string pointId)
    {
        var vault = await VaultRepository.OpenAsync(VaultStore, CancellationToken.None);
        var snapshot = await vault.LoadSnapshotAsync(pointId, CancellationToken.None);
        using var reader = vault.NewBlobReader();
        await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, null, CancellationToken.None))
        {
            foreach (var chunk in entry.Chunks)
            {
                Assert.True(File.Exists(Path.Combine(_vault.Location, chunk.Pack.FileName)), $"{entry.Key} names deleted pack {chunk.Pack}");
                Assert.Equal(TestData.Sha256(Objects[entry.Key]), TestData.Sha256(await reader.ReadAsync(chunk, CancellationToken.None)));
            }
        }
    }
}
