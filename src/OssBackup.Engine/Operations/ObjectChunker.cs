using System.Buffers;
using System.Security.Cryptography;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

/// <summary>
/// Streams one source object into the vault in fixed-size chunks (one chunk in memory at a time), reusing
/// chunks the vault already holds, and proves the bytes read against the object's ETag when it is an MD5.
/// </summary>
internal sealed class ObjectChunker(int chunkSize) : IDisposable
{
    /// <summary>
    /// At most this much is read before the bytes are hashed, so both hashes find them in the CPU cache
    /// rather than streaming each 8 MiB chunk from memory once per hash.
    /// </summary>
    private const int HashedReadSize = 256 << 10;

    // Reused for every object this worker reads: creating native hash contexts per object costs more than a small object's hashing.
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _digest = new byte[BlobId.Size];

    public async Task<ObjectEntry> StoreAsync(IObjectSource source, SourceObject listed, IBlobSink sink, BlobIndex index, BackupCounters counters, CancellationToken token)
    {
        await using var read = await source.OpenReadAsync(listed.Key, token);
        var changedSinceScan = !string.Equals(read.ETag, listed.ETag, StringComparison.OrdinalIgnoreCase);
        if (changedSinceScan)
        {
            Interlocked.Increment(ref counters.ChangedSinceScan);
        }
        var md5 = read.ETagMayBeMd5 && SourceObject.IsPlainMd5(read.ETag) ? _md5 : null;
        var chunks = new List<BlobLocation>();
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(read.Length, 1, chunkSize));
        long total = 0;
        var completed = false;
        try
        {
            while (true)
            {
                var filled = await FillAndHashAsync(read.Content, buffer.AsMemory(0, Math.Min(buffer.Length, chunkSize)), md5, token);
                if (filled == 0)
                {
                    break;
                }
                var chunk = buffer.AsMemory(0, filled);
                _sha256.GetHashAndReset(_digest);
                var id = BlobId.Read(_digest);
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
            completed = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!completed)
            {
                // A read cut short leaves partial state in the reused hashes; the next object starts clean.
                _sha256.GetHashAndReset(_digest);
                md5?.GetHashAndReset(_digest.AsSpan(0, 16));
            }
        }

        if (total != read.Length)
        {
            throw new InvalidDataException($"Object '{listed.Key}': read {total} bytes but the server announced {read.Length}.");
        }
        if (md5 is not null)
        {
            md5.GetHashAndReset(_digest.AsSpan(0, 16));
            var actual = Convert.ToHexString(_digest.AsSpan(0, 16));
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

    /// <summary>Fills <paramref name="buffer"/> from the stream, feeding each piece read to the MD5 and the chunk's SHA-256 while it is hot in cache.</summary>
    private async Task<int> FillAndHashAsync(Stream stream, Memory<byte> buffer, IncrementalHash? md5, CancellationToken token)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.Slice(filled, Math.Min(HashedReadSize, buffer.Length - filled)), token);
            if (n == 0)
            {
                break;
            }
            var piece = buffer.Span.Slice(filled, n);
            md5?.AppendData(piece);
            _sha256.AppendData(piece);
            filled += n;
        }
        return filled;
    }

    public void Dispose()
    {
        _md5.Dispose();
        _sha256.Dispose();
    }
}
