using Amazon.S3.Model;
using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>
/// Runs once for <see cref="BackupAndRestoreTests"/>: seeds a bucket with 200 awkward objects, backs it up
/// (full), modifies 3 objects, adds 2 and deletes 1, backs it up again (incremental, through a counting
/// source), and restores the second point into an empty bucket. The tests then check what each step did.
/// </summary>
public sealed class IncrementalBackupScenario(S3TestServer server, TestHome home) : IAsyncLifetime, IDisposable
{
    public const string PlanName = "nightly";
    public const string VaultName = "local";
    public const string LargeKey = "large/random 20 MiB.bin";
    public const string ReadmeKey = "docs/readme.txt";

    private static readonly string[] SpecialKeys =
    [
        ReadmeKey, "docs/draft.tmp", "docs/notes with spaces.txt", "docs/sub dir/a+b=c.txt",
        "unicode/日本語/ファイル.txt", "unicode/é à ü.txt", "unicode/😀 smile.txt", "unicode/\uE000 private use.txt", "unicode/\uFF21\uFF22 fullwidth.txt",
        "odd/100% sure.txt", "odd/%41%2F literally.txt", "odd/a+b+c", "odd/k=v&x=y", "odd/(parens) [brackets] {braces}.txt", "odd/tilde~ and 'quotes'.txt",
        "empty/zero bytes", LargeKey,
    ];

    private readonly TempFolder _folder = new("e2e");

    public S3TestServer Server => server;
    public string Home => home.Path;
    public BackupCatalog Catalog { get; private set; } = null!;
    public OssBackupService Service { get; private set; } = null!;
    public S3Credentials Credentials => server.Credentials;
    public string SourceBucket { get; private set; } = "";
    public string TargetBucket { get; private set; } = "";
    public BackupVault Vault { get; private set; } = null!;

    /// <summary>What the source held at the first backup.</summary>
    public IReadOnlyDictionary<string, byte[]> Seeded { get; private set; } = new Dictionary<string, byte[]>();

    /// <summary>What the source holds since the changes, i.e. at the second backup.</summary>
    public IReadOnlyDictionary<string, byte[]> Current { get; private set; } = new Dictionary<string, byte[]>();

    public IReadOnlyList<string> Modified { get; } = ["bulk/item-011.txt", "bulk/item-020.bin", "unicode/😀 smile.txt"];
    public IReadOnlyList<string> Added { get; } = ["new/added one.txt", "new/日本 + two=2.txt"];
    public string Deleted { get; } = "bulk/item-031.txt";

    public BackupJob FirstJob { get; private set; } = null!;
    public BackupJob SecondJob { get; private set; } = null!;
    public BackupPoint FirstPoint { get; private set; } = null!;
    public BackupPoint SecondPoint { get; private set; } = null!;

    /// <summary>The decorator the second backup read the source through.</summary>
    public CountingObjectSource SecondRunSource { get; private set; } = null!;

    public RestoreJob RestoreJob { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!server.IsAvailable)
        {
            return;
        }
        Catalog = BackupCatalog.Open(_folder.Combine("catalog.db"));
        Service = new OssBackupService(Catalog);
        SourceBucket = await server.CreateBucketAsync("e2esource");
        TargetBucket = await server.CreateBucketAsync("e2etarget");

        var seeded = SeedContent();
        await PutAllAsync(SourceBucket, seeded);
        Seeded = seeded;

        Vault = await Service.NewVaultAsync(VaultName, _folder.Combine("vault"), CancellationToken.None);
        await Service.NewPlanAsync(NewPlan(PlanName), Credentials, CancellationToken.None);
        FirstJob = await Service.StartBackupAsync(PlanName, Credentials, NullObserver.Instance, CancellationToken.None);
        FirstPoint = Catalog.GetBackupPoint(FirstJob.BackupPointId!);

        var current = new Dictionary<string, byte[]>(seeded, StringComparer.Ordinal);
        var changes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in Modified)
        {
            changes[key] = [.. "changed: "u8, .. seeded[key], .. "!"u8];
        }
        for (var i = 0; i < Added.Count; i++)
        {
            changes[Added[i]] = TestData.CompressibleText(5000 + i, seed: 9000 + i);
        }
        await PutAllAsync(SourceBucket, changes);
        using (var client = server.NewClient())
        {
            await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = SourceBucket, Key = Deleted });
        }
        foreach (var (key, content) in changes)
        {
            current[key] = content;
        }
        current.Remove(Deleted);
        Current = current;

        Service.WrapSource = source => SecondRunSource = new CountingObjectSource(source);
        SecondJob = await Service.StartBackupAsync(PlanName, Credentials, NullObserver.Instance, CancellationToken.None);
        Service.WrapSource = source => source;
        SecondPoint = Catalog.GetBackupPoint(SecondJob.BackupPointId!);

        RestoreJob = await Service.RestoreAsync(SecondPoint.Id, new RestoreSelection(),
            new BucketRestoreRequest(TargetBucket, Credentials: Credentials), NullObserver.Instance, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    public BackupPlan NewPlan(string name, string[]? include = null, string[]? exclude = null) => new()
    {
        Name = name,
        SourceBucket = SourceBucket,
        Endpoint = server.Endpoint,
        Region = server.Connection.Region,
        ForcePathStyle = true,
        Vault = VaultName,
        Include = include ?? [],
        Exclude = exclude ?? [],
    };

    public async Task<GetObjectMetadataResponse> HeadAsync(string bucket, string key)
    {
        using var client = server.NewClient();
        return await client.GetObjectMetadataAsync(bucket, key);
    }

    private static Dictionary<string, byte[]> SeedContent()
    {
        var content = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < SpecialKeys.Length; i++)
        {
            content[SpecialKeys[i]] = SpecialKeys[i] switch
            {
                "empty/zero bytes" => [],
                LargeKey => TestData.RandomBytes(20 << 20, seed: 20),
                _ => TestData.CompressibleText(100 + 37 * i, seed: i),
            };
        }
        for (var i = 0; content.Count < 200; i++)
        {
            var binary = i % 10 == 0;
            content[$"bulk/item-{i:D3}.{(binary ? "bin" : "txt")}"] = binary ? TestData.RandomBytes(1000 + i * 50, seed: 1000 + i) : TestData.CompressibleText(200 + i * 97, seed: i);
        }
        return content;
    }

    private Task PutAllAsync(string bucket, IReadOnlyDictionary<string, byte[]> objects) =>
        server.PutObjectsAsync(bucket, objects, request =>
        {
            if (request.Key == ReadmeKey)
            {
                request.Metadata.Add("origin", "seed");
                request.Headers.CacheControl = "no-cache";
            }
        });
}
