using System.Text;
using System.Text.RegularExpressions;

namespace OssBackup.Bench;

/// <summary>Requests the gateway served for one bucket between two marks of its access log.</summary>
public sealed record RequestCounts(string Bucket, int ObjectGets, int ObjectHeads, int ObjectPuts, int MultipartCalls, int Lists, int Other)
{
    public int Total => ObjectGets + ObjectHeads + ObjectPuts + MultipartCalls + Lists + Other;

    public override string ToString() =>
        $"GET {ObjectGets}, HEAD {ObjectHeads}, PUT {ObjectPuts}, multipart calls {MultipartCalls}, list {Lists}, other {Other}";
}

/// <summary>
/// Counts the requests Ceph RGW logged, so a benchmark can prove from the server's side which requests a
/// client sent. RGW's beast frontend writes one access line per request at debug level 1 (the default of
/// tests/s3server/start.sh), e.g. <c>beast: 0x..: 127.0.0.1 - user [date] "GET /bucket/key HTTP/1.1" 200 ...</c>.
/// The log file is found from the gateway's ceph.conf (<c>log file</c> of its <c>[client.rgw.*]</c> section).
/// </summary>
public sealed partial class GatewayAccessLog
{
    private GatewayAccessLog(string path) => Path = path;

    public string Path { get; }

    /// <summary>The access log of the RGW behind <paramref name="endpoint"/>, or null when there is none (s3rver, no /proc).</summary>
    public static GatewayAccessLog? Find(string endpoint)
    {
        var server = ServerProcesses.Find(endpoint);
        if (server.Gateway is not { } pid)
        {
            return null;
        }
        string[] args;
        try
        {
            args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
        var c = Array.IndexOf(args, "-c");
        var n = Array.IndexOf(args, "-n");
        if (c < 0 || n < 0 || c + 1 >= args.Length || n + 1 >= args.Length || !File.Exists(args[c + 1]))
        {
            return null;
        }
        var name = args[n + 1];
        var inSection = false;
        foreach (var raw in File.ReadLines(args[c + 1]))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                inSection = line == $"[{name}]";
                continue;
            }
            if (inSection && line.StartsWith("log file", StringComparison.Ordinal) && line.IndexOf('=') is var eq and > 0)
            {
                var path = line[(eq + 1)..].Trim().Replace("$name", name, StringComparison.Ordinal);
                return File.Exists(path) ? new GatewayAccessLog(path) : null;
            }
        }
        return null;
    }

    /// <summary>Where the log ends now: count requests after this mark.</summary>
    public long Mark() => new FileInfo(Path).Length;

    /// <summary>
    /// Counts the requests on <paramref name="bucket"/> logged after <paramref name="mark"/>. The gateway writes its
    /// log asynchronously, so this waits until the count has been stable for a second (at most 15 s).
    /// </summary>
    public RequestCounts Count(string bucket, long mark)
    {
        var counts = Read(bucket, mark);
        for (var waited = 0; waited < 15; waited++)
        {
            Thread.Sleep(1000);
            var again = Read(bucket, mark);
            if (again == counts)
            {
                return counts;
            }
            counts = again;
        }
        return counts;
    }

    private RequestCounts Read(string bucket, long mark)
    {
        int gets = 0, heads = 0, puts = 0, multipart = 0, lists = 0, other = 0;
        var bucketPath = "/" + bucket;
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(mark, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (!line.Contains(" beast: ", StringComparison.Ordinal) || AccessLine().Match(line) is not { Success: true } m)
            {
                continue;
            }
            var method = m.Groups["method"].Value;
            var target = m.Groups["target"].Value;
            var query = target.IndexOf('?', StringComparison.Ordinal);
            var path = query < 0 ? target : target[..query];
            var isObject = path.StartsWith(bucketPath + "/", StringComparison.Ordinal) && path.Length > bucketPath.Length + 1;
            var isBucket = path == bucketPath || path == bucketPath + "/";
            if (!isObject && !isBucket)
            {
                continue;
            }
            var hasUploadQuery = query >= 0 && (target.Contains("uploadId=", StringComparison.Ordinal) || target.Contains("uploads", StringComparison.Ordinal));
            switch (method)
            {
                case "GET" when isObject && query < 0:
                    gets++;
                    break;
                case "HEAD" when isObject:
                    heads++;
                    break;
                case "PUT" when isObject && !hasUploadQuery:
                    puts++;
                    break;
                case "GET" when isBucket && (query < 0 || !target.Contains("location", StringComparison.Ordinal)):
                    lists++;
                    break;
                default:
                    if (hasUploadQuery)
                    {
                        multipart++;
                    }
                    else
                    {
                        other++;
                    }
                    break;
            }
        }
        return new RequestCounts(bucket, gets, heads, puts, multipart, lists, other);
    }

    public override string ToString() => Path;

    [GeneratedRegex("\"(?<method>[A-Z]+) (?<target>\\S+) HTTP/[0-9.]+\"", RegexOptions.CultureInvariant)]
    private static partial Regex AccessLine();
}
