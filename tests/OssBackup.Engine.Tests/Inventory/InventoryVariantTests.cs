using OssBackup.Engine.Inventory;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>Every documented way of writing an inventory reads back as the same objects.</summary>
public sealed class InventoryVariantTests : IDisposable
{
    private readonly LocalInventory _bucket = new();

    public void Dispose() => _bucket.Dispose();

    private static readonly Dictionary<string, InventoryOptions> VariantOptions = new()
    {
        ["newer OSS documentation (defaults)"] = new InventoryOptions(),
        ["English OSS documentation"] = new InventoryOptions { Quoting = InventoryQuoting.OssEnglish, SlashEncoding = InventorySlashEncoding.Literal, DateFormat = InventoryDateFormat.IsoMillis },
        ["S3"] = new InventoryOptions
            {
                Quoting = InventoryQuoting.S3, SlashEncoding = InventorySlashEncoding.Literal, DateFormat = InventoryDateFormat.IsoMillis,
                ManifestStyle = InventoryManifestStyle.S3, Columns = ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "EncryptionStatus"],
                TrailingBlankLines = 2,
            },
        ["spaces as %20, ISO without milliseconds"] = new InventoryOptions { SpaceEncoding = InventorySpaceEncoding.Percent20, DateFormat = InventoryDateFormat.Iso },
        ["CRLF line ends and blank lines at the end"] = new InventoryOptions { CrLf = true, TrailingBlankLines = 3 },
        ["rows unsorted over four data files"] = new InventoryOptions { Shuffle = true, FilesCount = 4, Seed = 7 },
        ["optional columns in a custom order, with extras, names in other cases"] = new InventoryOptions
            {
                Columns = ["crc64", "etag", "IsMultipartUploaded", "STORAGECLASS", "ObjectAcl", "lastModifiedDate", "TransitionTime", "EncryptionStatus", "size", "TaggingCount", "ObjectType", "LastAccessDate"],
            },
        ["ETags written with quotes"] = new InventoryOptions { QuotedETags = true, Quoting = InventoryQuoting.S3 },
        ["with a destination prefix and an S3 manifest"] = new InventoryOptions { DestinationPrefix = "inv-reports/", ManifestStyle = InventoryManifestStyle.S3, InventoryId = "weekly" },
    };

    public static TheoryData<string> Variants() => new(VariantOptions.Keys);

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Each_variant_reads_back_as_the_objects_it_lists_with_keys_decoded(string variant)
    {
        var options = VariantOptions[variant];
        var run = _bucket.Write(options);

        var manifest = await _bucket.Reader.SelectNewestAsync(LocalInventory.LocationOf(options), TimeSpan.FromDays(7), LocalInventory.T0.AddHours(1), null, CancellationToken.None);
        var rows = await _bucket.ReadRowsAsync(manifest);

        Assert.True(run.Objects.Count > 10, variant);
        Assert.Equal(run.Objects.Select(LocalInventory.Expected), rows);
    }

    [Fact]
    public async Task Thousands_of_random_awkward_keys_round_trip_through_every_quoting_and_encoding()
    {
        var keys = AwkwardKeys.Distinct(3000, seed: 11);
        var objects = keys.Select((k, i) => new InventoryObject(k, i, $"{i:X32}", LocalInventory.T0.AddMinutes(-i), i % 3 == 0 ? "IA" : "Standard")).ToList();
        InventoryOptions[] variants =
        [
            new() { InventoryId = "a", Shuffle = true, FilesCount = 3 },
            new() { InventoryId = "b", Quoting = InventoryQuoting.OssEnglish, SlashEncoding = InventorySlashEncoding.Literal, SpaceEncoding = InventorySpaceEncoding.Percent20, DateFormat = InventoryDateFormat.Iso },
            new() { InventoryId = "c", Quoting = InventoryQuoting.S3, ManifestStyle = InventoryManifestStyle.S3, DateFormat = InventoryDateFormat.IsoMillis, CrLf = true },
        ];

        foreach (var options in variants)
        {
            var run = _bucket.Write(options, objects);
            var manifest = await _bucket.ManifestAsync(run);

            var rows = await _bucket.ReadRowsAsync(manifest);

            Assert.Equal(run.Objects.Select(LocalInventory.Expected), rows);
            Assert.Equal(rows.Select(r => r.ToSourceObject()), await _bucket.ReadSortRecordsAsync(manifest));
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Each_variant_reads_straight_into_sort_records_of_the_same_objects_as_its_rows(string variant)
    {
        var options = VariantOptions[variant];
        var run = _bucket.Write(options);
        var manifest = await _bucket.ManifestAsync(run);

        var records = await _bucket.ReadSortRecordsAsync(manifest);

        Assert.Equal((await _bucket.ReadRowsAsync(manifest)).Select(r => r.ToSourceObject()), records);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Data_files_read_on_several_lanes_give_the_same_objects_as_rows(int lanes)
    {
        var keys = AwkwardKeys.Distinct(3000, seed: lanes);
        var objects = keys.Select((k, i) => new InventoryObject(k, i, $"{i:X32}", LocalInventory.T0.AddMinutes(-i), i % 3 == 0 ? "IA" : "Standard")).ToList();
        var run = _bucket.Write(new InventoryOptions { Shuffle = true, FilesCount = 5, Seed = lanes }, objects);
        var manifest = await _bucket.ManifestAsync(run);

        var records = await _bucket.ReadSortRecordBatchesAsync(manifest, lanes);

        var rows = (await _bucket.ReadRowsAsync(manifest)).Select(r => r.ToSourceObject());
        Assert.Equal(rows.OrderBy(o => o.Key, StringComparer.Ordinal), records.OrderBy(o => o.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Storage_classes_come_through_as_written_including_ones_that_need_a_restore()
    {
        var run = _bucket.Write(new InventoryOptions
        {
            StorageClassOverrides = new Dictionary<string, string> { ["docs/My Report final.pdf"] = "Archive", ["logs/"] = "DEEP_ARCHIVE" },
        });

        var rows = await _bucket.ReadRowsAsync(await _bucket.ManifestAsync(run));

        Assert.Equal("Archive", rows.Single(r => r.Key == "docs/My Report final.pdf").StorageClass);
        Assert.Equal("DEEP_ARCHIVE", rows.Single(r => r.Key == "logs/").StorageClass);
        Assert.Equal(run.Objects.Count, rows.Count);
    }
}
