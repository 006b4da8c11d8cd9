using OssBackup.Engine.Operations;
using OssBackup.Engine.Policy;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine;

/// <summary>Retention and deleting backup points.</summary>
public sealed partial class OssBackupService
{
    /// <summary>The plan's policy applied to its points at <paramref name="now"/>: keep or remove each, with the reasons.</summary>
    public IReadOnlyList<BackupRetentionDecision> PreviewRetention(string planName, DateTimeOffset now)
    {
        var plan = Catalog.GetPlan(planName);
        if (plan.Policy.Length == 0)
        {
            throw new ArgumentException($"Plan '{plan.Name}' has no policy, so no retention applies; give it one with Set-BackupPlan -Policy.");
        }
        var policy = Catalog.GetPolicy(plan.Policy);
        var points = Catalog.GetBackupPoints(plan.Name);
        return Retention.Apply(points.Select(p => new RetentionPoint(p.Id, p.CreatedAt)), ToRetentionPolicy(policy), now)
            .Select(d => new BackupRetentionDecision
            {
                Plan = plan.Name,
                BackupPointId = d.Point.Id,
                CreatedAt = d.Point.CreatedAt,
                Action = d.Keep ? RetentionAction.Keep : RetentionAction.Remove,
                Reasons = [.. d.Reasons],
            })
            .ToList();
    }

    /// <summary>
    /// Deletes backup points and then only the packs no remaining point needs (under the vault's
    /// exclusive lock), so deleting early points never breaks later ones.
    /// </summary>
    public async Task<IReadOnlyList<BackupPointRemoval>> RemoveBackupPointsAsync(IReadOnlyCollection<string> pointIds, bool dryRun, CancellationToken cancellationToken)
    {
        var points = pointIds.Distinct(StringComparer.Ordinal).Select(Catalog.GetBackupPoint).ToList();
        var removals = new List<BackupPointRemoval>();
        foreach (var group in points.GroupBy(p => p.Vault, StringComparer.OrdinalIgnoreCase))
        {
            var registration = Catalog.GetVault(group.Key);
            var vault = await VaultRepository.OpenAsync(new FileBlobStore(registration.Location), cancellationToken);
            var ids = group.Select(p => p.Id).ToList();
            var result = await VaultPruner.PruneAsync(vault, ids, new PruneOptions { DryRun = dryRun }, cancellationToken);
            if (!dryRun)
            {
                Catalog.RemoveBackupPoints(registration.Name, ids);
                foreach (var id in ids)
                {
                    // Only the newest point of an inventory plan has a digest here, and once removed no backup plans against it.
                    Planning.PointDigests.Forget(OssBackupHome.DigestCacheRoot, vault.Config.Id, id);
                }
            }
            removals.Add(new BackupPointRemoval
            {
                Vault = registration.Name,
                RemovedPoints = [.. ids],
                PacksDeleted = result.PacksDeleted,
                BytesFreed = result.BytesFreed,
                PacksKept = result.PacksKept,
                WhatIf = dryRun,
            });
        }
        return removals;
    }

    /// <summary>After a successful backup: removes what the plan's policy no longer keeps. A problem here is a warning; the backup stands.</summary>
    private async Task ApplyRetentionAsync(BackupPlan plan, IOperationObserver observer, CancellationToken cancellationToken)
    {
        if (plan.Policy.Length == 0)
        {
            return;
        }
        try
        {
            var remove = PreviewRetention(plan.Name, DateTimeOffset.UtcNow).Where(d => d.Action == RetentionAction.Remove).Select(d => d.BackupPointId).ToList();
            if (remove.Count > 0)
            {
                await RemoveBackupPointsAsync(remove, dryRun: false, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            observer.Warning($"The backup of plan '{plan.Name}' succeeded, but applying its retention policy failed: {e.Message}");
        }
    }

    private static RetentionPolicy ToRetentionPolicy(BackupPolicy policy) => new()
    {
        KeepLast = policy.KeepLast,
        KeepWithin = policy.KeepWithin,
        KeepDaily = policy.KeepDaily,
        KeepWeekly = policy.KeepWeekly,
        KeepMonthly = policy.KeepMonthly,
        KeepYearly = policy.KeepYearly,
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(policy.TimeZone),
    };
}
