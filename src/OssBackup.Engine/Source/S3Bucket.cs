using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace OssBackup.Engine.Source;

/// <summary>
/// One bucket on an S3-compatible endpoint, as a backup source and as a restore target. Object bodies are
/// read and listed with <see cref="S3ObjectClient"/> (lean signed GETs); writes and the rest go through AWSSDK.
/// </summary>
public sealed class S3Bucket : IObjectSource, IObjectTarget, IDisposable
{
    private const int FirstPageKeys = 100;
    private const int PageKeys = 1000;

    private readonly IAmazonS3 _client;
    private readonly S3ObjectClient _objects;

    public S3Bucket(IAmazonS3 client, S3ObjectClient objects, string bucket, string endpoint)
    {
        _client = client;
        _objects = objects;
        Bucket = bucket;
        Description = $"{endpoint.TrimEnd('/')}/{bucket}";
    }

    /// <summary>A bucket with its own SDK client and object reader, each allowing <paramref name="maxConnections"/> connections.</summary>
    public static S3Bucket Open(S3Connection connection, string bucket, int maxConnections = 64) =>
        new(S3ClientFactory.Create(connection, maxConnections), new S3ObjectClient(connection, bucket, maxConnections), bucket, connection.Endpoint);

    public string Bucket { get; }
    public string Description { get; }

    /// <summary>Fails with a specific message when the bucket is missing or the credentials are refused.</summary>
    public async Task VerifyAccessAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1 }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw S3Errors.Explain(e, Description);
        }
    }

    public async IAsyncEnumerable<SourceObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A short first page lets the workers start reading while the server assembles the full pages that follow.
        var page = await _objects.ListPageAsync(prefix, null, FirstPageKeys, cancellationToken);
        while (true)
        {
            foreach (var item in page.Objects)
            {
                yield return item;
            }
            if (page.NextContinuationToken is not { } next)
            {
                yield break;
            }
            page = await _objects.ListPageAsync(prefix, next, PageKeys, cancellationToken);
        }
    }

    public Task<SourceRead> OpenReadAsync(string key, CancellationToken cancellationToken) => _objects.OpenReadAsync(key, cancellationToken);

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<(long Size, string ETag)?> StatAsync(string key, CancellationToken cancellationToken)
    {
        var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, cancellationToken);
        return (head.ContentLength, SourceObject.NormalizeETag(head.ETag));
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectWrite write, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = ReadOnlyStream(content),
            MD5Digest = write.ContentMd5.Length == 16 ? Convert.ToBase64String(write.ContentMd5.Span) : Md5Base64(content.Span),
            AutoCloseStream = true,
            UseChunkEncoding = false,
        };
        ApplyMetadata(request.Headers, request.Metadata, write.Metadata);
        if (write.StorageClass is { } storageClass)
        {
            request.StorageClass = S3StorageClass.FindValue(storageClass);
        }
        await _client.PutObjectAsync(request, cancellationToken);
    }

    /// <summary>
    /// Up to 100 MiB an object goes up as one streamed PUT: the size from which AWS advises multipart
    /// upload, and below rclone's 200 MiB cutoff. Above it, a failure would resend too much.
    /// </summary>
    public long StreamedPutLimit => 100L << 20;

    public Task PutStreamAsync(string key, IObjectBody body, ObjectWrite write, CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>>(write.Metadata.Count + 1);
        foreach (var (name, value) in write.Metadata)
        {
            if (name.StartsWith(Vault.ObjectEntry.UserMetadataPrefix, StringComparison.OrdinalIgnoreCase) || S3ObjectClient.StandardHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                headers.Add(new(name, value));
            }
        }
        if (write.StorageClass is { } storageClass)
        {
            headers.Add(new("x-amz-storage-class", storageClass));
        }
        return _objects.PutAsync(key, body, write.ContentMd5, headers, cancellationToken);
    }

    public async Task<IMultipartWrite> StartMultipartAsync(string key, ObjectWrite write, CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
        ApplyMetadata(request.Headers, request.Metadata, write.Metadata);
        if (write.StorageClass is { } storageClass)
        {
            request.StorageClass = S3StorageClass.FindValue(storageClass);
        }
        var response = await _client.InitiateMultipartUploadAsync(request, cancellationToken);
        return new S3MultipartWrite(_client, Bucket, key, response.UploadId);
    }

    public async IAsyncEnumerable<string> ListKeysAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ListAsync(prefix, cancellationToken))
        {
            yield return item.Key;
        }
    }

    public async Task<IReadOnlyList<KeyValuePair<string, string>>> DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var failures = new List<KeyValuePair<string, string>>();
        // DeleteObjects takes at most 1,000 keys a request.
        foreach (var batch in keys.Chunk(1000))
        {
            try
            {
                var response = await _client.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = Bucket,
                    Objects = [.. batch.Select(k => new KeyVersion { Key = k })],
                    Quiet = true,
                }, cancellationToken);
                failures.AddRange((response.DeleteErrors ?? []).Select(e => new KeyValuePair<string, string>(e.Key, $"{e.Code}: {e.Message}")));
            }
            catch (DeleteObjectsException e)
            {
                failures.AddRange((e.Response?.DeleteErrors ?? []).Select(d => new KeyValuePair<string, string>(d.Key, $"{d.Code}: {d.Message}")));
            }
        }
        return failures;
    }

    private static void ApplyMetadata(HeadersCollection headers, MetadataCollection userMetadata, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        foreach (var (name, value) in metadata)
        {
            if (name.StartsWith(Vault.ObjectEntry.UserMetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                userMetadata[name[Vault.ObjectEntry.UserMetadataPrefix.Length..]] = value;
            }
            else
            {
                switch (name)
                {
                    case "Content-Type": headers.ContentType = value; break;
                    case "Cache-Control": headers.CacheControl = value; break;
                    case "Content-Disposition": headers.ContentDisposition = value; break;
                    case "Content-Encoding": headers.ContentEncoding = value; break;
                    case "Expires":
                        if (DateTime.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var expires))
                        {
                            headers.Expires = expires;
                        }
                        break;
                }
            }
        }
    }

    public void Dispose()
    {
        _objects.Dispose();
        _client.Dispose();
    }

    internal static string Md5Base64(ReadOnlySpan<byte> content) => Convert.ToBase64String(MD5.HashData(content));

    /// <summary>A stream over the caller's bytes without copying them (an 8 MiB part was copied once per upload).</summary>
    private static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private sealed class S3MultipartWrite(IAmazonS3 client, string bucket, string key, string uploadId) : IMultipartWrite
    {
        private readonly List<PartETag> _parts = [];
        private bool _completed;

        public Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            UploadPartAsync(partNumber, content, ReadOnlyMemory<byte>.Empty, cancellationToken);

        public async Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, ReadOnlyMemory<byte> contentMd5, CancellationToken cancellationToken)
        {
            var response = await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = ReadOnlyStream(content),
                PartSize = content.Length,
                MD5Digest = contentMd5.Length == 16 ? Convert.ToBase64String(contentMd5.Span) : Md5Base64(content.Span),
                UseChunkEncoding = false,
            }, cancellationToken);
            lock (_parts)
            {
                _parts.Add(new PartETag(partNumber, response.ETag));
            }
        }

        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            List<PartETag> parts;
            lock (_parts)
            {
                parts = [.. _parts.OrderBy(p => p.PartNumber)];
            }
            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            }, cancellationToken);
            _completed = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_completed)
            {
                await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, CancellationToken.None);
            }
        }
    }
}
