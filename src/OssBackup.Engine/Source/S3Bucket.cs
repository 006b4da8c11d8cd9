using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace OssBackup.Engine.Source;

/// <summary>One bucket on an S3-compatible endpoint, as a backup source and as a restore target.</summary>
public sealed class S3Bucket : IObjectSource, IObjectTarget
{
    private static readonly string[] StandardHeaders = ["Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Expires"];

    private readonly IAmazonS3 _client;

    public S3Bucket(IAmazonS3 client, string bucket, string endpoint)
    {
        _client = client;
        Bucket = bucket;
        Description = $"{endpoint.TrimEnd('/')}/{bucket}";
    }

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
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, MaxKeys = 1000 };
        while (true)
        {
            ListObjectsV2Response response;
            try
            {
                response = await _client.ListObjectsV2Async(request, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw S3Errors.Explain(e, Description);
            }
            foreach (var o in response.S3Objects ?? [])
            {
                yield return new SourceObject(
                    o.Key,
                    o.Size ?? 0,
                    SourceObject.NormalizeETag(o.ETag),
                    new DateTimeOffset(DateTime.SpecifyKind(o.LastModified ?? DateTime.UnixEpoch, DateTimeKind.Utc)),
                    o.StorageClass?.Value ?? "STANDARD");
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task<SourceRead> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            throw new ObjectGoneException(key);
        }
        var metadata = new List<KeyValuePair<string, string>>();
        foreach (var header in StandardHeaders)
        {
            var value = response.Headers[header];
            if (!string.IsNullOrEmpty(value))
            {
                metadata.Add(new(header, value));
            }
        }
        if (!metadata.Exists(m => m.Key == "Expires") && response.ExpiresString is { Length: > 0 } expires)
        {
            metadata.Add(new("Expires", expires));
        }
        foreach (var name in response.Metadata.Keys)
        {
            var bare = name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? name["x-amz-meta-".Length..] : name;
            metadata.Add(new("x-amz-meta-" + bare, response.Metadata[name]));
        }
        // The SDK wraps the body in a managed MD5 stream (about 40% of a large backup's CPU); ObjectChunker
        // verifies MD5 ETags itself with the platform's MD5, so read the undecorated stream.
        var body = response.ResponseStream is Amazon.Runtime.Internal.Util.WrapperStream wrapper ? wrapper.GetNonWrapperBaseStream() : response.ResponseStream;
        return new SourceRead(
            body,
            response.ContentLength,
            SourceObject.NormalizeETag(response.ETag),
            new DateTimeOffset(DateTime.SpecifyKind(response.LastModified ?? DateTime.UnixEpoch, DateTimeKind.Utc)),
            response.StorageClass?.Value ?? "STANDARD",
            metadata,
            response)
        {
            ETagMayBeMd5 = response.ServerSideEncryptionMethod != ServerSideEncryptionMethod.AWSKMS
                && response.ServerSideEncryptionMethod != ServerSideEncryptionMethod.AWSKMSDSSE
                && response.ServerSideEncryptionCustomerMethod == ServerSideEncryptionCustomerMethod.None
                && string.IsNullOrEmpty(response.Headers["x-oss-server-side-encryption-key-id"]),
        };
    }

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
            InputStream = new MemoryStream(content.ToArray(), writable: false),
            MD5Digest = Md5Base64(content.Span),
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

    internal static string Md5Base64(ReadOnlySpan<byte> content) => Convert.ToBase64String(MD5.HashData(content));

    private sealed class S3MultipartWrite(IAmazonS3 client, string bucket, string key, string uploadId) : IMultipartWrite
    {
        private readonly List<PartETag> _parts = [];
        private bool _completed;

        public async Task UploadPartAsync(int partNumber, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            var response = await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = new MemoryStream(content.ToArray(), writable: false),
                PartSize = content.Length,
                MD5Digest = Md5Base64(content.Span),
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
