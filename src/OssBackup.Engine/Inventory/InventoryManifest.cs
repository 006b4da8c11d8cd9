using System.Globalization;
using System.Text.Json;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// A parsed manifest.json of one inventory run. Both dialects are accepted: OSS (creationTimestamp in epoch
/// seconds, plain destination bucket name, uppercase MD5s, version "2019-09-01") and S3 (epoch milliseconds,
/// an ARN, lowercase MD5s, "2016-11-30"). Field names match case-insensitively, field order is irrelevant and
/// unknown fields are ignored.
/// </summary>
public sealed class InventoryManifest
{
    /// <summary>Columns a backup cannot do without, as fileSchema names them (case-insensitively).</summary>
    public static readonly IReadOnlyList<string> RequiredColumns = ["Key", "Size", "StorageClass", "LastModifiedDate", "ETag"];

    /// <summary>Folder names of runs: the UTC time the scan started (the first form is the documented one).</summary>
    private static readonly string[] RunFolderFormats = ["yyyy-MM-dd'T'HH-mm'Z'", "yyyy-MM-dd'T'HH-mm-ss'Z'", "yyyy-MM-dd'T'HH-mmss'Z'"];

    /// <summary>Epoch values at or above this are milliseconds (as seconds it would be the year 5138; as ms it is 1973).</summary>
    private const long MillisecondsThreshold = 100_000_000_000;

    private InventoryManifest(string runFolder, DateTimeOffset runTimestamp)
    {
        RunFolder = runFolder;
        RunTimestamp = runTimestamp;
    }

    /// <summary>The key prefix of the run folder in the inventory bucket, ending in '/' ("…/2025-04-14T16-00Z/").</summary>
    public string RunFolder { get; }

    /// <summary>The time in the run folder's name (UTC, minute precision).</summary>
    public DateTimeOffset RunTimestamp { get; }

    public string ManifestKey => RunFolder + "manifest.json";

    public string ChecksumKey => RunFolder + "manifest.checksum";

    /// <summary>creationTimestamp: when the scan of the source bucket started (UTC).</summary>
    public DateTimeOffset CreationTime { get; private init; }

    public string SourceBucket { get; private init; } = "";

    /// <summary>destinationBucket as a bucket name (an ARN such as <c>arn:aws:s3:::name</c> is reduced to the name).</summary>
    public string DestinationBucket { get; private init; } = "";

    /// <summary>fileFormat as written ("CSV", "ORC", "Parquet"); only CSV can be read.</summary>
    public string FileFormat { get; private init; } = "";

    public bool IsCsv => string.Equals(FileFormat, "CSV", StringComparison.OrdinalIgnoreCase);

    /// <summary>fileSchema split on ',' and trimmed: the columns of every data file row, in order.</summary>
    public IReadOnlyList<string> Schema { get; private init; } = [];

    public IReadOnlyList<InventoryDataFile> Files { get; private init; } = [];

    public string? Version { get; private init; }

    /// <summary>True when the schema has IsLatest or IsDeleteMarker: the inventory lists every version.</summary>
    public bool IsAllVersions => ColumnIndex("IsLatest") >= 0 || ColumnIndex("IsDeleteMarker") >= 0;

    /// <summary>The sum of the data files' sizes (compressed bytes to read).</summary>
    public long DataBytes => Files.Sum(f => f.Size);

    /// <summary>The 0-based position of a column in <see cref="Schema"/>, matched case-insensitively, or -1.</summary>
    public int ColumnIndex(string name)
    {
        for (var i = 0; i < Schema.Count; i++)
        {
            if (string.Equals(Schema[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The required columns the schema lacks, in <see cref="RequiredColumns"/> order.</summary>
    public IReadOnlyList<string> MissingRequiredColumns() => RequiredColumns.Where(c => ColumnIndex(c) < 0).ToList();

    /// <summary>Parses a run folder's name ("2025-04-14T16-00Z") as a UTC time.</summary>
    public static bool TryParseRunTimestamp(string folderName, out DateTimeOffset timestamp) =>
        DateTimeOffset.TryParseExact(folderName, RunFolderFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);

    /// <summary>Parses manifest.json of the run in <paramref name="runFolder"/> (a key prefix ending in the timestamp folder).</summary>
    /// <exception cref="InventoryException"><see cref="InventoryErrorKind.ManifestInvalid"/>, naming the field at fault.</exception>
    public static InventoryManifest Parse(ReadOnlyMemory<byte> json, string runFolder)
    {
        var folder = runFolder.EndsWith('/') ? runFolder : runFolder + "/";
        var name = folder.TrimEnd('/');
        name = name[(name.LastIndexOf('/') + 1)..];
        if (!TryParseRunTimestamp(name, out var runTimestamp))
        {
            throw new ArgumentException($"'{runFolder}' is not an inventory run folder (its name must be a time such as 2025-04-14T16-00Z).", nameof(runFolder));
        }
        var key = folder + "manifest.json";
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw Invalid(key, $"it is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(key, "it is not a JSON object");
            }
            return new InventoryManifest(folder, runTimestamp)
            {
                CreationTime = ParseCreationTime(Require(root, "creationTimestamp", key), key),
                SourceBucket = RequireString(root, "sourceBucket", key),
                DestinationBucket = BucketName(OptionalString(root, "destinationBucket") ?? ""),
                FileFormat = RequireString(root, "fileFormat", key),
                Schema = ParseSchema(RequireString(root, "fileSchema", key), key),
                Files = ParseFiles(Require(root, "files", key), key),
                Version = OptionalString(root, "version"),
            };
        }
    }

    /// <summary>"arn:aws:s3:::name" and "acs:oss:::name" (unconfirmed) become "name"; a plain name stays.</summary>
    internal static string BucketName(string value)
    {
        var separator = value.LastIndexOf(":::", StringComparison.Ordinal);
        return separator >= 0 ? value[(separator + 3)..] : value;
    }

    private static DateTimeOffset ParseCreationTime(JsonElement value, string key)
    {
        long epoch;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetInt64(out var n):
                epoch = n;
                break;
            case JsonValueKind.Number when value.TryGetDouble(out var d) && d is >= 0 and < long.MaxValue:
                epoch = (long)d;
                break;
            case JsonValueKind.String when long.TryParse(value.GetString()!.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s):
                epoch = s;
                break;
            case JsonValueKind.String when decimal.TryParse(value.GetString()!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m is >= 0 and < long.MaxValue:
                epoch = (long)m;
                break;
            default:
                throw Invalid(key, $"creationTimestamp {value.GetRawText()} is not a number of seconds or milliseconds since 1970");
        }
        try
        {
            return epoch >= MillisecondsThreshold ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : DateTimeOffset.FromUnixTimeSeconds(epoch);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Invalid(key, $"creationTimestamp {value.GetRawText()} is out of range", e);
        }
    }

    private static List<string> ParseSchema(string fileSchema, string key)
    {
        var columns = fileSchema.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (columns.Count == 0)
        {
            throw Invalid(key, "fileSchema names no columns");
        }
        var duplicate = columns.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid(key, $"fileSchema names the column '{duplicate.Key}' twice");
        }
        return columns;
    }

    private static List<InventoryDataFile> ParseFiles(JsonElement files, string key)
    {
        if (files.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(key, "files is not an array");
        }
        var result = new List<InventoryDataFile>();
        var index = 0;
        foreach (var file in files.EnumerateArray())
        {
            var where = $"files[{index}]";
            if (file.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(key, $"{where} is not an object");
            }
            var dataKey = RequireString(file, "key", key, where);
            var sizeElement = Require(file, "size", key, where);
            long size;
            if (sizeElement.ValueKind == JsonValueKind.Number && sizeElement.TryGetInt64(out var n))
            {
                size = n;
            }
            else if (sizeElement.ValueKind == JsonValueKind.String && long.TryParse(sizeElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                size = s;
            }
            else
            {
                throw Invalid(key, $"{where}.size {sizeElement.GetRawText()} is not a byte count");
            }
            if (size < 0)
            {
                throw Invalid(key, $"{where}.size {size} is negative");
            }
            var md5 = RequireString(file, "MD5checksum", key, where).Trim();
            if (md5.Length != 32 || !md5.All(char.IsAsciiHexDigit))
            {
                throw Invalid(key, $"{where}.MD5checksum '{md5}' is not 32 hex digits");
            }
            result.Add(new InventoryDataFile(dataKey, size, md5));
            index++;
        }
        return result;
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }

    private static JsonElement Require(JsonElement obj, string name, string key, string? where = null) =>
        TryGet(obj, name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw Invalid(key, $"{(where is null ? "" : where + ".")}{name} is missing");

    private static string RequireString(JsonElement obj, string name, string key, string? where = null)
    {
        var value = Require(obj, name, key, where);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid(key, $"{(where is null ? "" : where + ".")}{name} is {value.ValueKind.ToString().ToLowerInvariant()}, not a string");
    }

    private static string? OptionalString(JsonElement obj, string name) =>
        TryGet(obj, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static InventoryException Invalid(string key, string why, Exception? inner = null) =>
        new(InventoryErrorKind.ManifestInvalid, $"Inventory manifest '{key}' cannot be read: {why}.", inner) { Key = key };
}
