using System.Buffers;
using System.Security.Cryptography;
using Amazon.Runtime.Internal.Util;
using Amazon.S3.Model;
using ZstdSharp;

namespace OssBackup.Bench;

/// <summary>What a diagnostic SDK loop does with each object's bytes.</summary>
public enum LoopWork
{
    /// <summary>Read and discard.</summary>
    Discard,

    /// <summary>
    /// What src/OssBackup.Engine/Operations/ObjectChunker.cs and Vault/SharedPackSink.cs do on the CPU, minus
    /// the vault: read into 8 MiB chunks, MD5 per object, SHA-256 and a zstd level 3 attempt per chunk.
    /// </summary>
    HashAndCompress,
}

/// <summary>
/// GET loops over a fixed key list: <paramref name="parallelism"/> workers take the next key until none is
/// left. Every loop reads every byte and checks the count against Content-Length.
/// </summary>
public static class GetLoops
{
    private const int ChunkSize = 8 << 20; // VaultConfig.ChunkSize
    private const int CompressionLevel = 3; // VaultConfig.CompressionLevel

    /// <summary>
    /// The server's ceiling: unsigned HTTP/1.1 GETs with a plain HttpClient (the bucket must allow anonymous
    /// GetObject, see <see cref="BenchS3.MakePublicRead"/>), each body read into a 64 KiB buffer and discarded.
    /// </summary>
    public static Measurement RawHttp(string endpoint, string bucket, IReadOnlyList<string> keys, int parallelism, ServerProcesses server, string name = "raw HTTP GET") =>
        Http(endpoint, bucket, keys, parallelism, server, name, null);

    /// <summary>
    /// Experiment: the same loop with every GET SigV4-signed by <see cref="SigV4"/> (no public-read needed),
    /// the cost of authentication without AWSSDK's request pipeline.
    /// </summary>
    public static Measurement SignedHttp(BenchS3 s3, string bucket, IReadOnlyList<string> keys, int parallelism, ServerProcesses server, string name = "SigV4-signed HTTP GET") =>
        Http(s3.Endpoint, bucket, keys, parallelism, server, name, s3.NewSigner());

    private static Measurement Http(string endpoint, string bucket, IReadOnlyList<string> keys, int parallelism, ServerProcesses server, string name, SigV4? signer)
    {
        var urls = keys.Select(k => BenchS3.ObjectUrl(endpoint, bucket, k)).ToArray();
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(64, parallelism * 2),
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
        long bytes = 0;
        var next = -1;
        var meter = Meter.Start(server);
        var workers = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[64 << 10];
            int i;
            while ((i = Interlocked.Increment(ref next)) < urls.Length)
            {
                using var request = signer is null ? new HttpRequestMessage(HttpMethod.Get, urls[i]) : signer.NewGet(urls[i], DateTime.UtcNow);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"GET {urls[i]} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                }
                var expected = response.Content.Headers.ContentLength;
                await using var body = await response.Content.ReadAsStreamAsync();
                long read = 0;
                int n;
                while ((n = await body.ReadAsync(buffer)) > 0)
                {
                    read += n;
                }
                if (expected is { } length && length != read)
                {
                    throw new InvalidDataException($"GET {urls[i]}: read {read} bytes, Content-Length {length}.");
                }
                Interlocked.Add(ref bytes, read);
            }
        })).ToArray();
        Task.WhenAll(workers).GetAwaiter().GetResult();
        return meter.Stop(name, urls.Length, bytes);
    }

    /// <summary>
    /// Diagnostic: signed GetObject through AWSSDK with the engine's client settings (and a fresh client,
    /// as each backup has), optionally doing the engine's per-chunk CPU work on the bytes.
    /// </summary>
    /// <remarks>
    /// AWSSDK wraps every whole-object GetObject response whose ETag looks like an MD5 in an MD5Stream that
    /// hashes the body with a managed MD5 (ThirdParty.MD5.MD5Managed) and throws at its end on a mismatch
    /// (Amazon.S3.Internal.AmazonS3ResponseHandler). <paramref name="noSdkMd5"/> reads the MD5Stream's
    /// GetNonWrapperBaseStream() instead: the experiment that prices that MD5.
    /// </remarks>
    public static Measurement Sdk(BenchS3 s3, string bucket, IReadOnlyList<string> keys, int parallelism, LoopWork work, ServerProcesses server, string? name = null, bool noSdkMd5 = false)
    {
        using var client = s3.NewEngineLikeClient(Math.Max(64, parallelism * 2));
        long bytes = 0;
        var next = -1;
        var meter = Meter.Start(server);
        var workers = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
        {
            using var compressor = work == LoopWork.Discard ? null : new Compressor(CompressionLevel);
            var small = new byte[64 << 10];
            int i;
            while ((i = Interlocked.Increment(ref next)) < keys.Count)
            {
                using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = keys[i] });
                var stream = noSdkMd5 && response.ResponseStream is MD5Stream hashing ? hashing.GetNonWrapperBaseStream() : response.ResponseStream;
                long read;
                if (compressor is null)
                {
                    read = 0;
                    int n;
                    while ((n = await stream.ReadAsync(small)) > 0)
                    {
                        read += n;
                    }
                }
                else
                {
                    read = await HashAndCompressAsync(stream, response.ContentLength, compressor);
                }
                if (read != response.ContentLength)
                {
                    throw new InvalidDataException($"GET {bucket}/{keys[i]}: read {read} bytes, Content-Length {response.ContentLength}.");
                }
                Interlocked.Add(ref bytes, read);
            }
        })).ToArray();
        Task.WhenAll(workers).GetAwaiter().GetResult();
        return meter.Stop(!string.IsNullOrEmpty(name) ? name : (work == LoopWork.Discard ? "AWSSDK GetObject" : "AWSSDK GetObject + hashing/zstd"), keys.Count, bytes);
    }

    private static async Task<long> HashAndCompressAsync(Stream content, long length, Compressor compressor)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, ChunkSize));
        var output = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound(buffer.Length));
        var id = new byte[32];
        long total = 0;
        try
        {
            while (true)
            {
                var filled = 0;
                var room = Math.Min(buffer.Length, ChunkSize);
                while (filled < room)
                {
                    var n = await content.ReadAsync(buffer.AsMemory(filled, room - filled));
                    if (n == 0)
                    {
                        break;
                    }
                    filled += n;
                }
                if (filled == 0)
                {
                    break;
                }
                md5.AppendData(buffer, 0, filled);
                SHA256.HashData(buffer.AsSpan(0, filled), id);
                if (filled >= 64)
                {
                    compressor.Wrap(buffer.AsSpan(0, filled), output);
                }
                total += filled;
                if (filled < room)
                {
                    break;
                }
            }
            md5.GetHashAndReset();
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
