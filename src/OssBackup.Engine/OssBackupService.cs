using System.Runtime.CompilerServices;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine;

/// <summary>
/// What the cmdlets (and the tests) call: resolves names through the catalog, opens vaults and buckets,
/// and runs operations. Knows nothing of PowerShell.
/// </summary>
public sealed partial class OssBackupService
{
    public OssBackupService(BackupCatalog catalog)
    {
        Catalog = catalog;
    }

    public BackupCatalog Catalog { get; }

    /// <summary>Replaced by tests to observe or disturb what the source sees (e.g. count GETs).</summary>
    public Func<IObjectSource, IObjectSource> WrapSource { get; set; } = source => source;

    public BackupOptions BackupOptions { get; set; } = new();

    /// <summary>Used for alert webhooks; replaceable so tests can point it anywhere.</summary>
    public HttpClient AlertHttp { get; set; } = SharedAlertHttp;

    private static readonly HttpClient SharedAlertHttp = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static OssBackupService OpenDefault() => new(BackupCatalog.Open(OssBackupHome.CatalogPath));

    public async Task<BackupVault> NewVaultAsync(string name, string path, CancellationToken cancellationToken)
    {
        ValidateName(name, "vault");
        var fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath))
        {
            throw new ArgumentException($"Vault path '{fullPath}' is a file; give a folder (new or empty, or an existing vault to register it).");
        }
        if (Catalog.GetVaults(name).Count > 0)
        {
            throw new CatalogConflictException($"A vault named '{name}' already exists.");
        }
        var store = new FileBlobStore(fullPath);
        VaultRepository vault;
        if (File.Exists(Path.Combine(fullPath, VaultRepository.ConfigName)))
        {
            vault = await VaultRepository.OpenAsync(store, cancellationToken);
        }
        else
        {
            if (Directory.Exists(fullPath) && Directory.EnumerateFileSystemEntries(fullPath).Any())
            {
                throw new ArgumentException($"Vault path '{fullPath}' is a folder that is not empty and holds no vault; give a new or empty folder.");
            }
            vault = await VaultRepository.CreateAsync(store, cancellationToken);
        }
        var registration = new BackupVault { Name = name, Location = fullPath, VaultId = vault.Config.Id, CreatedAt = vault.Config.CreatedAt, Encrypted = vault.Config.Encryption != "none" };
        Catalog.AddVault(registration);
        return registration;
    }

    public async Task<BackupPlan> NewPlanAsync(BackupPlan plan, S3Credentials? credentials, CancellationToken cancellationToken)
    {
        ValidateName(plan.Name, "plan");
        if (Catalog.GetPlans(plan.Name).Count > 0)
        {
            throw new CatalogConflictException($"A plan named '{plan.Name}' already exists.");
        }
        ValidatePlanSettings(plan);
        var connection = ConnectionFor(plan, credentials);
        using (var source = OpenBucket(connection, plan.SourceBucket))
        {
            await source.VerifyAccessAsync(cancellationToken);
        }
        if (plan.ScanMethod == ScanMethod.Inventory)
        {
            using var inventory = OpenBucket(connection, plan.InventoryBucket);
            await inventory.VerifyAccessAsync(cancellationToken);
        }
        plan.CreatedAt = DateTimeOffset.UtcNow;
        Catalog.AddPlan(plan);
        return GetPlans(plan.Name).Single();
    }

    /// <param name="parallelism">Objects read at once; null: <see cref="BackupOptions"/>' (16).</param>
    public async Task<BackupJob> StartBackupAsync(string planName, S3Credentials? credentials, IOperationObserver observer, CancellationToken cancellationToken, int? parallelism = null)
    {
        var plan = Catalog.GetPlan(planName);
        var vault = Catalog.GetVault(plan.Vault);
        var interval = plan.Policy.Length > 0 ? Catalog.GetPolicies(plan.Policy).FirstOrDefault()?.Interval : null;
        var options = BackupOptions with { ScheduleInterval = interval, Parallelism = parallelism ?? BackupOptions.Parallelism };
        var runner = new BackupRunner(Catalog, observer, options);
        BackupJob job;
        try
        {
            var connection = ConnectionFor(plan, credentials);
            job = await runner.RunAsync(plan, vault,
                () => WrapSource(OpenBucket(connection, plan.SourceBucket, options.Parallelism)),
                plan.ScanMethod == ScanMethod.Inventory ? () => OpenInventoryStore(connection, plan.InventoryBucket) : null,
                cancellationToken);
        }
        catch (BackupFailedException failed)
        {
            await AlertAsync(plan, failed.Job, observer, cancellationToken);
            throw;
        }
        await AlertAsync(plan, job, observer, cancellationToken);
        if (job.Status == JobStatus.Completed)
        {
            await ApplyRetentionAsync(plan, observer, cancellationToken);
        }
        return job;
    }

    public async IAsyncEnumerable<BackupObject> GetObjectsAsync(string pointId, string? prefix, string? keyPattern, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var point = Catalog.GetBackupPoint(pointId);
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(point.Vault).Location), cancellationToken);
        var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);
        var accepts = new RestoreSelection(prefix is null ? null : [prefix], keyPattern is null ? null : [keyPattern]).Compile();
        using var reader = vault.NewBlobReader();
        await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, prefix, cancellationToken))
        {
            if (prefix is not null && !entry.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield break;
            }
            if (accepts(entry.Key))
            {
                yield return ToBackupObject(entry, point);
            }
        }
    }

    /// <summary>Restores into a local folder instead of a bucket.</summary>
    public async Task<RestoreJob> RestoreToFolderAsync(string pointId, RestoreSelection selection, string targetPath, string? targetPrefix,
        ConflictAction conflict, int? parallelism, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var point = Catalog.GetBackupPoint(pointId);
        var vault = Catalog.GetVault(point.Vault);
        var target = new Restore.LocalFolderTarget(targetPath);
        var runner = new RestoreRunner(Catalog, observer, parallelism ?? BackupOptions.Parallelism);
        return await runner.RunAsync(point, vault, selection, new RestoreTarget(target, targetPrefix, conflict), cancellationToken);
    }

    /// <summary>
    /// Restores into a bucket: the point's own source bucket when <paramref name="request"/> names none (its keys
    /// as they were, unless a target prefix is given), reached with the plan's endpoint and credentials unless
    /// others are given.
    /// </summary>
    public async Task<RestoreJob> RestoreAsync(string pointId, RestoreSelection selection, BucketRestoreRequest request, IOperationObserver observer,
        CancellationToken cancellationToken)
    {
        var point = Catalog.GetBackupPoint(pointId);
        using var bucket = await OpenRestoreBucketAsync(point, request, cancellationToken);
        var runner = new RestoreRunner(Catalog, observer, request.Parallelism ?? BackupOptions.Parallelism);
        return await runner.RunAsync(point, Catalog.GetVault(point.Vault), selection,
            new RestoreTarget(bucket, request.TargetPrefix, request.Conflict, request.StorageClass, request.Rollback), cancellationToken);
    }

    /// <summary>What a restore with -Rollback would delete: the target's keys within the selection that the point does not hold.</summary>
    public async IAsyncEnumerable<string> PreviewRollbackAsync(string pointId, RestoreSelection selection, BucketRestoreRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var point = Catalog.GetBackupPoint(pointId);
        using var bucket = await OpenRestoreBucketAsync(point, request, cancellationToken);
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(point.Vault).Location), cancellationToken);
        var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);
        await foreach (var key in RestoreRunner.FindKeysNotInPointAsync(vault, snapshot, selection, new RestoreTarget(bucket, request.TargetPrefix, request.Conflict), cancellationToken))
        {
            yield return key;
        }
    }

    /// <summary>True when a restore would write over the objects the point was taken from (same bucket, endpoint and keys).</summary>
    public bool WritesOverSource(string pointId, BucketRestoreRequest request)
    {
        var point = Catalog.GetBackupPoint(pointId);
        return (request.TargetBucket is null || request.TargetBucket == point.SourceBucket)
            && request.Endpoint is null
            && (request.TargetPrefix is null || request.TargetPrefix == point.SourcePrefix);
    }

    private async Task<S3Bucket> OpenRestoreBucketAsync(BackupPoint point, BucketRestoreRequest request, CancellationToken cancellationToken)
    {
        var plan = Catalog.GetPlans(point.Plan).FirstOrDefault();
        var connection = plan is null
            ? new S3Connection(request.Endpoint ?? throw new ArgumentException($"The plan of point '{point.Id}' no longer exists; give -Endpoint."), "", true,
                CredentialResolver.Resolve(request.Credentials, null, "the restore target"))
            : ConnectionFor(plan, request.Credentials) with { Endpoint = request.Endpoint ?? plan.Endpoint };
        var bucket = OpenBucket(connection, request.TargetBucket ?? point.SourceBucket, request.Parallelism);
        try
        {
            await bucket.VerifyAccessAsync(cancellationToken);
            return bucket;
        }
        catch
        {
            bucket.Dispose();
            throw;
        }
    }

    /// <summary>Every inventory run of a rule, newest first, with whether a backup could use it and why not.</summary>
    public async IAsyncEnumerable<BucketInventory> GetInventoriesAsync(Inventory.InventoryLocation location, S3Connection connection, bool countObjects,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = new Inventory.InventoryReader(OpenInventoryStore(connection, location.InventoryBucket));
        await foreach (var candidate in reader.ListAsync(location, cancellationToken))
        {
            long? count = candidate.ObjectCount;
            if (countObjects && candidate.IsUsable)
            {
                count = 0;
                await foreach (var _ in reader.ReadRowsAsync(candidate.Manifest!, null, cancellationToken))
                {
                    count++;
                }
            }
            yield return new BucketInventory
            {
                InventoryBucket = location.InventoryBucket,
                Folder = candidate.Folder,
                Timestamp = candidate.Timestamp,
                CreationTime = candidate.CreationTime,
                ObjectCount = count,
                DataFiles = candidate.DataFiles,
                DataBytes = candidate.DataBytes,
                Schema = [.. candidate.Schema],
                IsUsable = candidate.IsUsable,
                Problem = candidate.Problem,
            };
        }
    }

    /// <summary>The inventory location and connection of an inventory plan.</summary>
    public (Inventory.InventoryLocation Location, S3Connection Connection) InventoryOf(string planName, S3Credentials? credentials)
    {
        var plan = Catalog.GetPlan(planName);
        if (plan.ScanMethod != ScanMethod.Inventory)
        {
            throw new ArgumentException($"Plan '{plan.Name}' lists its bucket and has no inventory; create it with -InventoryBucket and -InventoryId.");
        }
        return (new Inventory.InventoryLocation(plan.InventoryBucket, plan.InventoryPrefix, plan.SourceBucket, plan.InventoryId), ConnectionFor(plan, credentials));
    }

    private static S3Connection ConnectionFor(BackupPlan plan, S3Credentials? credentials) =>
        new(plan.Endpoint, plan.Region, plan.ForcePathStyle, CredentialResolver.Resolve(credentials, plan.ProfileName, $"plan '{plan.Name}'"));

    private IBlobStore OpenInventoryStore(S3Connection connection, string bucket) =>
        WrapInventoryStore(new S3BlobStore(S3ClientFactory.Create(connection), bucket));

    /// <summary>Replaced by tests to observe what is read from the inventory bucket.</summary>
    public Func<IBlobStore, IBlobStore> WrapInventoryStore { get; set; } = store => store;

    /// <summary>A bucket with two connections for each of <paramref name="parallelism"/> workers (default: BackupOptions'), at least 64.</summary>
    private S3Bucket OpenBucket(S3Connection connection, string bucket, int? parallelism = null) =>
        S3Bucket.Open(connection, bucket, Math.Max(64, (parallelism ?? BackupOptions.Parallelism) * 2));

    private static void ValidateName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128 || name.Any(c => char.IsControl(c) || c is '/' or '\\'))
        {
            throw new ArgumentException($"'{name}' is not a valid {what} name: use up to 128 characters without slashes or control characters.");
        }
    }
}
