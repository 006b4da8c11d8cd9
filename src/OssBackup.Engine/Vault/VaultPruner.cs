using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Deletes backup points and the packs only they used. Rules:
/// <list type="bullet">
/// <item>Everything happens under an exclusive <see cref="VaultLock"/> (a dry run takes none and writes nothing).</item>
/// <item>Unknown snapshot ids, an unreadable snapshot or a corrupt table segment fail the prune before anything is deleted.</item>
/// <item>A pack is deleted only if it is in <c>data/</c>, <b>no remaining snapshot references it</b> (its table segments or
/// any chunk of any entry), and <b>an index file names it</b>. A backup writes its index file only at its commit, after
/// all its packs, so packs of a backup still running (or of one that crashed) are never deleted: this rule replaces a
/// grace period, which a store without modification times cannot implement.</item>
/// <item>Packs are deleted whole. A pack partly used by a remaining snapshot is kept with all its blobs (repacking is future work).</item>
/// <item>Crash-safe order: snapshots are deleted first; then each index file that names a deleted (or missing) pack is
/// replaced by a new one without it, the new file written before the old one is deleted; packs are deleted last. A crash
/// at any step leaves every remaining point readable and never leaves an index naming a missing pack. (A crash between
/// the index rewrite and the pack deletions leaves those packs unindexed, so the next prune keeps them: a leak, not a loss.)</item>
/// <item>Backups must hold a shared lock for this to be safe while they run: without one, a backup that deduplicated
/// against (or carried entries over from) a point being pruned could commit a snapshot naming a deleted pack.</item>
/// </list>
/// </summary>
public static class VaultPruner
{
    private const string SnapshotFolder = "snapshots/";
    private const string IndexFolder = "index/";
    private const string DataFolder = "data/";

    public static async Task<PruneResult> PruneAsync(VaultRepository vault, IReadOnlyCollection<string> snapshotIdsToRemove, PruneOptions? options, CancellationToken cancellationToken)
    {
        options ??= new PruneOptions();
        if (options.DryRun)
        {
            return await RunAsync(vault, snapshotIdsToRemove, held: null, cancellationToken);
        }
        await using var held = await VaultLock.AcquireExclusiveAsync(vault.Store, options.Lock, cancellationToken);
        var result = await RunAsync(vault, snapshotIdsToRemove, held, cancellationToken);
        return result with { StaleLocksRemoved = held.BrokenLocks.Count };
    }

    private static async Task<PruneResult> RunAsync(VaultRepository vault, IReadOnlyCollection<string> snapshotIdsToRemove, VaultLock? held, CancellationToken cancellationToken)
    {
        var store = vault.Store;

        // 1. Which points go and which stay; unknown ids fail before anything is touched.
        var snapshots = await ListSnapshotIdsAsync(store, cancellationToken);
        var remove = new HashSet<string>(snapshotIdsToRemove, StringComparer.Ordinal);
        var unknown = remove.Where(id => !snapshots.Contains(id)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var ids = string.Join(", ", unknown.Select(id => $"'{id}'"));
            throw new FileNotFoundException(unknown.Count == 1
                ? $"Backup point {ids} does not exist in the vault at '{store.Location}'; nothing was deleted."
                : $"Backup points {ids} do not exist in the vault at '{store.Location}'; nothing was deleted.");
        }
        var remaining = snapshots.Where(id => !remove.Contains(id)).Order(StringComparer.Ordinal).ToList();

        // 2. Index files before data/: any pack an index names was complete before we list data/.
        var indexFiles = new List<(string Name, List<PackId> Packs)>();
        var indexed = new HashSet<PackId>();
        foreach (var name in await ListNamesAsync(store, IndexFolder, cancellationToken))
        {
            var packs = IndexFileCodec.Decode(await ReadAllAsync(store, name, cancellationToken), name).Select(p => p.Pack).ToList();
            indexFiles.Add((name, packs));
            indexed.UnionWith(packs);
        }

        // 3. The packs that exist.
        var existing = new Dictionary<PackId, long>();
        await foreach (var file in store.ListAsync(DataFolder, cancellationToken))
        {
            if (TryParsePackName(file.Name, out var pack))
            {
                existing[pack] = file.Size;
            }
        }

        // 4. The packs the remaining points reference, streaming each table a segment at a time.
        var referenced = new HashSet<PackId>();
        var seenSegments = new HashSet<BlobId>();
        using var reader = vault.NewBlobReader();
        foreach (var id in remaining)
        {
            await CollectReferencesAsync(vault, reader, id, referenced, seenSegments, cancellationToken);
        }
        var kept = remaining.Count;
        if (held is not null)
        {
            // Points committed meanwhile (by a backup that took no lock) are honoured too.
            foreach (var id in (await ListSnapshotIdsAsync(store, cancellationToken)).Where(id => !snapshots.Contains(id)))
            {
                await CollectReferencesAsync(vault, reader, id, referenced, seenSegments, cancellationToken);
                kept++;
            }
        }

        // 5. The plan.
        var deletable = existing.Keys.Where(p => indexed.Contains(p) && !referenced.Contains(p)).ToHashSet();
        var unindexedGarbage = existing.Keys.Where(p => !indexed.Contains(p) && !referenced.Contains(p)).ToList();
        bool KeepInIndex(PackId pack) => existing.ContainsKey(pack) && !deletable.Contains(pack);
        var rewrites = indexFiles.Where(f => !f.Packs.All(KeepInIndex)).ToList();
        var result = new PruneResult
        {
            DryRun = held is null,
            SnapshotsRemoved = remove.Count,
            SnapshotsKept = kept,
            PacksDeleted = deletable.Count,
            BytesFreed = deletable.Sum(p => existing[p]),
            PacksKept = existing.Count - deletable.Count,
            BytesKept = existing.Where(p => !deletable.Contains(p.Key)).Sum(p => p.Value),
            UnindexedPacksKept = unindexedGarbage.Count,
            UnindexedBytesKept = unindexedGarbage.Sum(p => existing[p]),
            IndexFilesRewritten = rewrites.Count,
            IndexFilesWritten = rewrites.Count(f => f.Packs.Any(KeepInIndex)),
            ReferencedPacksMissing = referenced.Count(p => !existing.ContainsKey(p)),
        };
        if (held is null)
        {
            return result;
        }

        // 6. Delete, in crash-safe order: snapshots, then index entries, then packs.
        await held.EnsureHeldAsync(cancellationToken);
        foreach (var id in remove.Order(StringComparer.Ordinal))
        {
            await store.DeleteAsync(SnapshotFolder + id, cancellationToken);
        }
        foreach (var (name, _) in rewrites)
        {
            await held.EnsureHeldAsync(cancellationToken);
            var keptPacks = IndexFileCodec.Decode(await ReadAllAsync(store, name, cancellationToken), name)
                .Where(p => KeepInIndex(p.Pack))
                .Select(p => new SealedPack(p.Pack, p.Size, p.Blobs))
                .ToList();
            await vault.WriteIndexAsync(keptPacks, cancellationToken);
            await store.DeleteAsync(name, cancellationToken);
        }
        await held.EnsureHeldAsync(cancellationToken);
        foreach (var pack in deletable)
        {
            await store.DeleteAsync(pack.FileName, cancellationToken);
        }
        return result;
    }

    private static async Task CollectReferencesAsync(VaultRepository vault, BlobReader reader, string snapshotId, HashSet<PackId> referenced, HashSet<BlobId> seenSegments, CancellationToken cancellationToken)
    {
        var snapshot = await vault.LoadSnapshotAsync(snapshotId, cancellationToken);
        var unseen = new List<TableSegmentRef>();
        foreach (var segment in snapshot.Segments)
        {
            referenced.Add(segment.Blob.Pack);
            // Identical segment plaintext (same blob id) holds identical entries, chunk locations included: read it once.
            if (seenSegments.Add(segment.Blob.Id))
            {
                unseen.Add(segment);
            }
        }
        await foreach (var entry in TableReader.ReadAsync(reader, unseen, null, cancellationToken))
        {
            foreach (var chunk in entry.Chunks)
            {
                referenced.Add(chunk.Pack);
            }
        }
    }

    private static async Task<HashSet<string>> ListSnapshotIdsAsync(IBlobStore store, CancellationToken cancellationToken) =>
        (await ListNamesAsync(store, SnapshotFolder, cancellationToken)).Select(name => name[SnapshotFolder.Length..]).ToHashSet(StringComparer.Ordinal);

    private static async Task<List<string>> ListNamesAsync(IBlobStore store, string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var file in store.ListAsync(prefix, cancellationToken))
        {
            names.Add(file.Name);
        }
        return names;
    }

    /// <summary>Pack file names are <c>data/&lt;2 hex&gt;/&lt;32 hex&gt;</c>; anything else in <c>data/</c> is not ours and is left alone.</summary>
    private static bool TryParsePackName(string name, out PackId pack)
    {
        pack = default;
        const int Length = 5 + 2 + 1 + 32;
        if (name.Length != Length || !name.StartsWith(DataFolder, StringComparison.Ordinal) || name[7] != '/')
        {
            return false;
        }
        var hex = name.AsSpan(8);
        foreach (var c in hex)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        if (!hex.StartsWith(name.AsSpan(5, 2), StringComparison.Ordinal))
        {
            return false;
        }
        pack = PackId.Parse(hex.ToString());
        return true;
    }

    private static async Task<byte[]> ReadAllAsync(IBlobStore store, string name, CancellationToken cancellationToken)
    {
        await using var stream = await store.GetAsync(name, 0, null, cancellationToken);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellationToken);
        return memory.ToArray();
    }
}
