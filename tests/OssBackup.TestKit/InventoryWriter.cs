using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.S3.Model;

namespace OssBackup.TestKit;

/// <summary>How the fields of a data file row are quoted (the documented variants).</summary>
public enum InventoryQuoting
{
    /// <summary>Newer OSS documentation: the bucket bare, every other field quoted.</summary>
    OssNew,

    /// <summary>English OSS documentation: every field quoted except Size.</summary>
    OssEnglish,

    /// <summary>S3: every field quoted, empty ones as "".</summary>
    S3,
}

/// <summary>How '/' in a key is written.</summary>
public enum InventorySlashEncoding
{
    /// <summary><c>%2F</c> (newer OSS documentation).</summary>
    Percent,

    /// <summary>A literal '/' (English OSS documentation, S3).</summary>
    Literal,
}

/// <summary>How a space in a key is written.</summary>
public enum InventorySpaceEncoding
{
    /// <summary><c>+</c> (S3; OSS examples).</summary>
    Plus,

    /// <summary><c>%20</c> (unconfirmed for OSS).</summary>
    Percent20,
}

/// <summary>How LastModifiedDate is written.</summary>
public enum InventoryDateFormat
{
    /// <summary><c>2025-04-14T07-06-00Z</c> (newer OSS documentation).</summary>
    Hyphens,

    /// <summary><c>2023-10-26T08:00:00.000Z</c> (English OSS documentation, S3).</summary>
    IsoMillis,

    /// <summary><c>2023-10-26T08:00:00Z</c>.</summary>
    Iso,
}

/// <summary>The manifest.json dialect.</summary>
public enum InventoryManifestStyle
{
    /// <summary>creationTimestamp in epoch seconds, plain destination bucket, uppercase MD5s, version 2019-09-01.</summary>
    Oss,

    /// <summary>creationTimestamp in epoch milliseconds, destination as an ARN, lowercase MD5s, version 2016-11-30.</summary>
    S3,
}

/// <summary>One object (or, in an all-versions inventory, one version or delete marker) an inventory lists.</summary>
public sealed record InventoryObject(string Key, long Size, string ETag, DateTime LastModified, string StorageClass = "Standard")
{
    public string? VersionId { get; init; }
    public bool IsLatest { get; init; } = true;
    public bool IsDeleteMarker { get; init; }

    /// <summary>True for what a backup takes from an inventory: the current version, not a delete marker.</summary>
    public bool IsCurrent => IsLatest && !IsDeleteMarker;
}

/// <summary>Every variant and fault <see cref="InventoryWriter"/> can produce. The defaults give the newer OSS form.</summary>
public sealed record InventoryOptions
{
    /// <summary>The optional columns OSS writes by default, in the order of the shared example.</summary>
    public static readonly IReadOnlyList<string> DefaultColumns = ["Size", "StorageClass", "LastModifiedDate", "ETag", "IsMultipartUploaded", "EncryptionStatus"];

    public string DestinationBucket { get; init; } = "inventory-dest";
    public string DestinationPrefix { get; init; } = "";
    public string InventoryId { get; init; } = "daily";

    /// <summary>The run's scan time (UTC): names the run folder (minute precision). Default: now.</summary>
    public DateTime? RunTime { get; init; }

    /// <summary>creationTimestamp in the manifest; default <see cref="RunTime"/>.</summary>
    public DateTime? CreationTime { get; init; }

    public InventoryQuoting Quoting { get; init; } = InventoryQuoting.OssNew;
    public InventorySlashEncoding SlashEncoding { get; init; } = InventorySlashEncoding.Percent;
    public InventorySpaceEncoding SpaceEncoding { get; init; } = InventorySpaceEncoding.Plus;
    public InventoryDateFormat DateFormat { get; init; } = InventoryDateFormat.Hyphens;
    public InventoryManifestStyle ManifestStyle { get; init; } = InventoryManifestStyle.Oss;

    /// <summary>
    /// The columns after the fixed ones (Bucket, Key [, VersionId, IsLatest, IsDeleteMarker]), in file order, spelled
    /// as fileSchema will spell them (so "etag" or "CRC64" test case-insensitive mapping). Known extras: TransitionTime,
    /// IsMultipartUploaded, EncryptionStatus, ObjectAcl, TaggingCount, ObjectType, Crc64, LastAccessDate; others are empty.
    /// </summary>
    public IReadOnlyList<string> Columns { get; init; } = DefaultColumns;

    /// <summary>Rows are split into this many data files (contiguous slices; some may be empty).</summary>
    public int FilesCount { get; init; } = 1;

    public int TrailingBlankLines { get; init; }

    /// <summary>CRLF line ends instead of LF.</summary>
    public bool CrLf { get; init; }

    /// <summary>An all-versions inventory (VersionId, IsLatest, IsDeleteMarker after Key).</summary>
    public bool AllVersions { get; init; }

    /// <summary>Rows in random order (seeded by <see cref="Seed"/>) instead of UTF-8 key order.</summary>
    public bool Shuffle { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Storage classes written for given keys instead of the object's own (to test Archive skipping).</summary>
    public IReadOnlyDictionary<string, string>? StorageClassOverrides { get; init; }

    /// <summary>The Key field written verbatim for given keys (to plant a bad %-escape).</summary>
    public IReadOnlyDictionary<string, string>? RawKeyOverrides { get; init; }

    /// <summary>ETags written with literal quotes around them ("""abc""" in the CSV).</summary>
    public bool QuotedETags { get; init; }

    /// <summary>The data file name stem (a UUID in real inventories); reuse one to make two runs share data files.</summary>
    public string? DataFileStem { get; init; }

    /// <summary>fileFormat in the manifest (the data is CSV regardless).</summary>
    public string FileFormat { get; init; } = "CSV";

    /// <summary>sourceBucket written in the manifest instead of the real one (the folder still uses the real one).</summary>
    public string? ManifestSourceBucket { get; init; }

    /// <summary>Leaves manifest.checksum out, as while the inventory is still being written.</summary>
    public bool OmitChecksum { get; init; }

    /// <summary>Writes a manifest.checksum that does not match manifest.json.</summary>
    public bool WrongChecksum { get; init; }

    /// <summary>Writes a wrong MD5 for the first data file into the manifest.</summary>
    public bool WrongDataMd5 { get; init; }

    /// <summary>A column left out of fileSchema and of the data, e.g. "ETag".</summary>
    public string? DropColumn { get; init; }
}

/// <summary>A data file as written.</summary>
public sealed record InventoryDataFileInfo(string Key, long Size, string Md5, int Rows)
{
    /// <summary>The gzip bytes written.</summary>
    public byte[] Content { get; init; } = [];
}

/// <summary>One run as written: where its files are and which objects it lists.</summary>
public sealed record InventoryRun(
    string DestinationBucket,
    string RuleFolder,
    string RunFolder,
    IReadOnlyList<InventoryDataFileInfo> DataFiles,
    IReadOnlyList<InventoryObject> Objects,
    string ManifestJson,
    IReadOnlyList<string> Schema)
{
    public string ManifestKey => RunFolder + "manifest.json";
    public string ChecksumKey => RunFolder + "manifest.checksum";

    /// <summary>Every key this run wrote (data files, manifest.json, manifest.checksum if written).</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];
}

/// <summary>
/// Writes bucket inventories in the OSS layout (<c>[prefix/]source/id/YYYY-MM-DDTHH-MMZ/manifest.json</c>,
/// <c>manifest.checksum</c>, <c>data/*.csv.gz</c>) in every documented variant, to a bucket on the test S3 server
/// or to a local folder that stands for the destination bucket. Neither test server has an inventory feature.
/// </summary>
public sealed class InventoryWriter
{
    // (destination bucket, key, bytes) and (destination bucket, key); a local folder ignores the bucket.
    private readonly Action<string, string, byte[]> _put;
    private readonly Action<string, string> _delete;
    private readonly TestS3? _s3;

    /// <summary>Writes to <see cref="InventoryOptions.DestinationBucket"/> on the test server; can list a source bucket.</summary>
    public InventoryWriter(TestS3 s3)
    {
        _s3 = s3;
        _put = (bucket, key, bytes) => s3.Put(bucket, key, bytes);
        _delete = s3.Delete;
    }

    /// <summary>Writes under a local folder that stands for the destination bucket (keys become relative paths).</summary>
    public InventoryWriter(string folder)
    {
        var root = Path.GetFullPath(folder);
        string PathOf(string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));
        _put = (_, key, bytes) =>
        {
            var path = PathOf(key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        };
        _delete = (_, key) => File.Delete(PathOf(key));
    }

    /// <summary>Writes through callbacks: put bytes at a key, delete a key (of the destination bucket).</summary>
    public InventoryWriter(Action<string, byte[]> put, Action<string> delete)
    {
        _put = (_, key, bytes) => put(key, bytes);
        _delete = (_, key) => delete(key);
    }

    /// <summary>
    /// Objects with the keys that break naive parsers (spaces, '+', '%', '=', quotes, commas, CJK, an emoji, a
    /// folder placeholder) and a multipart ETag, all last modified at whole seconds after <paramref name="baseTime"/>.
    /// </summary>
    public static IReadOnlyList<InventoryObject> AwkwardObjects(DateTime baseTime)
    {
        var t = new DateTime(baseTime.Ticks - baseTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        return
        [
            new("photos/2024/IMG_0001.JPG", 2_457_600, "5B3C1A2E053D763E1B002CC607C5A0FE", t),
            new("docs/My Report final.pdf", 102_400, "0CC175B9C0F1B6A831C399E269772661", t.AddSeconds(-1), "IA"),
            new("数据/报告 2024.xlsx", 48_213, "900150983CD24FB0D6963F7D28E17F72", t.AddSeconds(-2)),
            new("exports/a,b,c.csv", 77, "E2FC714C4727EE9395F324CD2E7F331F", t.AddSeconds(-3)),
            new("C++ notes/x+y=z.txt", 12, "9E107D9D372BB6826BD81D3542A419D6", t.AddSeconds(-4)),
            new("logs/", 0, "D41D8CD98F00B204E9800998ECF8427E", t.AddSeconds(-5)),
            new("quote\"name'.txt", 3, "ACBD18DB4CC2F85CEDEF654FCCC4A4D8", t.AddSeconds(-6)),
            new("media/emoji-😀 clip.mp4", 5_368_709_120, "29B94424BC241D80B0AF488A4E4B86AF-1024", t.AddSeconds(-7)),
            new("reports/100%.txt", 4, "B6D81B360A5672D80C27430F39153E2C", t.AddSeconds(-8)),
            new("a=b&c=d/e;f.txt", 5, "E80B5017098950FC58AAD83C8C14978E", t.AddSeconds(-9)),
            new("literal %20 and %2F/two  spaces.txt", 6, "B1946AC92492D2347C6235B4D2611184", t.AddSeconds(-10)),
            new("tab\tand~tilde*star.txt", 7, "591785B794601E212B260E25925636FD", t.AddSeconds(-11)),
        ];
    }

    /// <summary>Writes one run listing <paramref name="objects"/> of <paramref name="sourceBucket"/>.</summary>
    public InventoryRun Write(string sourceBucket, IEnumerable<InventoryObject> objects, InventoryOptions? options = null)
    {
        options ??= new InventoryOptions();
        var bucket = options.DestinationBucket;
        var runTime = Utc(options.RunTime ?? DateTime.UtcNow);
        var prefix = options.DestinationPrefix.Trim('/');
        var ruleFolder = (prefix.Length == 0 ? "" : prefix + "/") + $"{sourceBucket}/{options.InventoryId}/";
        var runFolder = ruleFolder + runTime.ToString("yyyy-MM-dd'T'HH-mm'Z'", CultureInfo.InvariantCulture) + "/";
        var rows = objects.Select(o => options.StorageClassOverrides?.TryGetValue(o.Key, out var sc) == true ? o with { StorageClass = sc } : o).ToList();
        if (!options.AllVersions && rows.Any(o => !o.IsCurrent))
        {
            throw new ArgumentException("Non-current versions or delete markers need AllVersions = true.", nameof(objects));
        }
        if (options.Shuffle)
        {
            var random = new Random(options.Seed);
            for (var i = rows.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (rows[i], rows[j]) = (rows[j], rows[i]);
            }
        }
        else
        {
            rows.Sort((a, b) => Utf8Compare(a.Key, b.Key));
        }

        var schema = new List<string> { "Bucket", "Key" };
        if (options.AllVersions)
        {
            schema.AddRange(["VersionId", "IsLatest", "IsDeleteMarker"]);
        }
        schema.AddRange(options.Columns);
        if (options.DropColumn is { } drop)
        {
            schema.RemoveAll(c => string.Equals(c, drop, StringComparison.OrdinalIgnoreCase));
        }

        var stem = options.DataFileStem ?? Guid.NewGuid().ToString();
        var newline = options.CrLf ? "\r\n" : "\n";
        var files = new List<InventoryDataFileInfo>();
        var keys = new List<string>();
        var count = Math.Max(1, options.FilesCount);
        for (var f = 0; f < count; f++)
        {
            var slice = rows.Skip(rows.Count * f / count).Take(rows.Count * (f + 1) / count - rows.Count * f / count).ToList();
            var text = new StringBuilder();
            foreach (var row in slice)
            {
                text.Append(string.Join(",", schema.Select(column => Field(column, row, sourceBucket, options)))).Append(newline);
            }
            if (f == count - 1)
            {
                for (var i = 0; i < options.TrailingBlankLines; i++)
                {
                    text.Append(newline);
                }
            }
            var gz = Gzip(Encoding.UTF8.GetBytes(text.ToString()));
            var key = $"{ruleFolder}data/{stem}{(f == 0 ? "" : $"-{f}")}.csv.gz";
            _put(bucket, key, gz);
            keys.Add(key);
            files.Add(new InventoryDataFileInfo(key, gz.Length, Hex(MD5.HashData(gz), options.ManifestStyle), slice.Count) { Content = gz });
        }

        var manifest = Manifest(sourceBucket, schema, files, options, options.CreationTime ?? runTime);
        var manifestBytes = Encoding.UTF8.GetBytes(manifest);
        _put(bucket, runFolder + "manifest.json", manifestBytes);
        keys.Add(runFolder + "manifest.json");
        if (!options.OmitChecksum)
        {
            var checksum = Hex(MD5.HashData(options.WrongChecksum ? [.. manifestBytes, (byte)' '] : manifestBytes), options.ManifestStyle);
            _put(bucket, runFolder + "manifest.checksum", Encoding.ASCII.GetBytes(checksum));
            keys.Add(runFolder + "manifest.checksum");
        }
        return new InventoryRun(bucket, ruleFolder, runFolder, files, rows, manifest, schema) { Keys = keys };
    }

    /// <summary>
    /// Lists <paramref name="sourceBucket"/> on the test server (every version with AllVersions) and writes a run
    /// listing it, into <see cref="InventoryOptions.DestinationBucket"/> on the same server.
    /// </summary>
    public InventoryRun WriteBucket(string sourceBucket, InventoryOptions? options = null)
    {
        var s3 = _s3 ?? throw new InvalidOperationException("WriteBucket lists a bucket on the test server: create the writer with a TestS3.");
        options ??= new InventoryOptions();
        var oss = options.ManifestStyle == InventoryManifestStyle.Oss;
        var objects = new List<InventoryObject>();
        if (options.AllVersions)
        {
            var request = new ListVersionsRequest { BucketName = sourceBucket };
            while (true)
            {
                var response = s3.Client.ListVersionsAsync(request).GetAwaiter().GetResult();
                foreach (var v in response.Versions ?? [])
                {
                    objects.Add(new InventoryObject(v.Key, v.Size ?? 0, (v.ETag ?? "").Trim('"'), v.LastModified ?? DateTime.UnixEpoch, StorageClassName(v.StorageClass?.Value, oss))
                    {
                        VersionId = v.VersionId is null or "null" ? "" : v.VersionId,
                        IsLatest = v.IsLatest ?? true,
                        IsDeleteMarker = v.IsDeleteMarker ?? false,
                    });
                }
                if (response.IsTruncated != true)
                {
                    break;
                }
                request.KeyMarker = response.NextKeyMarker;
                request.VersionIdMarker = response.NextVersionIdMarker;
            }
        }
        else
        {
            var request = new ListObjectsV2Request { BucketName = sourceBucket };
            while (true)
            {
                var response = s3.Client.ListObjectsV2Async(request).GetAwaiter().GetResult();
                foreach (var o in response.S3Objects ?? [])
                {
                    objects.Add(new InventoryObject(o.Key, o.Size ?? 0, (o.ETag ?? "").Trim('"'), o.LastModified ?? DateTime.UnixEpoch, StorageClassName(o.StorageClass?.Value, oss)));
                }
                if (response.IsTruncated != true)
                {
                    break;
                }
                request.ContinuationToken = response.NextContinuationToken;
            }
        }
        return Write(sourceBucket, objects, options);
    }

    /// <summary>Deletes one of a run's data files, as a lifecycle rule might.</summary>
    public void DeleteDataFile(InventoryRun run, int index = 0) => _delete(run.DestinationBucket, run.DataFiles[index].Key);

    /// <summary>Deletes a run's manifest.checksum, leaving it as it is while still being written.</summary>
    public void DeleteChecksum(InventoryRun run) => _delete(run.DestinationBucket, run.ChecksumKey);

    /// <summary>Replaces one of a run's data files with bytes of the same length, one of them changed in the middle.</summary>
    public void CorruptDataFile(InventoryRun run, int index = 0)
    {
        var damaged = (byte[])run.DataFiles[index].Content.Clone();
        damaged[damaged.Length / 2] ^= 0x5A;
        _put(run.DestinationBucket, run.DataFiles[index].Key, damaged);
    }

    /// <summary>The key as the inventory writes it in the Key field (before CSV quoting).</summary>
    public static string EncodeKey(string key, InventorySlashEncoding slash = InventorySlashEncoding.Percent, InventorySpaceEncoding space = InventorySpaceEncoding.Plus)
    {
        var text = new StringBuilder(key.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '*')
            {
                text.Append(c);
            }
            else if (c == '/' && slash == InventorySlashEncoding.Literal)
            {
                text.Append('/');
            }
            else if (c == ' ')
            {
                text.Append(space == InventorySpaceEncoding.Plus ? "+" : "%20");
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }

    /// <summary>Gzip-compresses bytes as the data files are.</summary>
    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return output.ToArray();
    }

    private static string Field(string column, InventoryObject o, string bucket, InventoryOptions options)
    {
        var marker = o.IsDeleteMarker;
        var name = column.ToUpperInvariant();
        var value = name switch
        {
            "BUCKET" => bucket,
            "KEY" => options.RawKeyOverrides?.TryGetValue(o.Key, out var raw) == true ? raw : EncodeKey(o.Key, options.SlashEncoding, options.SpaceEncoding),
            "VERSIONID" => o.VersionId ?? "",
            "ISLATEST" => o.IsLatest ? "true" : "false",
            "ISDELETEMARKER" => o.IsDeleteMarker ? "true" : "false",
            "SIZE" => marker ? "" : o.Size.ToString(CultureInfo.InvariantCulture),
            "LASTMODIFIEDDATE" => Date(o.LastModified, options.DateFormat),
            "ETAG" => marker ? "" : options.QuotedETags ? $"\"{o.ETag}\"" : o.ETag,
            "STORAGECLASS" => marker ? "" : o.StorageClass,
            "ISMULTIPARTUPLOADED" => o.ETag.Contains('-', StringComparison.Ordinal) ? "true" : "false",
            "ENCRYPTIONSTATUS" => options.ManifestStyle == InventoryManifestStyle.S3 ? "NOT-SSE" : "false",
            "OBJECTACL" => "default",
            "TAGGINGCOUNT" => "0",
            "OBJECTTYPE" => o.ETag.Contains('-', StringComparison.Ordinal) ? "Multipart" : "Normal",
            "CRC64" => ((ulong)(uint)o.Key.GetHashCode(StringComparison.Ordinal) * 2654435761UL).ToString(CultureInfo.InvariantCulture),
            "LASTACCESSDATE" or "LASTACCESSTIMESTAMP" => "null",
            _ => "",
        };
        var bare = options.Quoting switch
        {
            InventoryQuoting.OssNew => name == "BUCKET",
            InventoryQuoting.OssEnglish => name == "SIZE" && value.Length > 0,
            _ => false,
        };
        return bare ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static string Date(DateTime time, InventoryDateFormat format)
    {
        return Utc(time).ToString(format switch
        {
            InventoryDateFormat.Hyphens => "yyyy-MM-dd'T'HH-mm-ss'Z'",
            InventoryDateFormat.IsoMillis => "yyyy-MM-dd'T'HH:mm:ss.fff'Z'",
            _ => "yyyy-MM-dd'T'HH:mm:ss'Z'",
        }, CultureInfo.InvariantCulture);
    }

    private static string Manifest(string sourceBucket, List<string> schema, List<InventoryDataFileInfo> files, InventoryOptions options, DateTime creationTime)
    {
        var s3 = options.ManifestStyle == InventoryManifestStyle.S3;
        var created = new DateTimeOffset(Utc(creationTime));
        var timestamp = s3 ? created.ToUnixTimeMilliseconds() : created.ToUnixTimeSeconds();
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            var source = options.ManifestSourceBucket ?? sourceBucket;
            if (s3)
            {
                json.WriteString("sourceBucket", source);
                json.WriteString("destinationBucket", "arn:aws:s3:::" + options.DestinationBucket);
                json.WriteString("version", "2016-11-30");
                json.WriteString("creationTimestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                json.WriteString("fileFormat", options.FileFormat);
                json.WriteString("fileSchema", string.Join(", ", schema));
            }
            else
            {
                json.WriteString("creationTimestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                json.WriteString("destinationBucket", options.DestinationBucket);
                json.WriteString("fileFormat", options.FileFormat);
                json.WriteString("fileSchema", string.Join(", ", schema));
            }
            json.WriteStartArray("files");
            for (var i = 0; i < files.Count; i++)
            {
                var md5 = files[i].Md5;
                if (i == 0 && options.WrongDataMd5)
                {
                    md5 = (md5[0] == '0' ? "1" : "0") + md5[1..];
                }
                json.WriteStartObject();
                if (s3)
                {
                    json.WriteString("key", files[i].Key);
                    json.WriteNumber("size", files[i].Size);
                    json.WriteString("MD5checksum", md5);
                }
                else
                {
                    json.WriteString("MD5checksum", md5);
                    json.WriteString("key", files[i].Key);
                    json.WriteNumber("size", files[i].Size);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (!s3)
            {
                json.WriteString("sourceBucket", source);
                json.WriteString("version", "2019-09-01");
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static string StorageClassName(string? listed, bool oss) => (listed ?? "STANDARD", oss) switch
    {
        ("STANDARD", true) => "Standard",
        ("STANDARD_IA", true) => "IA",
        ("GLACIER", true) => "Archive",
        ("DEEP_ARCHIVE", true) => "ColdArchive",
        var (name, _) => name,
    };

    /// <summary>A time as UTC; an unspecified kind is taken as UTC already.</summary>
    private static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);

    private static string Hex(byte[] hash, InventoryManifestStyle style) =>
        style == InventoryManifestStyle.S3 ? Convert.ToHexString(hash).ToLowerInvariant() : Convert.ToHexString(hash);

    private static int Utf8Compare(string a, string b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));
}
