using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using OssBackup.Engine.Source;
using S3Bucket = OssBackup.Engine.Source.S3Bucket;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OssBackup.Engine.Tests.Support;

/// <summary>
/// The S3 server the integration tests talk to, one per test run (a collection fixture of <see cref="S3Collection"/>).
/// Uses the server named by OSSBACKUP_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY / _REGION when set;
/// otherwise starts one with tests/s3server/start.sh and stops it with stop.sh at the end. With
/// OSSBACKUP_ALLOW_NO_S3=1 and no endpoint, the S3 tests are skipped (see <see cref="SkipReason"/>).
/// Each test class takes buckets of its own from <see cref="CreateBucketAsync"/>.
/// </summary>
public sealed class S3TestServer : IAsyncLifetime
{
    public const string EndpointVariable = "OSSBACKUP_TEST_S3_ENDPOINT";
    public const string AccessKeyVariable = "OSSBACKUP_TEST_S3_ACCESS_KEY";
    public const string SecretKeyVariable = "OSSBACKUP_TEST_S3_SECRET_KEY";
    public const string RegionVariable = "OSSBACKUP_TEST_S3_REGION";
    public const string ServerVariable = "OSSBACKUP_TEST_S3_SERVER";
    public const string AllowNoS3Variable = "OSSBACKUP_ALLOW_NO_S3";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);

    private readonly IMessageSink _diagnostics;
    private readonly List<string> _buckets = [];
    private string? _stateFolder;
    private S3Connection? _connection;

    public S3TestServer(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
    }

    /// <summary>Why S3 tests are skipped, or null when they run (and must then pass or fail for real).</summary>
    public static string? SkipReason =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EndpointVariable)) && Environment.GetEnvironmentVariable(AllowNoS3Variable) == "1"
            ? $"No S3 server: {EndpointVariable} is not set and {AllowNoS3Variable}=1."
            : null;

    public bool IsAvailable => _connection is not null;

    /// <summary>"rgw" (Ceph RADOS Gateway, the server of record), "s3rver" (a lenient fake) or "external".</summary>
    public string ServerKind { get; private set; } = "none";

    public S3Connection Connection => _connection ?? throw new InvalidOperationException("The test S3 server is not available.");

    public string Endpoint => Connection.Endpoint;

    public S3Credentials Credentials => Connection.Credentials;

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }
        var settings = string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EndpointVariable))
            ? await StartServerAsync()
            : new Dictionary<string, string>
            {
                [EndpointVariable] = Environment.GetEnvironmentVariable(EndpointVariable)!,
                [AccessKeyVariable] = Environment.GetEnvironmentVariable(AccessKeyVariable) ?? "",
                [SecretKeyVariable] = Environment.GetEnvironmentVariable(SecretKeyVariable) ?? "",
                [RegionVariable] = Environment.GetEnvironmentVariable(RegionVariable) ?? "",
                [ServerVariable] = Environment.GetEnvironmentVariable(ServerVariable) ?? "external",
            };
        foreach (var required in new[] { EndpointVariable, AccessKeyVariable, SecretKeyVariable })
        {
            if (string.IsNullOrEmpty(settings.GetValueOrDefault(required)))
            {
                throw new InvalidOperationException($"The S3 integration tests need {required}: set {EndpointVariable}, {AccessKeyVariable}, {SecretKeyVariable} and {RegionVariable} together.");
            }
        }
        ServerKind = settings.GetValueOrDefault(ServerVariable) is { Length: > 0 } kind ? kind : "external";
        if (ServerKind == "s3rver")
        {
            Say("WARNING: the S3 tests run against s3rver, a lenient fake (no signature or If-Match checks, key normalisation). A pass here is not evidence; use Ceph RGW.");
        }
        var region = settings.GetValueOrDefault(RegionVariable) is { Length: > 0 } r ? r : "us-east-1";
        _connection = new S3Connection(settings[EndpointVariable], region, ForcePathStyle: true,
            new S3Credentials(settings[AccessKeyVariable], settings[SecretKeyVariable]));
    }

    /// <summary>A client made by the product's own factory, with the test server's credentials or others given.</summary>
    public AmazonS3Client NewClient(S3Credentials? credentials = null) =>
        S3ClientFactory.Create(credentials is null ? Connection : Connection with { Credentials = credentials });

    /// <summary>The product's bucket wrapper on the test server.</summary>
    public S3Bucket OpenBucket(string bucket, S3Credentials? credentials = null) =>
        S3Bucket.Open(credentials is null ? Connection : Connection with { Credentials = credentials }, bucket);

    /// <summary>A plan that backs up <paramref name="prefix"/> of <paramref name="bucket"/> on this server into <paramref name="vault"/>.</summary>
    public BackupPlan PlanFor(string name, string bucket, string prefix, string vault) => new()
    {
        Name = name,
        SourceBucket = bucket,
        SourcePrefix = prefix,
        Endpoint = Endpoint,
        Region = Connection.Region,
        ForcePathStyle = true,
        Vault = vault,
    };

    /// <summary>Creates a new, uniquely named, empty bucket; <paramref name="owner"/> makes the name easy to trace.</summary>
    public async Task<string> CreateBucketAsync(string owner)
    {
        var tag = new string(owner.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(24).ToArray());
        var name = $"ossb-{tag}-{Guid.NewGuid():N}"[..Math.Min(63, 5 + tag.Length + 1 + 32)];
        using var client = NewClient();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        lock (_buckets)
        {
            _buckets.Add(name);
        }
        return name;
    }

    /// <summary>Uploads objects with a plain SDK client (not the product's restore path); ".txt" keys as text/plain.</summary>
    public async Task PutObjectsAsync(string bucket, IReadOnlyDictionary<string, byte[]> objects, Action<PutObjectRequest>? customize = null)
    {
        using var client = NewClient();
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (item, token) =>
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = item.Key,
                InputStream = new MemoryStream(item.Value),
                ContentType = item.Key.EndsWith(".txt", StringComparison.Ordinal) ? "text/plain" : "application/octet-stream",
                UseChunkEncoding = false,
            };
            customize?.Invoke(request);
            await client.PutObjectAsync(request, token);
        });
    }

    /// <summary>Every object of a bucket, read with a plain SDK client, as key -> SHA-256 of its bytes.</summary>
    public async Task<Dictionary<string, string>> ReadObjectHashesAsync(string bucket)
    {
        using var client = NewClient();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        var hashes = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (key, token) =>
        {
            using var response = await client.GetObjectAsync(bucket, key, token);
            hashes[key] = await TestData.Sha256Async(response.ResponseStream);
        });
        return new Dictionary<string, string>(hashes, StringComparer.Ordinal);
    }

    /// <summary>Deletes an empty bucket before the end of the run (to test what happens when a bucket disappears).</summary>
    public async Task DeleteEmptyBucketAsync(string bucket)
    {
        using var client = NewClient();
        await client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
        lock (_buckets)
        {
            _buckets.Remove(bucket);
        }
    }

    public async Task DisposeAsync()
    {
        if (_stateFolder is not null)
        {
            // The whole server goes away with its state folder; no need to empty buckets first.
            await RunScriptAsync("stop.sh", _stateFolder, TimeSpan.FromMinutes(2));
            return;
        }
        if (_connection is not null)
        {
            await DeleteBucketsAsync();
        }
    }

    private async Task<Dictionary<string, string>> StartServerAsync()
    {
        var state = Path.Combine(Path.GetTempPath(), $"ossbackup-s3server-{Guid.NewGuid():N}");
        var (exitCode, output) = await RunScriptAsync("start.sh", state, StartTimeout);
        _stateFolder = state;
        var envFile = Path.Combine(state, "env");
        if (exitCode != 0 || !File.Exists(envFile))
        {
            await RunScriptAsync("stop.sh", state, TimeSpan.FromMinutes(2));
            _stateFolder = null;
            throw new InvalidOperationException(
                $"The S3 integration tests need a server and starting one with 'bash tests/s3server/start.sh {state}' failed (exit code {exitCode}). " +
                $"Set {EndpointVariable}, {AccessKeyVariable}, {SecretKeyVariable} and {RegionVariable} to use a running server, " +
                $"or {AllowNoS3Variable}=1 to skip these tests.{Environment.NewLine}{Tail(output, 40)}");
        }
        Say($"Started a test S3 server in {state}.");
        return File.ReadAllLines(envFile)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim());
    }

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, string stateFolder, TimeSpan timeout)
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "s3server", script);
        if (!File.Exists(path))
        {
            return (-1, $"{path} does not exist.");
        }
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(stateFolder);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run bash {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{script} did not finish within {timeout.TotalSeconds:0} s.{Environment.NewLine}{await stderr}{await stdout}");
        }
        return (process.ExitCode, await stderr + await stdout);
    }

    private async Task DeleteBucketsAsync()
    {
        using var client = NewClient();
        foreach (var bucket in _buckets)
        {
            try
            {
                var request = new ListObjectsV2Request { BucketName = bucket };
                ListObjectsV2Response page;
                do
                {
                    page = await client.ListObjectsV2Async(request);
                    if (page.S3Objects is { Count: > 0 } objects)
                    {
                        try
                        {
                            await client.DeleteObjectsAsync(new DeleteObjectsRequest
                            {
                                BucketName = bucket,
                                Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
                            });
                        }
                        catch (ArgumentException)
                        {
                            // A key with a control character cannot be written in the XML of a batch delete.
                            foreach (var o in objects)
                            {
                                await client.DeleteObjectAsync(bucket, o.Key);
                            }
                        }
                    }
                    request.ContinuationToken = page.NextContinuationToken;
                }
                while (page.IsTruncated == true);
                await client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
            }
            catch (Exception e)
            {
                Say($"Could not delete test bucket '{bucket}': {e.Message}");
            }
        }
    }

    private void Say(string message)
    {
        _diagnostics.OnMessage(new DiagnosticMessage($"[S3TestServer] {message}"));
        Console.Error.WriteLine($"[S3TestServer] {message}");
    }

    private static string Tail(string text, int lines) =>
        string.Join(Environment.NewLine, text.Split('\n').TakeLast(lines));

    /// <summary>The folder holding OssBackup.sln, found upwards from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OssBackup.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"OssBackup.sln not found above {AppContext.BaseDirectory}.");
    }
}
