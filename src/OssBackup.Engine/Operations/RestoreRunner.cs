using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

/// <summary>
/// Which objects of a point to restore: all of them, or those under any of the prefixes, matching any of the
/// wildcards, in an explicit key list, and accepted by include/exclude regexes (exclude wins, as in a plan).
/// </summary>
public sealed record RestoreSelection(
    IReadOnlyList<string>? Prefixes = null,
    IReadOnlyList<string>? KeyPatterns = null,
    IReadOnlySet<string>? Keys = null,
    IReadOnlyList<string>? Include = null,
    IReadOnlyList<string>? Exclude = null)
{
    public static RestoreSelection UnderPrefix(string? prefix) => new(prefix is null ? null : [prefix]);

    public Func<string, bool> Compile()
    {
        var prefixes = Prefixes ?? [];
        var patterns = (KeyPatterns ?? []).Select(Wildcard.ToRegex).ToArray();
        var filter = new KeyFilter(Include ?? [], Exclude ?? []);
        return key =>
            (prefixes.Count == 0 || prefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
            && (patterns.Length == 0 || Array.Exists(patterns, p => p.IsMatch(key)))
            && (Keys is null || Keys.Contains(key))
            && filter.Accepts(key);
    }

    /// <summary>
    /// The key ranges to read, in key order and none inside another, so reading them one after another
    /// yields keys in key order. A null range is the whole point.
    /// </summary>
    public IReadOnlyList<string?> Ranges()
    {
        if (Prefixes is not { Count: > 0 })
        {
            return [null];
        }
        var ranges = new List<string?>();
        foreach (var prefix in Prefixes.Distinct(StringComparer.Ordinal).Order(Vault.KeyOrder.Instance))
        {
            // Sorted, a prefix comes before every key that starts with it, so only the last kept one can cover it.
            if (ranges.Count == 0 || !prefix.StartsWith(ranges[^1]!, StringComparison.Ordinal))
            {
                ranges.Add(prefix);
            }
        }
        return ranges;
    }
}

/// <summary>
/// Where and how to restore. StorageClass null writes each object in the class it was backed up in;
/// <see cref="BucketDefaultClass"/> writes it in the target bucket's default class. Rollback deletes what the
/// target holds within the selection that the point does not.
/// </summary>
public sealed record RestoreTarget(IObjectTarget Bucket, string? TargetPrefix, ConflictAction Conflict, string? StorageClass = null, bool Rollback = false)
{
    public const string BucketDefaultClass = "BucketDefault";

    public string? WriteClassFor(ObjectEntry entry) => StorageClass switch
    {
        null => StorageClasses.ToWriteClass(entry.StorageClass),
        _ when string.Equals(StorageClass, BucketDefaultClass, StringComparison.OrdinalIgnoreCase) => null,
        _ => StorageClass,
    };
}

public sealed class RestoreRunner(BackupCatalog catalog, IOperationObserver observer, int parallelism = 16)
{
    public async Task<RestoreJob> RunAsync(BackupPoint point, BackupVault registration, RestoreSelection selection, RestoreTarget target, CancellationToken cancellationToken)
    {
        var job = catalog.StartRestoreJob(point.Plan, point.Id, target.Bucket.Description + "/" + (target.TargetPrefix ?? ""));
        var clock = Stopwatch.StartNew();
        long restored = 0, restoredBytes = 0, skipped = 0, failed = 0, deleted = 0;
        try
        {
            var vault = await VaultRepository.OpenAsync(new Storage.FileBlobStore(registration.Location), cancellationToken);
            var snapshot = await vault.LoadSnapshotAsync(point.Id, cancellationToken);
            var accepts = selection.Compile();
            var work = Channel.CreateBounded<ObjectEntry>(parallelism * 4);
            var emptyRegions = await EmptyTargetRegionsAsync(target, snapshot.SourcePrefix, selection, cancellationToken);

            var producer = Task.Run(async () =>
            {
                using var reader = vault.NewBlobReader();
                var tree = target.Bucket.IsFileTree ? new FileTreeRule() : null;
                try
                {
                    await foreach (var entry in ReadSelectionAsync(reader, snapshot, selection, accepts, cancellationToken))
                    {
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
                        var provenAbsent = emptyRegions.Any(region => targetKey.StartsWith(region, StringComparison.Ordinal));
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
                        await WriteObjectAsync(reader, entry, targetKey, target.Bucket, new ObjectWrite(entry.Metadata, target.WriteClassFor(entry)), cancellationToken);
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
            if (target.Rollback && failed > 0)
            {
                job.Message = $"Rollback skipped: {failed} object(s) failed to restore, so nothing was deleted. Fix the failures and run the restore again.";
            }
            else if (target.Rollback)
            {
                var rollback = await RollBackAsync(job.Id, vault, snapshot, selection, target, cancellationToken);
                deleted = rollback.Deleted;
                failed += rollback.Failed;
            }
            job.Status = failed > 0 ? (restored > 0 || skipped > 0 || deleted > 0 ? JobStatus.PartiallyCompleted : JobStatus.Failed) : JobStatus.Completed;
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
        job.DeletedObjects = deleted;
        job.EndTime = DateTimeOffset.UtcNow;
        job.BytesPerSecond = restoredBytes / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        catalog.UpdateRestoreJob(job);
        return job;
    }

    /// <summary>
    /// The key prefixes restored keys fall under (one per range of the selection) where the target holds nothing:
    /// there no object can conflict, and the HEAD per object that checks for one is not needed (one LIST per range
    /// instead of one request per object, as rclone lists its destination instead of probing each key). Empty for
    /// -Conflict Overwrite (no check), a folder (its check is a cheap stat), an explicit key list (a HEAD each is
    /// cheaper than listing), and a target that cannot be listed. Like any check before a write it cannot see objects
    /// another client creates during the restore.
    /// </summary>
    private static async Task<IReadOnlyList<string>> EmptyTargetRegionsAsync(RestoreTarget target, string sourcePrefix, RestoreSelection selection, CancellationToken cancellationToken)
    {
        if (target.Conflict == ConflictAction.Overwrite || target.Bucket.IsFileTree || selection.Keys is not null)
        {
            return [];
        }
        var empty = new List<string>();
        try
        {
            foreach (var range in selection.Ranges())
            {
                var region = MapKey(range ?? sourcePrefix, sourcePrefix, target.TargetPrefix);
                var holdsAny = false;
                await foreach (var _ in target.Bucket.ListKeysAsync(region, cancellationToken))
                {
                    holdsAny = true;
                    break;
                }
                if (!holdsAny)
                {
                    empty.Add(region);
                }
            }
        }
        catch (NotSupportedException)
        {
            return [];
        }
        return empty;
    }

    /// <summary>The point's entries in the selection, in key order, one range after another.</summary>
    private static async IAsyncEnumerable<ObjectEntry> ReadSelectionAsync(BlobReader reader, SnapshotManifest snapshot, RestoreSelection selection,
        Func<string, bool> accepts, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var range in selection.Ranges())
        {
            await foreach (var entry in TableReader.ReadAsync(reader, snapshot.Segments, range, cancellationToken))
            {
                if (range is not null && !entry.Key.StartsWith(range, StringComparison.Ordinal))
                {
                    break;
                }
                if (accepts(entry.Key))
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>
    /// Target keys within the selection that the point does not hold: the target's listing of each range,
    /// merge-joined in key order with the point's keys mapped to the target, so memory stays flat.
    /// </summary>
    public static async IAsyncEnumerable<string> FindKeysNotInPointAsync(VaultRepository vault, SnapshotManifest snapshot, RestoreSelection selection,
        RestoreTarget target, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var accepts = selection.Compile();
        using var reader = vault.NewBlobReader();
        foreach (var range in selection.Ranges())
        {
            if (NarrowToSource(range, snapshot.SourcePrefix) is not { } sourceRange)
            {
                continue;
            }
            var pointKeys = ReadSelectionAsync(reader, snapshot, selection with { Prefixes = [sourceRange] }, accepts, cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            await using var _ = pointKeys;
            var hasPointKey = await pointKeys.MoveNextAsync();
            await foreach (var targetKey in target.Bucket.ListKeysAsync(MapKey(sourceRange, snapshot.SourcePrefix, target.TargetPrefix), cancellationToken))
            {
                if (UnmapKey(targetKey, snapshot.SourcePrefix, target.TargetPrefix) is not { } sourceKey || !accepts(sourceKey))
                {
                    continue;
                }
                while (hasPointKey && Vault.KeyOrder.Instance.Compare(MapKey(pointKeys.Current.Key, snapshot.SourcePrefix, target.TargetPrefix), targetKey) < 0)
                {
                    hasPointKey = await pointKeys.MoveNextAsync();
                }
                if (!hasPointKey || MapKey(pointKeys.Current.Key, snapshot.SourcePrefix, target.TargetPrefix) != targetKey)
                {
                    yield return targetKey;
                }
            }
        }
    }

    private async Task<(long Deleted, long Failed)> RollBackAsync(long jobId, VaultRepository vault, SnapshotManifest snapshot, RestoreSelection selection,
        RestoreTarget target, CancellationToken cancellationToken)
    {
        long deleted = 0, failed = 0;
        var batch = new List<string>(1000);
        async Task FlushAsync()
        {
            var failures = (await target.Bucket.DeleteAsync(batch, cancellationToken)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
            foreach (var key in batch)
            {
                if (failures.TryGetValue(key, out var reason))
                {
                    failed++;
                    observer.ObjectFailed(key, "RollbackDeleteFailed", reason);
                    catalog.AddJobItem(jobId, key, "Failed", "RollbackDeleteFailed", $"'{key}' is not in the point but could not be deleted: {reason}");
                }
                else
                {
                    deleted++;
                    catalog.AddJobItem(jobId, key, "Deleted", "NotInPoint", $"'{key}' was deleted from {target.Bucket.Description}: the point does not hold it.");
                }
            }
            batch.Clear();
        }
        await foreach (var key in FindKeysNotInPointAsync(vault, snapshot, selection, target, cancellationToken))
        {
            batch.Add(key);
            if (batch.Count == 1000)
            {
                await FlushAsync();
            }
        }
        if (batch.Count > 0)
        {
            await FlushAsync();
        }
        return (deleted, failed);
    }

    /// <summary>The part of a selection range the point can hold: every key of a point starts with its source prefix.</summary>
    private static string? NarrowToSource(string? range, string sourcePrefix) =>
        range is null || sourcePrefix.StartsWith(range, StringComparison.Ordinal) ? sourcePrefix
        : range.StartsWith(sourcePrefix, StringComparison.Ordinal) ? range
        : null;

    /// <summary>The source key a target key would have been restored from, or null when it cannot have been.</summary>
    private static string? UnmapKey(string targetKey, string sourcePrefix, string? targetPrefix) =>
        targetPrefix is null ? targetKey
        : targetKey.StartsWith(targetPrefix, StringComparison.Ordinal) ? sourcePrefix + targetKey[targetPrefix.Length..]
        : null;

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
        return MultipartETag(partMd5s, entry.Chunks.Count);
    }

    /// <summary>
    /// Writes one object and proves it: blob hashes are checked on read; after writing, the target's size
    /// and ETag must equal what these bytes give (an MD5, or for multipart the MD5 of the part MD5s + "-N").
    /// </summary>
    private static async Task WriteObjectAsync(BlobReader reader, ObjectEntry entry, string targetKey, IObjectTarget target, ObjectWrite write, CancellationToken token)
    {
        string expectedETag;
        if (entry.Chunks.Count <= 1)
        {
            var content = entry.Chunks.Count == 0 ? [] : await reader.ReadAsync(entry.Chunks[0], token);
            var md5 = System.Security.Cryptography.MD5.HashData(content);
            await target.PutAsync(targetKey, content, write with { ContentMd5 = md5 }, token);
            expectedETag = Convert.ToHexString(md5);
        }
        else if (entry.Size <= target.StreamedPutLimit && PlainMd5(entry.ETag) is { } md5)
        {
            try
            {
                await target.PutStreamAsync(targetKey, new PointObjectBody(reader, entry), write with { ContentMd5 = md5 }, token);
                expectedETag = entry.ETag;
            }
            catch (ContentDigestMismatchException)
            {
                // The backed-up ETag looked like an MD5 but was not the content's (an SSE-KMS object's, say):
                // parts carry MD5s computed here, so the multipart upload does not depend on it.
                expectedETag = await UploadInPartsAsync(reader, entry, targetKey, target, write, token);
            }
        }
        else
        {
            expectedETag = await UploadInPartsAsync(reader, entry, targetKey, target, write, token);
        }
        if (await target.StatAsync(targetKey, token) is { } written
            && (written.Size != entry.Size || !string.Equals(written.ETag, expectedETag, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidDataException($"'{targetKey}' does not verify after writing: the target holds {written.Size} bytes with ETag {written.ETag}, the backup {entry.Size} bytes with ETag {expectedETag.ToLowerInvariant()}.");
        }
    }

    /// <summary>A multipart upload, one part per chunk; returns the ETag the target gives it (MD5 of the part MD5s, "-N").</summary>
    private static async Task<string> UploadInPartsAsync(BlobReader reader, ObjectEntry entry, string targetKey, IObjectTarget target, ObjectWrite write, CancellationToken token)
    {
        await using var upload = await target.StartMultipartAsync(targetKey, write, token);
        var buffer = new byte[entry.Chunks.Max(c => c.RawLength)];
        var partMd5s = new byte[entry.Chunks.Count * 16];
        for (var i = 0; i < entry.Chunks.Count; i++)
        {
            var chunk = entry.Chunks[i];
            await reader.ReadAsync(chunk, buffer, token);
            System.Security.Cryptography.MD5.HashData(buffer.AsSpan(0, chunk.RawLength), partMd5s.AsSpan(i * 16, 16));
            await upload.UploadPartAsync(i + 1, buffer.AsMemory(0, chunk.RawLength), partMd5s.AsMemory(i * 16, 16), token);
        }
        await upload.CompleteAsync(token);
        return MultipartETag(partMd5s, entry.Chunks.Count);
    }

    /// <summary>The ETag S3 gives a multipart upload: the MD5 of the parts' MD5s, then "-" and the part count.</summary>
    private static string MultipartETag(byte[] partMd5s, int parts) =>
        $"{Convert.ToHexString(System.Security.Cryptography.MD5.HashData(partMd5s))}-{parts}";

    /// <summary>
    /// The MD5 an ETag states, when it is a plain one (32 hex digits). The backup proved the bytes against
    /// it when the source said it could be the content's MD5 (see ObjectChunker).
    /// </summary>
    private static byte[]? PlainMd5(string etag) =>
        SourceObject.IsPlainMd5(etag) ? Convert.FromHexString(etag) : null;

    /// <summary>A backed-up object's content, read from the vault chunk by chunk (each chunk's hash checked) as it is sent.</summary>
    private sealed class PointObjectBody(BlobReader reader, ObjectEntry entry) : IObjectBody
    {
        public long Length => entry.Size;

        public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken)
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(entry.Chunks.Max(c => c.RawLength));
            try
            {
                foreach (var chunk in entry.Chunks)
                {
                    await reader.ReadAsync(chunk, buffer.AsMemory(0, chunk.RawLength), cancellationToken);
                    await destination.WriteAsync(buffer.AsMemory(0, chunk.RawLength), cancellationToken);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
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

/// <summary>
/// A restore into a bucket. TargetBucket null means the point's own source bucket; Endpoint and Credentials
/// null mean the plan's. StorageClass and Rollback as in <see cref="RestoreTarget"/>. Parallelism: objects
/// written at once (null: the engine's default, 16).
/// </summary>
public sealed record BucketRestoreRequest(
    string? TargetBucket,
    string? TargetPrefix = null,
    string? Endpoint = null,
    S3Credentials? Credentials = null,
    ConflictAction Conflict = ConflictAction.Fail,
    string? StorageClass = null,
    bool Rollback = false,
    int? Parallelism = null);
