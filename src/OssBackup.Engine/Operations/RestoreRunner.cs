using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

/// <summary>Which objects of a point to restore: all of them, a prefix, wildcards, or an explicit key list.</summary>
public sealed record RestoreSelection(string? Prefix = null, IReadOnlyList<string>? KeyPatterns = null, IReadOnlySet<string>? Keys = null)
{
    public Func<string, bool> Compile()
    {
        var patterns = (KeyPatterns ?? []).Select(Wildcard.ToRegex).ToArray();
        return key =>
            (Prefix is null || key.StartsWith(Prefix, StringComparison.Ordinal))
            && (patterns.Length == 0 || Array.Exists(patterns, p => p.IsMatch(key)))
            && (Keys is null || Keys.Contains(key));
    }
}

public sealed record RestoreTarget(IObjectTarget Bucket, string? TargetPrefix, ConflictAction Conflict);

/// <summary>
/// Restores objects of one backup point to a bucket, in parallel. Whole objects are uploaded with their
/// Content-MD5; large ones as multipart uploads (one part per chunk) that are aborted on failure.
/// </summary>
public sealed class RestoreRunner(BackupCatalog catalog, IOperationObserver observer, int parallelism = 16)
{
    public async Task<RestoreJob> RunAsync(BackupPoint point, BackupVault registration, RestoreSelection selection, RestoreTarget target, CancellationToken cancellationToken)
    {
        var job = catalog.StartRestoreJob(point.Plan, point.Id, target.Bucket.Description + "/" + (target.TargetPrefix ?? ""));
        var clock = Stopwatch.StartNew();
        long restored = 0, restoredBytes = 0, skipped = 0, failed = 0;
        try
        {
            var vault = await VaultRepository.OpenAsync(new Storage.FileBlobStore(registration.Location), cancellationToken);
            var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);
            var accepts = selection.Compile();
            var work = Channel.CreateBounded<ObjectEntry>(parallelism * 4);
            var emptyRegion = target.Conflict == ConflictAction.Overwrite ? null
                : await EmptyTargetRegionAsync(target, snapshot.SourcePrefix, selection, cancellationToken);

            var producer = Task.Run(async () =>
            {
                using var reader = vault.NewBlobReader();
                var tree = target.Bucket.IsFileTree ? new FileTreeRule() : null;
                try
                {
                    await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, selection.Prefix, cancellationToken))
                    {
                        if (selection.Prefix is not null && !entry.Key.StartsWith(selection.Prefix, StringComparison.Ordinal))
                        {
                            break;
                        }
                        if (!accepts(entry.Key))
                        {
                            continue;
                        }
                        if (tree?.FileAbove(MapKey(entry.Key, snapshot.SourcePrefix, target.TargetPrefix)) is { } file)
                        {
                            Interlocked.Increment(ref failed);
                            var message = $"'{entry.Key}' lies under '{file}', which is restored as a file; a folder cannot have the same name.";
                            observer.ObjectFailed(entry.Key, "FileFolderConflict", message);
                            catalog.AddJobItem(job.Id, entry.Key, "Failed", "FileFolderConflict", message);
                            continue;
                        }
                        await work.Writer.WriteAsync(entry, cancellationToken);
                    }
                }
                finally
                {
                    work.Writer.Complete();
                }
            }, cancellationToken);

            var workers = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
            {
                using var reader = vault.NewBlobReader();
                await foreach (var entry in work.Reader.ReadAllAsync(cancellationToken))
                {
                    var targetKey = MapKey(entry.Key, snapshot.SourcePrefix, target.TargetPrefix);
                    try
                    {
                        var provenAbsent = emptyRegion is not null && targetKey.StartsWith(emptyRegion, StringComparison.Ordinal);
                        if (target.Conflict != ConflictAction.Overwrite && !provenAbsent && await target.Bucket.ExistsAsync(targetKey, cancellationToken))
                        {
                            if (target.Conflict == ConflictAction.IfChanged && await IsSameAsync(reader, entry, targetKey, target.Bucket, cancellationToken))
                            {
                                Interlocked.Increment(ref skipped);
                                continue;
                            }
                            if (target.Conflict == ConflictAction.IfChanged)
                            {
                                // Differs: fall through to overwrite.
                            }
                            else if (target.Conflict == ConflictAction.Skip)
                            {
                                Interlocked.Increment(ref skipped);
                                catalog.AddJobItem(job.Id, entry.Key, "Skipped", "TargetExists", $"'{targetKey}' already exists in {target.Bucket.Description}.");
                                continue;
                            }
                            else
                            {
                                throw new TargetExistsException($"'{targetKey}' already exists in {target.Bucket.Description}; use -Conflict Overwrite, IfChanged or Skip.");
                            }
                        }
                        await WriteObjectAsync(reader, entry, targetKey, target.Bucket, cancellationToken);
                        Interlocked.Increment(ref restored);
                        Interlocked.Add(ref restoredBytes, entry.Size);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failed);
                        var code = e switch
                        {
                            TargetExistsException => "TargetExists",
                            Restore.UnsafeKeyException unsafeKey => $"UnsafeKey.{unsafeKey.Code}",
                            InvalidDataException => "IntegrityCheckFailed",
                            Amazon.S3.AmazonS3Exception s3 => s3.ErrorCode ?? "S3Error",
                            _ => e.GetType().Name,
                        };
                        observer.ObjectFailed(entry.Key, code, e.Message);
                        catalog.AddJobItem(job.Id, entry.Key, "Failed", code, e.Message);
                    }
                }
            }, cancellationToken)).ToList();

            await Task.WhenAll([producer, .. workers]);
            job.Status = failed > 0 ? (restored > 0 || skipped > 0 ? JobStatus.PartiallyCompleted : JobStatus.Failed) : JobStatus.Completed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            job.Status = JobStatus.Cancelled;
            job.Message = "Cancelled by the user.";
        }
        catch (Exception e)
        {
            job.Status = JobStatus.Failed;
            job.Message = e.Message;
        }
        job.RestoredObjects = restored;
        job.RestoredBytes = restoredBytes;
        job.SkippedObjects = skipped;
        job.FailedObjects = failed;
        job.EndTime = DateTimeOffset.UtcNow;
        job.BytesPerSecond = restoredBytes / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        catalog.UpdateRestoreJob(job);
        return job;
    }

    /// <summary>
    /// The key prefix every restored key falls under, when the target is a bucket that holds nothing under it: then no
    /// object can conflict and the HEAD per object that checks for one is not needed (one LIST instead of one request
    /// per object, as rclone lists its destination instead of probing each key). Null when the target is not a bucket,
    /// or holds something there, or only a few chosen keys are restored (a HEAD each is cheaper than a listing then).
    /// Like any check before a write it cannot see objects another client creates during the restore.
    /// </summary>
    private static async Task<string?> EmptyTargetRegionAsync(RestoreTarget target, string sourcePrefix, RestoreSelection selection, CancellationToken cancellationToken)
    {
        if (target.Bucket is not IObjectSource listable || selection.Keys is not null)
        {
            return null;
        }
        var region = MapKey(selection.Prefix ?? sourcePrefix, sourcePrefix, target.TargetPrefix);
        await foreach (var _ in listable.ListAsync(region, cancellationToken))
        {
            return null;
        }
        return region;
    }

    /// <summary>A target prefix replaces the plan's source prefix; without one, keys are restored as they were.</summary>
    public static string MapKey(string key, string sourcePrefix, string? targetPrefix)
    {
        if (targetPrefix is null)
        {
            return key;
        }
        var relative = key.StartsWith(sourcePrefix, StringComparison.Ordinal) ? key[sourcePrefix.Length..] : key;
        return targetPrefix + relative;
    }

    /// <summary>
    /// Whether the target already holds exactly this object: same size, and the same content by the
    /// strongest test the target allows (a file: every chunk's SHA-256; a bucket: its ETag equals the
    /// source's, or the MD5 these bytes would get).
    /// </summary>
    private static async Task<bool> IsSameAsync(BlobReader reader, ObjectEntry entry, string targetKey, IObjectTarget target, CancellationToken token)
    {
        await using (var existing = await target.OpenExistingAsync(targetKey, token))
        {
            if (existing is not null)
            {
                if (existing.Length != entry.Size)
                {
                    return false;
                }
                var buffer = new byte[entry.Chunks.Count == 0 ? 0 : entry.Chunks.Max(c => c.RawLength)];
                foreach (var chunk in entry.Chunks)
                {
                    await existing.ReadExactlyAsync(buffer.AsMemory(0, chunk.RawLength), token);
                    if (BlobId.Of(buffer.AsSpan(0, chunk.RawLength)) != chunk.Id)
                    {
                        return false;
                    }
                }
                return true;
            }
        }
        if (await target.StatAsync(targetKey, token) is not { } stat || stat.Size != entry.Size)
        {
            return false;
        }
        return string.Equals(stat.ETag, entry.ETag, StringComparison.OrdinalIgnoreCase)
            || string.Equals(stat.ETag, await ExpectedETagAsync(reader, entry, token), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> ExpectedETagAsync(BlobReader reader, ObjectEntry entry, CancellationToken token)
    {
        if (entry.Chunks.Count <= 1)
        {
            var content = entry.Chunks.Count == 0 ? [] : await reader.ReadAsync(entry.Chunks[0], token);
            return Convert.ToHexString(System.Security.Cryptography.MD5.HashData(content));
        }
        var partMd5s = new byte[entry.Chunks.Count * 16];
        for (var i = 0; i < entry.Chunks.Count; i++)
        {
            System.Security.Cryptography.MD5.HashData(await reader.ReadAsync(entry.Chunks[i], token), partMd5s.AsSpan(i * 16, 16));
        }
        return $"{Convert.ToHexString(System.Security.Cryptography.MD5.HashData(partMd5s))}-{entry.Chunks.Count}";
    }

    /// <summary>
    /// Writes one object and proves it: blob hashes are checked on read; after writing, the target's size
    /// and ETag must equal what these bytes give (an MD5, or for multipart the MD5 of the part MD5s + "-N").
    /// </summary>
    private static async Task WriteObjectAsync(BlobReader reader, ObjectEntry entry, string targetKey, IObjectTarget target, CancellationToken token)
    {
        string expectedETag;
        if (entry.Chunks.Count <= 1)
        {
            var content = entry.Chunks.Count == 0 ? [] : await reader.ReadAsync(entry.Chunks[0], token);
            await target.PutAsync(targetKey, content, entry.Metadata, token);
            expectedETag = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(content));
        }
        else
        {
            await using var upload = await target.StartMultipartAsync(targetKey, entry.Metadata, token);
            var buffer = new byte[entry.Chunks.Max(c => c.RawLength)];
            var partMd5s = new byte[entry.Chunks.Count * 16];
            for (var i = 0; i < entry.Chunks.Count; i++)
            {
                var chunk = entry.Chunks[i];
                await reader.ReadAsync(chunk, buffer, token);
                System.Security.Cryptography.MD5.HashData(buffer.AsSpan(0, chunk.RawLength), partMd5s.AsSpan(i * 16, 16));
                await upload.UploadPartAsync(i + 1, buffer.AsMemory(0, chunk.RawLength), token);
            }
            await upload.CompleteAsync(token);
            expectedETag = $"{Convert.ToHexString(System.Security.Cryptography.MD5.HashData(partMd5s))}-{entry.Chunks.Count}";
        }
        if (await target.StatAsync(targetKey, token) is { } written
            && (written.Size != entry.Size || !string.Equals(written.ETag, expectedETag, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidDataException($"'{targetKey}' does not verify after writing: the target holds {written.Size} bytes with ETag {written.ETag}, the backup {entry.Size} bytes with ETag {expectedETag.ToLowerInvariant()}.");
        }
    }

    /// <summary>
    /// On a file system a key cannot be a file and a folder (a and a/b). Keys arrive in order, so a file
    /// key comes before every key beneath it: the file keeps its path and the keys beneath it are reported.
    /// Only the chain of file keys that can still have children is kept (as deep as the keys are).
    /// </summary>
    private sealed class FileTreeRule
    {
        private readonly Stack<string> _files = new();

        public string? FileAbove(string key)
        {
            // A file F can only have children in [F + "/", F + "0"): '0' follows '/'.
            while (_files.Count > 0 && Vault.KeyOrder.Instance.Compare(key, _files.Peek() + "0") >= 0)
            {
                _files.Pop();
            }
            var above = _files.FirstOrDefault(f => key.StartsWith(f + "/", StringComparison.Ordinal));
            if (above is null && !key.EndsWith('/'))
            {
                _files.Push(key);
            }
            return above;
        }
    }
}

public sealed class TargetExistsException(string message) : Exception(message);
