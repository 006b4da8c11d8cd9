using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace OssBackup.TestKit;

/// <summary>An object as the test server holds it, with the SHA-256 of its bytes.</summary>
public sealed record StoredObject(string Key, long Size, string ETag, string Sha256, string? ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Seeds and inspects buckets on the test S3 server, independently of the product's own client.</summary>
public sealed class TestS3 : IDisposable
{
    private readonly AmazonS3Client _client;

    public TestS3(string endpoint, string accessKey, string secretKey, string region = "us-east-1")
    {
        _client = new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    /// <summary>The client, for helpers of this kit that need more than these methods (InventoryWriter lists versions).</summary>
    internal AmazonS3Client Client => _client;

    /// <summary>Reads OSSBACKUP_TEST_S3_* as written by tests/s3server/start.sh.</summary>
    public static TestS3 FromEnvironment() => new(
        Require("OSSBACKUP_TEST_S3_ENDPOINT"), Require("OSSBACKUP_TEST_S3_ACCESS_KEY"), Require("OSSBACKUP_TEST_S3_SECRET_KEY"),
        Environment.GetEnvironmentVariable("OSSBACKUP_TEST_S3_REGION") ?? "us-east-1");

    public void CreateBucket(string bucket) => _client.PutBucketAsync(bucket).GetAwaiter().GetResult();

    public void Put(string bucket, string key, byte[] content, string? contentType = null, IDictionary<string, string>? metadata = null)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content),
            UseChunkEncoding = false,
            MD5Digest = Convert.ToBase64String(MD5.HashData(content)),
        };
        if (contentType is not null)
        {
            request.ContentType = contentType;
        }
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Metadata[name] = value;
        }
        _client.PutObjectAsync(request).GetAwaiter().GetResult();
    }

    /// <summary>A client for the second account tests/s3server/start.sh creates on Ceph RGW, or null on a server without one.</summary>
    public static TestS3? OtherAccountFromEnvironment() =>
        Environment.GetEnvironmentVariable("OSSBACKUP_TEST_S3_OTHER_ACCESS_KEY") is { Length: > 0 } accessKey
            ? new(Require("OSSBACKUP_TEST_S3_ENDPOINT"), accessKey, Require("OSSBACKUP_TEST_S3_OTHER_SECRET_KEY"),
                Environment.GetEnvironmentVariable("OSSBACKUP_TEST_S3_REGION") ?? "us-east-1")
            : null;

    /// <summary>Uploads an object with HTTP headers a restore must bring back (Cache-Control, Content-Disposition, ...) and a storage class.</summary>
    public void PutWithHeaders(string bucket, string key, byte[] content, System.Collections.IDictionary headers, string? storageClass = null)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false };
        foreach (System.Collections.DictionaryEntry header in headers)
        {
            var (name, value) = (header.Key.ToString()!, header.Value?.ToString() ?? "");
            switch (name)
            {
                case "Content-Type": request.ContentType = value; break;
                case "Cache-Control": request.Headers.CacheControl = value; break;
                case "Content-Disposition": request.Headers.ContentDisposition = value; break;
                case "Content-Encoding": request.Headers.ContentEncoding = value; break;
                case "Expires": request.Headers.Expires = DateTime.Parse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal); break;
                default: request.Metadata[name] = value; break;
            }
        }
        if (storageClass is not null)
        {
            request.StorageClass = S3StorageClass.FindValue(storageClass);
        }
        _client.PutObjectAsync(request).GetAwaiter().GetResult();
    }

    /// <summary>The headers of an object as HEAD returns them, with StorageClass (STANDARD when the server omits it).</summary>
    public Dictionary<string, string> Head(string bucket, string key)
    {
        var response = _client.GetObjectMetadataAsync(bucket, key).GetAwaiter().GetResult();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["StorageClass"] = response.StorageClass?.Value ?? "STANDARD",
            ["Content-Type"] = response.Headers.ContentType ?? "",
            ["Cache-Control"] = response.Headers.CacheControl ?? "",
            ["Content-Disposition"] = response.Headers.ContentDisposition ?? "",
            ["Content-Encoding"] = response.Headers.ContentEncoding ?? "",
            ["Expires"] = response.ExpiresString ?? response.Headers["Expires"] ?? "",
        };
        foreach (var name in response.Metadata.Keys)
        {
            headers[name.StartsWith("x-amz-meta-", StringComparison.Ordinal) ? name[11..] : name] = response.Metadata[name];
        }
        return headers;
    }

    public void PutText(string bucket, string key, string text, string? contentType = null) =>
        Put(bucket, key, System.Text.Encoding.UTF8.GetBytes(text), contentType);

    public void Delete(string bucket, string key) => _client.DeleteObjectAsync(bucket, key).GetAwaiter().GetResult();

    public byte[] Get(string bucket, string key)
    {
        using var response = _client.GetObjectAsync(bucket, key).GetAwaiter().GetResult();
        using var memory = new MemoryStream();
        response.ResponseStream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>Every object under a prefix with the hash of its bytes and its metadata (one GET each).</summary>
    public List<StoredObject> Snapshot(string bucket, string prefix = "")
    {
        var result = new List<StoredObject>();
        foreach (var key in ListKeys(bucket, prefix))
        {
            using var response = _client.GetObjectAsync(bucket, key).GetAwaiter().GetResult();
            using var sha = SHA256.Create();
            var hash = Convert.ToHexString(sha.ComputeHash(response.ResponseStream)).ToLowerInvariant();
            var metadata = response.Metadata.Keys.ToDictionary(k => k.StartsWith("x-amz-meta-", StringComparison.Ordinal) ? k[11..] : k, k => response.Metadata[k]);
            result.Add(new StoredObject(key, response.ContentLength, response.ETag.Trim('"'), hash, response.Headers.ContentType, metadata));
        }
        return result;
    }

    public List<string> ListKeys(string bucket, string prefix = "")
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var response = _client.ListObjectsV2Async(request).GetAwaiter().GetResult();
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            if (response.IsTruncated != true)
            {
                return keys;
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>Awkward keys every test and the demo include: spaces, Unicode, '+', '%', '=', an emoji, a folder marker.</summary>
    public static readonly string[] AwkwardKeys =
    [
        "docs/My Report final.pdf",
        "数据/报告 2024.xlsx",
        "C++ notes/x+y=z.txt",
        "reports/100%.txt",
        "media/emoji-😀 clip.txt",
        "quote\"name'.txt",
        "a=b&c=d/e;f.txt",
        "logs/",
    ];

    /// <summary>
    /// Seeds a bucket with <paramref name="smallCount"/> small objects (compressible text with a content
    /// type and user metadata), the awkward keys, a 0-byte object and <paramref name="largeCount"/> random
    /// objects of <paramref name="largeSize"/> bytes. Deterministic for a given seed.
    /// </summary>
    public void Seed(string bucket, int smallCount, int largeCount, int largeSize, int seed = 1, string prefix = "", int parallelism = 16)
    {
        var random = new Random(seed);
        var large = Enumerable.Range(0, largeCount).Select(_ => { var b = new byte[largeSize]; random.NextBytes(b); return b; }).ToList();
        var jobs = new List<Action>();
        for (var i = 0; i < smallCount; i++)
        {
            var n = i;
            jobs.Add(() => Put(bucket, $"{prefix}small/{n / 100:D3}/object-{n:D5}.txt",
                System.Text.Encoding.UTF8.GetBytes($"object {n}\n" + string.Concat(Enumerable.Repeat($"line of object {n} ", 20 + n % 50))),
                "text/plain", new Dictionary<string, string> { ["origin"] = "seed", ["index"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }
        foreach (var key in AwkwardKeys)
        {
            jobs.Add(() => Put(bucket, prefix + key, key.EndsWith('/') ? [] : System.Text.Encoding.UTF8.GetBytes($"content of {key}"), "application/octet-stream"));
        }
        jobs.Add(() => Put(bucket, $"{prefix}empty.bin", []));
        for (var i = 0; i < large.Count; i++)
        {
            var n = i;
            jobs.Add(() => Put(bucket, $"{prefix}large/blob-{n:D2}.bin", large[n], "application/octet-stream"));
        }
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, job => job());
    }

    public static string Sha256Hex(byte[] content) => Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();

    public void Dispose() => _client.Dispose();

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set: start the test S3 server (tests/s3server/start.sh) first.");
}
