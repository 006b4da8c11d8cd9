using System.Diagnostics;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Restore;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine;

/// <summary>The restore drill (like dbatools' Test-DbaLastBackup).</summary>
public sealed partial class OssBackupService
{
    /// <summary>
    /// Restores a random sample of a point (the plan's latest by default) into scratch space through the
    /// ordinary restore path, re-reads every restored file and checks each chunk's SHA-256 against the
    /// backup, then deletes the scratch space. Sampling is reservoir or per-object, so memory holds only
    /// the sample, whatever the point's size.
    /// </summary>
    public async Task<BackupTestResult> TestBackupAsync(string planName, string? pointId, int? sampleSize, double? samplePercent, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var point = pointId is not null ? Catalog.GetBackupPoint(pointId)
            : Catalog.GetBackupPoints(planName, last: 1).LastOrDefault() ?? throw new Catalog.CatalogNotFoundException($"Plan '{planName}' has no backup point to test yet.");
        var vault = await VaultRepository.OpenAsync(new FileBlobStore(Catalog.GetVault(point.Vault).Location), cancellationToken);
        var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);

        var random = new Random();
        var sample = new List<ObjectEntry>();
        long seen = 0;
        using (var reader = vault.NewBlobReader())
        {
            await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, null, cancellationToken))
            {
                seen++;
                if (entry.Key.EndsWith('/'))
                {
                    continue;
                }
                if (samplePercent is { } percent)
                {
                    if (random.NextDouble() * 100 < percent)
                    {
                        sample.Add(entry);
                    }
                }
                else if (sample.Count < (sampleSize ?? 100))
                {
                    sample.Add(entry);
                }
                else if (random.NextInt64(seen) is var slot && slot < sample.Count)
                {
                    sample[(int)slot] = entry;
                }
            }
        }

        var scratch = OssBackupHome.ScratchFolder("drill");
        var result = new BackupTestResult { Plan = point.Plan, BackupPointId = point.Id, ObjectsInPoint = seen, SampledObjects = sample.Count };
        var failed = new List<string>();
        try
        {
            var keys = sample.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            var target = new LocalFolderTarget(scratch);
            var runner = new RestoreRunner(Catalog, observer, BackupOptions.Parallelism);
            await runner.RunAsync(point, Catalog.GetVault(point.Vault), new RestoreSelection(Keys: keys), new RestoreTarget(target, null, ConflictAction.Overwrite), cancellationToken);

            var mapper = new LocalPathMapper(scratch);
            foreach (var entry in sample)
            {
                if (await VerifyFileAsync(mapper, entry, cancellationToken))
                {
                    result.PassedObjects++;
                    result.VerifiedBytes += entry.Size;
                }
                else
                {
                    failed.Add(entry.Key);
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
        result.FailedObjects = failed.Count;
        result.FailedKeys = [.. failed];
        result.Duration = clock.Elapsed;
        return result;
    }

    private static async Task<bool> VerifyFileAsync(LocalPathMapper mapper, ObjectEntry entry, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = mapper.Map(entry.Key);
        }
        catch (UnsafeKeyException)
        {
            return false;
        }
        if (!File.Exists(path) || new FileInfo(path).Length != entry.Size)
        {
            return false;
        }
        await using var file = File.OpenRead(path);
        var buffer = new byte[entry.Chunks.Count == 0 ? 0 : entry.Chunks.Max(c => c.RawLength)];
        foreach (var chunk in entry.Chunks)
        {
            await file.ReadExactlyAsync(buffer.AsMemory(0, chunk.RawLength), cancellationToken);
            if (BlobId.Of(buffer.AsSpan(0, chunk.RawLength)) != chunk.Id)
            {
                return false;
            }
        }
        return true;
    }
}
