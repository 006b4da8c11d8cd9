using System.Buffers;
using System.Security.Cryptography;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

/// <summary>
/// Streams one source object into the vault in fixed-size chunks (one chunk in memory at a time), reusing
/// chunks the vault already holds, and proves the bytes read against the object's ETag when it is an MD5.
/// </summary>
internal sealed class ObjectChunker(int chunkSize)
{
    public async Task<ObjectEntry> StoreAsync(IObjectSource source, SourceObject listed, IBlobSink sink, BlobIndex index, BackupCounters counters, CancellationToken token)
    {
        await using var read = await source.OpenReadAsync(listed.Key, token);
        var changedSinceScan = !string.Equals(read.ETag, listed.ETag, StringComparison.OrdinalIgnoreCase);
        if (changedSinceScan)
        {
            Interlocked.Increment(ref counters.ChangedSinceScan);
        }
        var verifyMd5 = read.ETagMayBeMd5 && IsPlainMd5(read.ETag);
        using var md5 = verifyMd5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        var chunks = new List<BlobLocation>();
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(read.Length, 1, chunkSize));
        long total = 0;
        try
        {
            while (true)
            {
                var filled = await FillAsync(read.Content, buffer.AsMemory(0, Math.Min(buffer.Length, chunkSize)), token);
                if (filled == 0)
                {
                    break;
                }
                var chunk = buffer.AsMemory(0, filled);
                md5?.AppendData(chunk.Span);
                var id = BlobId.Of(chunk.Span);
                if (!index.TryGet(id, out var location))
                {
                    location = await sink.AddAsync(BlobType.Data, id, chunk, tryCompress: true, token);
                    index.Add(location);
                }
                chunks.Add(location);
                total += filled;
                if (filled < buffer.Length && filled < chunkSize)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (total != read.Length)
        {
            throw new InvalidDataException($"Object '{listed.Key}': read {total} bytes but the server announced {read.Length}.");
        }
        if (md5 is not null)
        {
            var actual = Convert.ToHexString(md5.GetHashAndReset());
            if (!string.Equals(actual, read.ETag, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"Object '{listed.Key}': the bytes read hash to MD5 {actual.ToLowerInvariant()} but the server's ETag is {read.ETag}.");
            }
        }
        // Keep the scan's description when it still holds, so the next scan compares like with like
        // (listings carry millisecond times, GET headers only seconds).
        return changedSinceScan
            ? new ObjectEntry(listed.Key, total, read.ETag, read.LastModified, listed.StorageClass, read.Metadata, chunks)
            : new ObjectEntry(listed.Key, total, listed.ETag, listed.LastModified, listed.StorageClass, read.Metadata, chunks);
    }

    private static async Task<int> FillAsync(Stream stream, Memory<byte> buffer, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[filled..], token);
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        return filled;
    }

    private static bool IsPlainMd5(string etag) => etag.Length == 32 && etag.All(Uri.IsHexDigit);
}
