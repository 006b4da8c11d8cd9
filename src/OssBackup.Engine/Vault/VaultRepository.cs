using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault.IndexCache;

namespace OssBackup.Engine.Vault;

/// <summary>
/// A vault opened on a blob store: its config, index files and snapshots. Write order is packs, then
/// the index file naming them, then the snapshot; so a crash at any point leaves every committed
/// snapshot whole, and at worst unreferenced packs that a prune removes.
/// </summary>
public sealed class VaultRepository
{
    public const string ConfigName = "config";
    internal const string IndexFolder = "index/";
    private const string SnapshotFolder = "snapshots/";

    private VaultRepository(IBlobStore store, VaultConfig config)
    {
        Store = store;
        Config = config;
    }

    public IBlobStore Store { get; }
    public VaultConfig Config { get; }

    public static async Task<VaultRepository> CreateAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        if (await store.GetSizeAsync(ConfigName, cancellationToken) is not null)
        {
            throw new IOException($"'{store.Location}' already holds a vault.");
        }
        var config = new VaultConfig { Id = RandomHex(16), CreatedAt = DateTimeOffset.UtcNow };
        await store.PutAsync(ConfigName, new MemoryStream(config.ToJson()), cancellationToken);
        return new VaultRepository(store, config);
    }

    public static async Task<VaultRepository> OpenAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        if (await store.GetSizeAsync(ConfigName, cancellationToken) is null)
        {
            throw new FileNotFoundException($"No vault at '{store.Location}': its 'config' file is missing.");
        }
        var bytes = await ReadAllAsync(store, ConfigName, cancellationToken);
        return new VaultRepository(store, VaultConfig.FromJson(bytes, store.Location));
    }

    public PackWriter NewPackWriter(string scratchFolder) => new(Store, scratchFolder, Config.CompressionLevel);

    public BlobReader NewBlobReader() => new(Store);

    /// <summary>
    /// Opens the deduplication index: the vault's local index cache under <paramref name="cacheRoot"/> (one folder
    /// per vault id), first brought up to date with the index files written or removed since it was last used.
    /// Dispose it when the backup is done.
    /// </summary>
    public Task<BlobIndex> LoadIndexAsync(string cacheRoot, CancellationToken cancellationToken) =>
        LoadIndexAsync(cacheRoot, IndexCacheOptions.Default, cancellationToken);

    public Task<BlobIndex> LoadIndexAsync(string cacheRoot, IndexCacheOptions options, CancellationToken cancellationToken) =>
        IndexCacheFolder.LoadAsync(Store, Config.Id, cacheRoot, options, cancellationToken);

    /// <summary>Records sealed packs in a new index file; must complete before a snapshot names their blobs.</summary>
    public async Task WriteIndexAsync(IReadOnlyCollection<SealedPack> packs, CancellationToken cancellationToken)
    {
        if (packs.Count == 0)
        {
            return;
        }
        var bytes = IndexFileCodec.Encode(packs);
        await Store.PutAsync(IndexFolder + RandomHex(16), new MemoryStream(bytes), cancellationToken);
    }

    public async Task WriteSnapshotAsync(SnapshotManifest snapshot, CancellationToken cancellationToken) =>
        await Store.PutAsync(SnapshotFolder + snapshot.Id, new MemoryStream(snapshot.ToJson()), cancellationToken);

    public async Task<SnapshotManifest> LoadSnapshotAsync(string id, CancellationToken cancellationToken)
    {
        var name = SnapshotFolder + id;
        if (await Store.GetSizeAsync(name, cancellationToken) is null)
        {
            throw new FileNotFoundException($"Backup point '{id}' does not exist in the vault at '{Store.Location}'.");
        }
        return SnapshotManifest.FromJson(await ReadAllAsync(Store, name, cancellationToken), name);
    }

    public async IAsyncEnumerable<SnapshotManifest> ListSnapshotsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var file in Store.ListAsync(SnapshotFolder, cancellationToken))
        {
            yield return SnapshotManifest.FromJson(await ReadAllAsync(Store, file.Name, cancellationToken), file.Name);
        }
    }

    public static string NewSnapshotId() => RandomHex(8);

    private static string RandomHex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();

    private static async Task<byte[]> ReadAllAsync(IBlobStore store, string name, CancellationToken cancellationToken)
    {
        await using var stream = await store.GetAsync(name, 0, null, cancellationToken);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellationToken);
        return memory.ToArray();
    }
}
