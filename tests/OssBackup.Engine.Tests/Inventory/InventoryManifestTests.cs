using System.Text;
using OssBackup.Engine.Inventory;

namespace OssBackup.Engine.Tests.Inventory;

public sealed class InventoryManifestTests
{
    private const string Folder = "prefix/src/daily/2025-04-14T16-00Z/";

    [Fact]
    public void An_S3_manifest_has_epoch_milliseconds_an_ARN_and_lowercase_MD5s()
    {
        var manifest = Parse("""
            {
              "sourceBucket": "src",
              "destinationBucket": "arn:aws:s3:::inventory-dest",
              "version": "2016-11-30",
              "creationTimestamp": "1514944800000",
              "fileFormat": "CSV",
              "fileSchema": "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass",
              "files": [ { "key": "prefix/src/daily/data/x.csv.gz", "size": 2147483648000, "MD5checksum": "f11166d1e9ad5b2ed0b8a32ea7e9bc8e" } ]
            }
            """);

        Assert.Equal(new DateTimeOffset(2018, 1, 3, 2, 0, 0, TimeSpan.Zero), manifest.CreationTime);
        Assert.Equal("inventory-dest", manifest.DestinationBucket);
        Assert.Equal("2016-11-30", manifest.Version);
        Assert.Equal(new InventoryDataFile("prefix/src/daily/data/x.csv.gz", 2147483648000, "f11166d1e9ad5b2ed0b8a32ea7e9bc8e"), Assert.Single(manifest.Files));
    }

    [Theory]
    [InlineData("\"1744646400\"")]
    [InlineData("1744646400")]
    [InlineData("\"1744646400000\"")]
    [InlineData("1744646400000")]
    public void CreationTimestamp_is_seconds_or_milliseconds_as_a_string_or_a_number(string value)
    {
        var manifest = Parse(Json(("creationTimestamp", value)));

        Assert.Equal(new DateTimeOffset(2025, 4, 14, 16, 0, 0, TimeSpan.Zero), manifest.CreationTime);
    }

    [Fact]
    public void Field_names_match_in_any_case_in_any_order_and_unknown_fields_are_ignored()
    {
        var manifest = Parse("""
            {
              "FILES": [ { "md5Checksum": "791e3ccf71ab9456c5481faebf23c5fa", "Size": "605", "KEY": "k.csv.gz", "extra": 1 } ],
              "somethingNew": { "nested": [1, 2] },
              "SourceBucket": "src",
              "filesCHEMA": "bucket,key , size,  storageclass,lastmodifieddate,etag,IsLatest",
              "FileFormat": "csv",
              "CreationTimestamp": "1744646400",
              "DestinationBucket": "dest"
            }
            """);

        Assert.Equal("src", manifest.SourceBucket);
        Assert.True(manifest.IsCsv);
        Assert.Equal(["bucket", "key", "size", "storageclass", "lastmodifieddate", "etag", "IsLatest"], manifest.Schema);
        Assert.Empty(manifest.MissingRequiredColumns());
        Assert.Equal(3, manifest.ColumnIndex("StorageClass"));
        Assert.True(manifest.IsAllVersions);
        Assert.Equal(new InventoryDataFile("k.csv.gz", 605, "791e3ccf71ab9456c5481faebf23c5fa"), Assert.Single(manifest.Files));
        Assert.Null(manifest.Version);
    }

    [Fact]
    public void The_run_folder_and_its_time_come_from_the_folder_name()
    {
        var manifest = Parse(Json());

        Assert.Equal(Folder, manifest.RunFolder);
        Assert.Equal(new DateTimeOffset(2025, 4, 14, 16, 0, 0, TimeSpan.Zero), manifest.RunTimestamp);
        Assert.Equal(Folder + "manifest.json", manifest.ManifestKey);
    }

    [Fact]
    public void The_required_columns_missing_from_the_schema_are_named()
    {
        var manifest = Parse(Json(("fileSchema", "\"Bucket, Key, Size, StorageClass\"")));

        Assert.Equal(["LastModifiedDate", "ETag"], manifest.MissingRequiredColumns());
    }

    [Fact]
    public void A_non_CSV_format_parses_but_is_not_CSV()
    {
        var manifest = Parse(Json(("fileFormat", "\"ORC\"")));

        Assert.False(manifest.IsCsv);
        Assert.Contains("only CSV", string.Join(" ", InventoryReader.ReadProblems(manifest)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("creationTimestamp", null, "creationTimestamp is missing")]
    [InlineData("creationTimestamp", "\"yesterday\"", "creationTimestamp")]
    [InlineData("sourceBucket", null, "sourceBucket is missing")]
    [InlineData("fileSchema", null, "fileSchema is missing")]
    [InlineData("fileSchema", "\" , \"", "fileSchema names no columns")]
    [InlineData("fileSchema", "\"Bucket, Key, key\"", "twice")]
    [InlineData("files", null, "files is missing")]
    [InlineData("files", "{}", "files is not an array")]
    [InlineData("files", "[{\"key\":\"k\",\"size\":1}]", "files[0].MD5checksum is missing")]
    [InlineData("files", "[{\"key\":\"k\",\"size\":-1,\"MD5checksum\":\"791e3ccf71ab9456c5481faebf23c5fa\"}]", "files[0].size -1 is negative")]
    [InlineData("files", "[{\"key\":\"k\",\"size\":1,\"MD5checksum\":\"xyz\"}]", "32 hex digits")]
    public void A_manifest_missing_or_misstating_a_field_is_invalid_and_the_message_names_the_field(string field, string? value, string expected)
    {
        var error = Assert.Throws<InventoryException>(() => Parse(Json((field, value))));

        Assert.Equal(InventoryErrorKind.ManifestInvalid, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(Folder + "manifest.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_JSON_is_invalid()
    {
        var error = Assert.Throws<InventoryException>(() => Parse("{ \"files\": [ "));

        Assert.Equal(InventoryErrorKind.ManifestInvalid, error.Kind);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-04-14T16-00Z", true)]
    [InlineData("2025-04-14T16-00-00Z", true)]
    [InlineData("data", false)]
    [InlineData("hive", false)]
    [InlineData("2025-04-14", false)]
    public void Run_folder_names_are_UTC_times(string name, bool isRun)
    {
        Assert.Equal(isRun, InventoryManifest.TryParseRunTimestamp(name, out var time));
        if (isRun)
        {
            Assert.Equal(new DateTimeOffset(2025, 4, 14, 16, 0, 0, TimeSpan.Zero), time);
        }
    }

    private static InventoryManifest Parse(string json) => InventoryManifest.Parse(Encoding.UTF8.GetBytes(json), Folder);

    /// <summary>A valid OSS manifest with some fields replaced (a null value removes the field).</summary>
    private static string Json(params (string Name, string? Value)[] changes)
    {
        var fields = new Dictionary<string, string>
        {
            ["creationTimestamp"] = "\"1744646400\"",
            ["destinationBucket"] = "\"dest\"",
            ["fileFormat"] = "\"CSV\"",
            ["fileSchema"] = "\"Bucket, Key, Size, StorageClass, LastModifiedDate, ETag\"",
            ["files"] = "[{\"MD5checksum\":\"791E3CCF71AB9456C5481FAEBF23C5FA\",\"key\":\"prefix/src/daily/data/a.csv.gz\",\"size\":605}]",
            ["sourceBucket"] = "\"src\"",
            ["version"] = "\"2019-09-01\"",
        };
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                fields.Remove(name);
            }
            else
            {
                fields[name] = value;
            }
        }
        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }
}
