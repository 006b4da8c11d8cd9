using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// A class fixture: a catalog, a service, a vault and a bucket seeded with a dozen small objects that no
/// test modifies. Each test makes a plan of its own (<see cref="NewPlanAsync"/>) so their points never mix.
/// </summary>
public sealed class SmallBucketEngine(S3TestServer server, TestHome home) : IAsyncLifetime, IDisposable
{
    public const string VaultName = "small";

    private readonly TempFolder _folder = new("small-engine");

    public S3TestServer Server => server;
    public string Home => home.Path;
    public BackupCatalog Catalog { get; private set; } = null!;
    public OssBackupService Service { get; private set; } = null!;
    public string Bucket { get; private set; } = "";
    public BackupVault Vault { get; private set; } = null!;

    public IReadOnlyDictionary<string, byte[]> Objects { get; } = Enumerable.Range(0, 12).ToDictionary(
        i => i switch { 0 => "a/zero.txt", 1 => "a/one + one.txt", 2 => "a/日本.txt", _ => $"b/item {i:D2}.txt" },
        i => TestData.CompressibleText(1000 + i * 333, seed: i),
        StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        if (!server.IsAvailable)
        {
            return;
        }
        Catalog = BackupCatalog.Open(_folder.Combine("catalog.db"));
        Service = new OssBackupService(Catalog);
        Bucket = await server.CreateBucketAsync("small");
        await server.PutObjectsAsync(Bucket, Objects);
        Vault = await Service.NewVaultAsync(VaultName, _folder.Combine("vault"), CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    /// <summary>Registers a plan on <paramref name="bucket"/> (default: the seeded one) and <paramref name="prefix"/>.</summary>
    public async Task<BackupPlan> NewPlanAsync(string name, string? bucket = null, string prefix = "") =>
        await Service.NewPlanAsync(server.PlanFor(name, bucket ?? Bucket, prefix, VaultName), server.Credentials, CancellationToken.None);

    public Task<BackupJob> BackupAsync(string plan, IOperationObserver? observer = null, CancellationToken cancellationToken = default) =>
        Service.StartBackupAsync(plan, server.Credentials, observer ?? NullObserver.Instance, cancellationToken);

    public Task<RestoreJob> RestoreAsync(string pointId, string targetBucket, string? targetPrefix = null) =>
        Service.RestoreAsync(pointId, new RestoreSelection(), new BucketRestoreRequest(targetBucket, targetPrefix, Credentials: server.Credentials),
            NullObserver.Instance, CancellationToken.None);

    public async Task<List<string>> KeysOfAsync(string pointId)
    {
        var keys = new List<string>();
        await foreach (var item in Service.GetObjectsAsync(pointId, prefix: null, keyPattern: null, CancellationToken.None))
        {
            keys.Add(item.Key);
        }
        return keys;
    }
}
