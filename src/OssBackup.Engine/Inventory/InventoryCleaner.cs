using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// Removes inventory runs from the inventory bucket once a backup no longer needs them: a run's manifest.json,
/// manifest.checksum and the data files its manifest names. A data file that a remaining run also names is never
/// deleted. Per run, manifest.checksum goes first (the run then reads as incomplete and is never selected), then
/// the data files, then manifest.json, so an interrupted clean-up can simply be run again. Data files that no
/// manifest names (orphans in <c>data/</c>) are left alone: only the inventory's own lifecycle rule should judge them.
/// The store must be rooted at the inventory bucket, as for <see cref="InventoryReader"/>.
/// </summary>
public sealed class InventoryCleaner(IBlobStore store)
{
    private readonly InventoryReader _reader = new(store);

    /// <summary>Removes one run (typically the one a backup just used).</summary>
    public async Task<InventoryCleanupResult> DeleteAsync(InventoryCandidate candidate, CancellationToken cancellationToken)
    {
        var all = await ReadAllAsync(candidate.Location, cancellationToken);
        var remove = all.Where(c => c.Folder == candidate.Folder).ToList();
        if (remove.Count == 0)
        {
            // Already gone from the listing (or only half there): still remove what the caller knows of it.
            remove.Add(candidate);
        }
        return await DeleteRunsAsync(remove, all.Where(c => c.Folder != candidate.Folder).ToList(), cancellationToken);
    }

    /// <summary>Removes every run whose folder time is earlier than <paramref name="than"/>; later runs stay.</summary>
    public async Task<InventoryCleanupResult> DeleteOlderAsync(InventoryLocation location, DateTimeOffset than, CancellationToken cancellationToken)
    {
        var all = await ReadAllAsync(location, cancellationToken);
        return await DeleteRunsAsync(all.Where(c => c.Timestamp < than).ToList(), all.Where(c => c.Timestamp >= than).ToList(), cancellationToken);
    }

    private async Task<List<InventoryCandidate>> ReadAllAsync(InventoryLocation location, CancellationToken cancellationToken)
    {
        var all = new List<InventoryCandidate>();
        await foreach (var candidate in _reader.ListAsync(location, cancellationToken))
        {
            all.Add(candidate);
        }
        return all;
    }

    private async Task<InventoryCleanupResult> DeleteRunsAsync(List<InventoryCandidate> remove, List<InventoryCandidate> keep, CancellationToken cancellationToken)
    {
        var protectedKeys = keep.Where(c => c.Manifest is not null).SelectMany(c => c.Manifest!.Files).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var deletedRuns = new List<string>();
        var deleted = new List<string>();
        var deletedSet = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<string>();
        var keptSet = new HashSet<string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var run in remove)
        {
            // Deleted even when the listing did not show it (the run may have completed since), reported only if it did.
            await store.DeleteAsync(run.ChecksumKey, cancellationToken);
            if (run.IsComplete && deletedSet.Add(run.ChecksumKey))
            {
                deleted.Add(run.ChecksumKey);
            }
            if (run.Manifest is null)
            {
                warnings.Add($"{run.ManifestKey} could not be read ({run.Problem}), so the data files of {run.Folder} are unknown and were left in place.");
            }
            else
            {
                foreach (var file in run.Manifest.Files)
                {
                    if (protectedKeys.Contains(file.Key))
                    {
                        if (keptSet.Add(file.Key))
                        {
                            kept.Add(file.Key);
                        }
                        continue;
                    }
                    await DeleteKeyAsync(file.Key);
                }
            }
            await DeleteKeyAsync(run.ManifestKey);
            deletedRuns.Add(run.Folder);
        }
        return new InventoryCleanupResult(deletedRuns, deleted, kept, warnings);

        async Task DeleteKeyAsync(string key)
        {
            if (deletedSet.Add(key))
            {
                await store.DeleteAsync(key, cancellationToken);
                deleted.Add(key);
            }
        }
    }
}
