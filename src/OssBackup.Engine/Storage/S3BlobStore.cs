using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Storage;

/// <summary>
/// A blob store on a bucket of an S3-compatible endpoint, optionally under a root prefix: names are relative
/// to the root ("data/ab" is the key "&lt;root&gt;/data/ab"). Uploads are single PUTs with Content-MD5 and no
/// aws-chunked framing, so the server rejects corrupted bytes and Ceph RGW and OSS accept the request.
/// A missing file reads as <see cref="FileNotFoundException"/>, like <see cref="FileBlobStore"/>.
/// </summary>
public sealed class S3BlobStore : IBlobStore
{
    private const int ListPageSize = 1000;

    private readonly IAmazonS3 _client;
    private readonly string _root;

    /// <param name="client">A client made by <see cref="S3ClientFactory"/>; not disposed by this store.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="rootPrefix">A key prefix all names are relative to ("" or null for the whole bucket); a missing trailing '/' is added.</param>
    public S3BlobStore(IAmazonS3 client, string bucket, string? rootPrefix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = client;
        Bucket = bucket;
        _root = string.IsNullOrEmpty(rootPrefix) ? "" : rootPrefix.TrimEnd('/') + "/";
        var endpoint = client.Config?.ServiceURL is { Length: > 0 } url ? url.TrimEnd('/') : "s3:/";
        Location = $"{endpoint}/{bucket}/{_root}";
    }

    public string Bucket { get; }

    /// <summary>The root prefix, "" or ending in '/'.</summary>
    public string RootPrefix => _root;

    public string Location { get; }

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        // Content-MD5 needs the bytes before the request: hash a seekable stream in place, buffer any other.
        var body = content;
        MemoryStream? buffered = null;
        if (!content.CanSeek)
        {
            buffered = new MemoryStream();
            await content.CopyToAsync(buffered, 1 << 20, cancellationToken);
            buffered.Position = 0;
            body = buffered;
        }
        try
        {
            var start = body.Position;
            var md5 = await MD5.HashDataAsync(body, cancellationToken);
            body.Position = start;
            var request = new PutObjectRequest
            {
                BucketName = Bucket,
                Key = KeyOf(name),
                InputStream = body,
                MD5Digest = Convert.ToBase64String(md5),
                AutoCloseStream = false,
                UseChunkEncoding = false,
            };
            await _client.PutObjectAsync(request, cancellationToken);
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e);
        }
        finally
        {
            if (buffered is not null)
            {
                await buffered.DisposeAsync();
            }
        }
    }

    public async Task<Stream> GetAsync(string name, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A range length cannot be negative.");
        }
        if (length == 0)
        {
            // "bytes=x-(x-1)" is not a valid range; an empty read needs only the file to exist.
            return await GetSizeAsync(name, cancellationToken) is null ? throw NotFound(name) : Stream.Null;
        }
        var request = new GetObjectRequest { BucketName = Bucket, Key = KeyOf(name) };
        if (length is { } l)
        {
            request.ByteRange = new ByteRange(offset, offset + l - 1);
        }
        else if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            throw NotFound(name, e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Reading from the end of a file (or beyond) yields nothing, as it does from a local file.
            return Stream.Null;
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e);
        }
        return new ResponseStream(response);
    }

    public async Task<long?> GetSizeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = KeyOf(name) }, cancellationToken);
            return response.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            // A HEAD has no body, so a missing bucket also arrives as a bare 404; ListAsync or GetAsync tell them apart.
            return null;
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e);
        }
    }

    public async IAsyncEnumerable<StoredFile> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = _root + prefix, MaxKeys = ListPageSize };
        while (true)
        {
            ListObjectsV2Response response;
            try
            {
                response = await _client.ListObjectsV2Async(request, cancellationToken);
            }
            catch (AmazonS3Exception e)
            {
                throw Explain(e);
            }
            foreach (var o in response.S3Objects ?? [])
            {
                // Keys outside the root cannot occur with a prefix listing; guard anyway rather than return a wrong name.
                if (o.Key.StartsWith(_root, StringComparison.Ordinal) && o.Key.Length > _root.Length)
                {
                    yield return new StoredFile(o.Key[_root.Length..], o.Size ?? 0);
                }
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = KeyOf(name) }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            // Deleting a missing file is not an error (S3 answers 204 anyway; some stores answer 404).
        }
        catch (AmazonS3Exception e)
        {
            throw Explain(e);
        }
    }

    private string KeyOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _root + name;
    }

    private FileNotFoundException NotFound(string name, Exception? inner = null) =>
        new($"'{name}' does not exist in '{Location}'.", name, inner);

    private Exception Explain(AmazonS3Exception error) => error.ErrorCode == "NoSuchBucket"
        ? new SourceAccessException(SourceProblem.BucketNotFound, $"Bucket '{Bucket}' does not exist at '{Location}': check the bucket name and the endpoint.", error)
        : S3Errors.Explain(error, Location);

    /// <summary>The body of a GET; disposing it releases the response and its connection.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
