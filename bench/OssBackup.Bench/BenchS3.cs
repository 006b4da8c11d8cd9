using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace OssBackup.Bench;

/// <summary>What a seeding step put on the server.</summary>
public sealed record SeedResult(string Bucket, int Objects, long Bytes, double Seconds);

/// <summary>
/// What <see cref="BenchS3.VerifyCopy"/> found: objects expected and present, how many were proven by ETag and how
/// many by reading them back, and the first problems (none when the copy is exact).
/// </summary>
public sealed record CopyCheck(int Expected, int Present, int VerifiedByETag, int VerifiedByReading, long BytesRead, IReadOnlyList<string> Problems, double Seconds)
{
    public bool IsExact => Problems.Count == 0 && Expected == Present && VerifiedByETag + VerifiedByReading == Expected;
}

/// <summary>Keys of a bucket and how long the (signed, paged) listing took.</summary>
public sealed record Listing(string Bucket, IReadOnlyList<string> Keys, long Bytes, double Seconds);

/// <summary>
/// The benchmark's own S3 client (AWSSDK, configured as the engine's S3ClientFactory configures it):
/// creates and seeds the benchmark buckets, opens them to anonymous GETs for the raw ceiling, and
/// cleans them up.
/// </summary>
public sealed class BenchS3 : IDisposable
{
    public BenchS3(string endpoint, string accessKey, string secretKey, string region = "us-east-1")
    {
        Endpoint = endpoint.TrimEnd('/');
        _accessKey = accessKey;
        _secretKey = secretKey;
        _region = region;
        Client = NewClient(Endpoint, accessKey, secretKey, region);
    }

    private readonly string _accessKey;
    private readonly string _secretKey;
    private readonly string _region;

    public string Endpoint { get; }

    internal AmazonS3Client Client { get; }

    /// <summary>Reads OSSBACKUP_TEST_S3_* as written by tests/s3server/start.sh.</summary>
    public static BenchS3 FromEnvironment() => new(
        Require("OSSBACKUP_TEST_S3_ENDPOINT"), Require("OSSBACKUP_TEST_S3_ACCESS_KEY"), Require("OSSBACKUP_TEST_S3_SECRET_KEY"),
        Environment.GetEnvironmentVariable("OSSBACKUP_TEST_S3_REGION") is { Length: > 0 } region ? region : "us-east-1");

    /// <summary>Same settings as src/OssBackup.Engine/Source/S3ClientFactory.cs, so the SDK loop measures what the engine pays.</summary>
    internal static AmazonS3Client NewClient(string endpoint, string accessKey, string secretKey, string region, int maxConnections = 64) =>
        new(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 4,
            Timeout = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = maxConnections,
        });

    /// <summary>A new client configured like the engine's (a fresh connection pool, as each backup has).</summary>
    internal AmazonS3Client NewEngineLikeClient(int maxConnections) => NewClient(Endpoint, _accessKey, _secretKey, _region, maxConnections);

    /// <summary>A SigV4 signer with the benchmark's credentials.</summary>
    public SigV4 NewSigner() => new(_accessKey, _secretKey, _region);

    public void CreateBucket(string bucket) => Client.PutBucketAsync(bucket).GetAwaiter().GetResult();

    /// <summary>
    /// Lets anyone GET the bucket's objects (a bucket policy with Principal "*"), so the raw ceiling can use
    /// plain unsigned HTTP GETs. Checks that an anonymous GET of <paramref name="probeKey"/> really answers 200.
    /// </summary>
    public void MakePublicRead(string bucket, string probeKey)
    {
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[{"Sid":"OssBackupBenchPublicRead","Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::{{bucket}}/*"]}]}
            """;
        Client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy }).GetAwaiter().GetResult();
        using var http = new HttpClient();
        using var response = http.GetAsync(ObjectUrl(Endpoint, bucket, probeKey)).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"An anonymous GET of {bucket}/{probeKey} answered {(int)response.StatusCode} after the public-read policy was set.");
        }
    }

    /// <summary>
    /// <paramref name="count"/> text objects of <paramref name="minSize"/>..<paramref name="maxSize"/> bytes
    /// (log-like lines, zstd-compressible about 3x) with a content type and two user metadata entries, as
    /// small/NNN/object-NNNNN.txt. Deterministic for a given seed. Single-part PUTs, so ETags are MD5s.
    /// </summary>
    public SeedResult SeedSmall(string bucket, int count, int minSize, int maxSize, int seed, int parallelism)
    {
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (n, token) =>
        {
            var content = SmallContent(n, minSize, maxSize, seed);
            await PutAsync(bucket, SmallKey(n), content, "text/plain", new Dictionary<string, string> { ["origin"] = "bench", ["index"] = n.ToString(CultureInfo.InvariantCulture) }, token);
            Interlocked.Add(ref bytes, content.Length);
        }).GetAwaiter().GetResult();
        return new SeedResult(bucket, count, bytes, clock.Elapsed.TotalSeconds);
    }

    /// <summary><paramref name="count"/> objects of <paramref name="size"/> random (incompressible) bytes, as large/blob-NN.bin.</summary>
    public SeedResult SeedLarge(string bucket, int count, int size, int seed, int parallelism)
    {
        var clock = Stopwatch.StartNew();
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (n, token) =>
        {
            var content = new byte[size];
            new Random(unchecked((seed * 1_000_003) + n + 7919)).NextBytes(content);
            await PutAsync(bucket, LargeKey(n), content, "application/octet-stream", null, token);
        }).GetAwaiter().GetResult();
        return new SeedResult(bucket, count, (long)count * size, clock.Elapsed.TotalSeconds);
    }

    public static string SmallKey(int n) => $"small/{n / 100:D3}/object-{n:D5}.txt";

    public static string LargeKey(int n) => $"large/blob-{n:D2}.bin";

    internal static byte[] SmallContent(int n, int minSize, int maxSize, int seed)
    {
        var random = new Random(unchecked((seed * 1_000_003) + n));
        var size = random.Next(minSize, maxSize + 1);
        var text = new StringBuilder(size + 200);
        var time = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(n * 37);
        string[] levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN"];
        while (text.Length < size)
        {
            time = time.AddMilliseconds(random.Next(5, 900));
            text.Append(CultureInfo.InvariantCulture,
                $"{time:yyyy-MM-ddTHH:mm:ss.fffZ} {levels[random.Next(levels.Length)]} worker-{random.Next(16):D2} GET /api/v1/items/{random.Next(100000)} status={(random.Next(20) == 0 ? 404 : 200)} took={random.Next(1, 900)}ms object={n}\n");
        }
        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }

    private async Task PutAsync(string bucket, string key, byte[] content, string contentType, Dictionary<string, string>? metadata, CancellationToken token)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content, writable: false),
            UseChunkEncoding = false,
            MD5Digest = Convert.ToBase64String(MD5.HashData(content)),
            ContentType = contentType,
        };
        foreach (var (name, value) in metadata ?? [])
        {
            request.Metadata[name] = value;
        }
        await Client.PutObjectAsync(request, token);
    }

    /// <summary>Lists a bucket (signed ListObjectsV2, 1000 keys a page, as the engine's scan does) and times it.</summary>
    public Listing List(string bucket, string prefix = "")
    {
        var clock = Stopwatch.StartNew();
        var keys = new List<string>();
        long bytes = 0;
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 };
        while (true)
        {
            var response = Client.ListObjectsV2Async(request).GetAwaiter().GetResult();
            foreach (var o in response.S3Objects ?? [])
            {
                keys.Add(o.Key);
                bytes += o.Size ?? 0;
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                return new Listing(bucket, keys, bytes, clock.Elapsed.TotalSeconds);
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>
    /// Rewrites the small objects numbered <paramref name="indices"/> with new content (the same generator under
    /// another seed, so the size usually changes too and the ETag always does), <paramref name="parallelism"/> PUTs at a time.
    /// </summary>
    public SeedResult RewriteSmall(string bucket, IReadOnlyList<int> indices, int minSize, int maxSize, int seed, int parallelism)
    {
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        Parallel.ForEachAsync(indices, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (n, token) =>
        {
            var content = SmallContent(n, minSize, maxSize, seed);
            await PutAsync(bucket, SmallKey(n), content, "text/plain", new Dictionary<string, string> { ["origin"] = "bench-changed", ["index"] = n.ToString(CultureInfo.InvariantCulture) }, token);
            Interlocked.Add(ref bytes, content.Length);
        }).GetAwaiter().GetResult();
        return new SeedResult(bucket, indices.Count, bytes, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Every object of a bucket with its size and ETag (quotes stripped), by key.</summary>
    public IReadOnlyDictionary<string, (long Size, string ETag)> ListWithETags(string bucket)
    {
        var objects = new Dictionary<string, (long Size, string ETag)>(StringComparer.Ordinal);
        var request = new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1000 };
        while (true)
        {
            var response = Client.ListObjectsV2Async(request).GetAwaiter().GetResult();
            foreach (var o in response.S3Objects ?? [])
            {
                objects[o.Key] = (o.Size ?? 0, (o.ETag ?? "").Trim('"'));
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                return objects;
            }
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>
    /// Proves that <paramref name="target"/> holds exactly the objects of <paramref name="source"/>, byte for byte:
    /// the same keys and sizes; where the target's ETag is a plain MD5 (a single PUT), it must equal the source's;
    /// where it is a multipart ETag (<c>md5-N</c>), the object is read back and the MD5 of its bytes must equal the
    /// source's ETag. Every source object here was a single PUT, so its ETag is the MD5 of its content.
    /// </summary>
    public CopyCheck VerifyCopy(string source, string target, int parallelism = 16)
    {
        var clock = Stopwatch.StartNew();
        var expected = ListWithETags(source);
        var actual = ListWithETags(target);
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        foreach (var key in expected.Keys.Where(k => !actual.ContainsKey(k)).Take(5))
        {
            problems.Enqueue($"missing: {key}");
        }
        foreach (var key in actual.Keys.Where(k => !expected.ContainsKey(k)).Take(5))
        {
            problems.Enqueue($"unexpected: {key}");
        }
        var both = expected.Keys.Where(actual.ContainsKey).ToList();
        var multipart = new List<string>();
        var byETag = 0;
        foreach (var key in both)
        {
            var (size, etag) = expected[key];
            var got = actual[key];
            if (got.Size != size)
            {
                problems.Enqueue($"{key}: {got.Size} bytes, expected {size}");
            }
            else if (got.ETag.Contains('-', StringComparison.Ordinal))
            {
                multipart.Add(key);
            }
            else if (!string.Equals(got.ETag, etag, StringComparison.OrdinalIgnoreCase))
            {
                problems.Enqueue($"{key}: ETag {got.ETag}, expected {etag}");
            }
            else
            {
                byETag++;
            }
        }
        long readBack = 0;
        Parallel.ForEachAsync(multipart, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (key, token) =>
        {
            using var response = await Client.GetObjectAsync(target, key, token);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            var buffer = new byte[1 << 16];
            int read;
            long length = 0;
            while ((read = await response.ResponseStream.ReadAsync(buffer, token)) > 0)
            {
                md5.AppendData(buffer, 0, read);
                length += read;
            }
            Interlocked.Add(ref readBack, length);
            var hash = Convert.ToHexString(md5.GetHashAndReset());
            if (!string.Equals(hash, expected[key].ETag, StringComparison.OrdinalIgnoreCase))
            {
                problems.Enqueue($"{key}: content MD5 {hash.ToLowerInvariant()}, expected {expected[key].ETag}");
            }
        }).GetAwaiter().GetResult();
        return new CopyCheck(expected.Count, actual.Count, byETag, multipart.Count, readBack, [.. problems.Take(10)], clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Proves that <paramref name="folder"/> mirrors <paramref name="bucket"/>: one file per object at the key's path
    /// (no other files), each of the object's size and with the MD5 of its bytes equal to the object's ETag.
    /// </summary>
    public CopyCheck VerifyFolder(string bucket, string folder)
    {
        var clock = Stopwatch.StartNew();
        var expected = ListWithETags(bucket);
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .ToHashSet(StringComparer.Ordinal);
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        foreach (var key in expected.Keys.Where(k => !files.Contains(k)).Take(5))
        {
            problems.Enqueue($"missing: {key}");
        }
        foreach (var key in files.Where(k => !expected.ContainsKey(k)).Take(5))
        {
            problems.Enqueue($"unexpected: {key}");
        }
        long bytes = 0;
        var verified = 0;
        Parallel.ForEach(expected.Where(e => files.Contains(e.Key)), new ParallelOptions { MaxDegreeOfParallelism = 2 }, e =>
        {
            var content = File.ReadAllBytes(Path.Combine(root, e.Key));
            Interlocked.Add(ref bytes, content.Length);
            var hash = Convert.ToHexString(MD5.HashData(content));
            if (content.Length != e.Value.Size || !string.Equals(hash, e.Value.ETag, StringComparison.OrdinalIgnoreCase))
            {
                problems.Enqueue($"{e.Key}: {content.Length} bytes with MD5 {hash.ToLowerInvariant()}, expected {e.Value.Size} bytes with {e.Value.ETag}");
            }
            else
            {
                Interlocked.Increment(ref verified);
            }
        });
        return new CopyCheck(expected.Count, files.Count, 0, verified, bytes, [.. problems.Take(10)], clock.Elapsed.TotalSeconds);
    }

    /// <summary>Deletes every object and then the bucket (1000 keys a request).</summary>
    public void DeleteBucket(string bucket)
    {
        var keys = List(bucket).Keys;
        foreach (var batch in keys.Chunk(1000))
        {
            Client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = batch.Select(k => new KeyVersion { Key = k }).ToList() }).GetAwaiter().GetResult();
        }
        Client.DeleteBucketAsync(bucket).GetAwaiter().GetResult();
    }

    /// <summary>Path-style URL of an object, each key segment percent-encoded.</summary>
    public static Uri ObjectUrl(string endpoint, string bucket, string key) =>
        new($"{endpoint.TrimEnd('/')}/{Uri.EscapeDataString(bucket)}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}");

    public void Dispose() => Client.Dispose();

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set: start the test S3 server (tests/s3server/start.sh) first.");
}
