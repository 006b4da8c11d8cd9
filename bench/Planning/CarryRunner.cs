using System.Diagnostics;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.PlanningBench;

/// <summary>
/// The write side of carrying a point over: every entry of the previous point's table, read with
/// TableReader, goes through the production TableWriter and SharedPackSink into a vault of its own in the
/// scratch folder, as the backup's collector does for unchanged objects.
/// <list type="bullet">
/// <item><c>carry</c>: into an empty index, so every segment is compressed and stored, as when changes are
/// spread over the whole table (1% changed leaves hardly a segment of ~4000 entries untouched).</item>
/// <item><c>carry-dedupe</c>: into the previous vault's index, so every segment is found there and only
/// encoded and hashed, as when nothing changed.</item>
/// </list>
/// Either way the new segments must be the previous ones, byte for byte (same blob ids), or the run fails.
/// <c>carry-read</c> only reads the table, touching what planning touches of an unchanged entry (key, size,
/// time; the ETag is compared in the planner against the inventory's, which this mode does not have).
/// </summary>
internal static class CarryRunner
{
    public static async Task<RunResult> RunAsync(string mode, Dataset dataset, CancellationToken cancellationToken)
    {
        if (mode == "carry-read")
        {
            return await ReadAsync(dataset, cancellationToken);
        }
        var dedupe = mode switch
        {
            "carry" => false,
            "carry-dedupe" => true,
            _ => throw new ArgumentException($"Unknown mode '{mode}'.", nameof(mode)),
        };
        var scratch = Path.Combine(dataset.ScratchFolder, "carry");
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
        try
        {
            var clock = Stopwatch.StartNew();
            var previousVault = await VaultRepository.OpenAsync(new FileBlobStore(dataset.VaultRoot), cancellationToken);
            var previous = await previousVault.LoadSnapshotAsync(dataset.SnapshotId, cancellationToken);
            using var index = dedupe ? await previousVault.LoadIndexAsync(Path.Combine(scratch, "index-cache"), cancellationToken) : new BlobIndex();
            var opened = clock.Elapsed;

            var vault = await VaultRepository.CreateAsync(new FileBlobStore(Path.Combine(scratch, "vault")), cancellationToken);
            IReadOnlyList<TableSegmentRef> segments;
            long storedBytes;
            await using (var sink = new SharedPackSink(vault, Path.Combine(scratch, "packs")))
            {
                var table = new TableWriter(sink, index);
                using var reader = previousVault.NewBlobReader();
                await foreach (var entry in TableReader.ReadAsync(reader, previous.Segments, null, cancellationToken))
                {
                    await table.AddAsync(entry, cancellationToken);
                }
                segments = await table.CompleteAsync(cancellationToken);
                await sink.CompleteAsync(cancellationToken);
                storedBytes = sink.SealedBytes;
            }
            var total = clock.Elapsed;

            var before = previous.Segments;
            if (segments.Count != before.Count || segments.Zip(before).Any(pair => pair.First.Blob.Id != pair.Second.Blob.Id || pair.First.Count != pair.Second.Count))
            {
                throw new InvalidDataException("The carried-over table differs from the previous point's.");
            }
            return OursRunner.Result(mode, dataset, total, null, new()
            {
                ["open (snapshot" + (dedupe ? ", index)" : ")")] = opened.TotalSeconds,
                ["read + write table"] = (total - opened).TotalSeconds,
                ["entries"] = segments.Sum(s => s.Count),
                ["segments"] = segments.Count,
                ["stored MiB"] = storedBytes / 1048576.0,
            });
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task<RunResult> ReadAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(dataset.VaultRoot), cancellationToken);
        var previous = await vault.LoadSnapshotAsync(dataset.SnapshotId, cancellationToken);
        using var reader = vault.NewBlobReader();
        long entries = 0, keyChars = 0, bytes = 0, latest = 0;
        await foreach (var entry in TableReader.ReadAsync(reader, previous.Segments, null, cancellationToken))
        {
            entries++;
            keyChars += entry.Key.Length;
            bytes += entry.Size;
            latest = Math.Max(latest, entry.LastModified.UtcTicks);
        }
        return OursRunner.Result("carry-read", dataset, clock.Elapsed, null, new()
        {
            ["entries"] = entries,
            ["key chars"] = keyChars,
            ["size sum (GiB)"] = bytes / 1073741824.0,
            ["latest (days since 1970)"] = TimeSpan.FromTicks(latest - DateTime.UnixEpoch.Ticks).TotalDays,
        });
    }
}
