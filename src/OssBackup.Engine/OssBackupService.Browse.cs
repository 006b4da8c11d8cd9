using System.Runtime.CompilerServices;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine;

/// <summary>Browsing backup points: listings, folder views, a key's versions, comparisons.</summary>
public sealed partial class OssBackupService
{
    /// <summary>
    /// A point's objects under a prefix, optionally filtered, streamed one table segment at a time. With a
    /// delimiter, keys below the next delimiter are folded into one folder row with their count and size;
    /// a prefix is a contiguous key range in the table, so folding needs no memory beyond one row.
    /// </summary>
    public async IAsyncEnumerable<BackupObject> BrowseAsync(string pointId, string? prefix, string? keyPattern, IReadOnlyList<string>? include,
        IReadOnlyList<string>? exclude, string? delimiter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = new KeyFilter(include ?? [], exclude ?? []);
        BackupObject? folder = null;
        await foreach (var item in GetObjectsAsync(pointId, prefix, keyPattern, cancellationToken))
        {
            if (!filter.Accepts(item.Key))
            {
                continue;
            }
            if (string.IsNullOrEmpty(delimiter))
            {
                yield return item;
                continue;
            }
            var start = prefix?.Length ?? 0;
            var cut = item.Key.IndexOf(delimiter, start, StringComparison.Ordinal);
            if (cut < 0)
            {
                if (folder is not null)
                {
                    yield return folder;
                    folder = null;
                }
                yield return item;
                continue;
            }
            var common = item.Key[..(cut + delimiter.Length)];
            if (folder is not null && folder.Key != common)
            {
                yield return folder;
                folder = null;
            }
            folder ??= new BackupObject { Key = common, IsFolder = true, ObjectCount = 0, BackupPointId = item.BackupPointId, StorageClass = "" };
            folder.ObjectCount++;
            folder.Size += item.Size;
            if (item.LastModified > folder.LastModified)
            {
                folder.LastModified = item.LastModified;
            }
        }
        if (folder is not null)
        {
            yield return folder;
        }
    }

    /// <summary>One key as it was in each of a plan's points, oldest first (absent points are skipped).</summary>
    public async IAsyncEnumerable<BackupObject> GetVersionsAsync(string planName, string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var points = Catalog.GetBackupPoints(planName);
        if (points.Count == 0 && Catalog.GetPlans(planName).Count == 0)
        {
            Catalog.GetPlan(planName);
        }
        foreach (var point in points)
        {
            var vault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(point.Vault).Location), cancellationToken);
            var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);
            using var reader = vault.NewBlobReader();
            await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, key, cancellationToken))
            {
                if (entry.Key == key)
                {
                    var version = ToBackupObject(entry, point);
                    version.BackupPointTime = point.CreatedAt;
                    yield return version;
                }
                break;
            }
        }
    }

    /// <summary>
    /// Streams the keys added, removed and changed between a reference point and another point, or the live
    /// bucket ("live": its newest inventory when the plan has one, else a listing), under the plan's prefix
    /// and filters. Both sides are key-ordered streams, so memory stays flat.
    /// </summary>
    public async IAsyncEnumerable<BackupPointDifference> CompareAsync(string referenceId, string differenceId, S3Credentials? credentials,
        IOperationObserver observer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reference = Catalog.GetBackupPoint(referenceId);
        var referenceVault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(reference.Vault).Location), cancellationToken);
        var referenceSnapshot = await referenceVault.LoadSnapshotAsync(reference.Id, cancellationToken);
        using var referenceReader = referenceVault.NewBlobReader();
        var left = ToSourceObjects(TableReader.ReadAsync(referenceReader, referenceSnapshot.Segments, null, cancellationToken));

        IAsyncEnumerable<SourceObject> right;
        BlobReader? differenceReader = null;
        if (string.Equals(differenceId, "live", StringComparison.OrdinalIgnoreCase))
        {
            var plan = Catalog.GetPlans(reference.Plan).FirstOrDefault()
                ?? throw new ArgumentException($"Point '{reference.Id}' belongs to plan '{reference.Plan}', which no longer exists; compare it with another point instead of 'live'.");
            var connection = ConnectionFor(plan, credentials);
            IBackupScan scan = plan.ScanMethod == ScanMethod.Inventory
                ? await InventoryScan.OpenAsync(plan, OpenInventoryStore(connection, plan.InventoryBucket), null, observer, OssBackupHome.ScratchFolder("compare"), BackupOptions.Sort, cancellationToken)
                : new TraversalScan(OpenBucket(connection, plan.SourceBucket), plan.SourcePrefix);
            var filter = new KeyFilter(plan.Include, plan.Exclude);
            right = Filter(scan.ReadAsync(cancellationToken), filter.Accepts);
            left = Filter(left, filter.Accepts);
        }
        else
        {
            var difference = Catalog.GetBackupPoint(differenceId);
            var differenceVault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(difference.Vault).Location), cancellationToken);
            var differenceSnapshot = await differenceVault.LoadSnapshotAsync(difference.Id, cancellationToken);
            differenceReader = differenceVault.NewBlobReader();
            right = ToSourceObjects(TableReader.ReadAsync(differenceReader, differenceSnapshot.Segments, null, cancellationToken));
        }
        try
        {
            await foreach (var pair in SortedMerge.FullOuterJoinAsync(left, right, o => o.Key, o => o.Key, cancellationToken))
            {
                var (before, after) = (pair.Left, pair.Right);
                DifferenceKind? change = before is null ? DifferenceKind.Added
                    : after is null ? DifferenceKind.Removed
                    : before.Size != after.Size || !string.Equals(before.ETag, after.ETag, StringComparison.OrdinalIgnoreCase) ? DifferenceKind.Changed
                    : null;
                if (change is { } kind)
                {
                    yield return new BackupPointDifference
                    {
                        Key = pair.Key,
                        Change = kind,
                        ReferenceSize = before?.Size,
                        DifferenceSize = after?.Size,
                        ReferenceETag = before?.ETag,
                        DifferenceETag = after?.ETag,
                        ReferenceLastModified = before?.LastModified,
                        DifferenceLastModified = after?.LastModified,
                    };
                }
            }
        }
        finally
        {
            differenceReader?.Dispose();
        }
    }

    private static BackupObject ToBackupObject(ObjectEntry entry, BackupPoint point) => new()
    {
        Key = entry.Key,
        Size = entry.Size,
        ETag = entry.ETag,
        LastModified = entry.LastModified,
        StorageClass = entry.StorageClass,
        ContentType = entry.ContentType,
        BackupPointId = point.Id,
    };

    private static async IAsyncEnumerable<SourceObject> ToSourceObjects(IAsyncEnumerable<ObjectEntry> entries)
    {
        await foreach (var entry in entries)
        {
            yield return new SourceObject(entry.Key, entry.Size, entry.ETag, entry.LastModified, entry.StorageClass);
        }
    }

    private static async IAsyncEnumerable<SourceObject> Filter(IAsyncEnumerable<SourceObject> items, Func<string, bool> accepts)
    {
        await foreach (var item in items)
        {
            if (accepts(item.Key))
            {
                yield return item;
            }
        }
    }
}
