using OssBackup.Engine.Inventory;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>
/// The real-shaped OSS inventory of docs' inventory-format.md (copied byte-exact into Inventory/Examples/), laid out
/// in a local inventory bucket exactly where its manifest says its data file is.
/// </summary>
public sealed class InventoryExampleTests : IDisposable
{
    private static readonly InventoryLocation Location = new("inventory-dest", "inv-reports", "examplebucket", "daily-backup");
    private const string RunFolder = "inv-reports/examplebucket/daily-backup/2025-04-14T16-00Z/";
    private const string DataKey = "inv-reports/examplebucket/daily-backup/data/a1574226-b5e5-40ee-91df-356845777c04.csv.gz";
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1744646400);

    private readonly LocalInventory _bucket = new();

    public InventoryExampleTests()
    {
        var examples = Path.Combine(S3TestServer.RepositoryRoot(), "tests", "OssBackup.Engine.Tests", "Inventory", "Examples");
        Copy(Path.Combine(examples, "manifest.json"), RunFolder + "manifest.json");
        Copy(Path.Combine(examples, "manifest.checksum"), RunFolder + "manifest.checksum");
        Copy(Path.Combine(examples, "a1574226-b5e5-40ee-91df-356845777c04.csv.gz"), DataKey);
    }

    public void Dispose() => _bucket.Dispose();

    [Fact]
    public async Task The_example_manifest_is_complete_its_checksum_verifies_and_it_is_usable()
    {
        var candidates = await _bucket.ListAsync(Location);

        var run = Assert.Single(candidates);
        Assert.Equal(RunFolder, run.Folder);
        Assert.True(run.IsComplete);
        Assert.Null(run.Problem);
        Assert.True(run.IsUsable);
        Assert.Equal(1, run.DataFiles);
        Assert.Equal(new DateTimeOffset(2025, 4, 14, 16, 0, 0, TimeSpan.Zero), run.Timestamp);
    }

    [Fact]
    public async Task The_example_manifest_parses_to_its_OSS_fields()
    {
        var manifest = await _bucket.Reader.SelectNewestAsync(Location, TimeSpan.FromDays(7), Created.AddHours(1), null, CancellationToken.None);

        Assert.Equal(Created, manifest.CreationTime);
        Assert.Equal("examplebucket", manifest.SourceBucket);
        Assert.Equal("inventory-dest", manifest.DestinationBucket);
        Assert.Equal("2019-09-01", manifest.Version);
        Assert.True(manifest.IsCsv);
        Assert.False(manifest.IsAllVersions);
        Assert.Equal(["Bucket", "Key", "Size", "StorageClass", "LastModifiedDate", "ETag", "IsMultipartUploaded", "EncryptionStatus"], manifest.Schema);
        var file = Assert.Single(manifest.Files);
        Assert.Equal(new InventoryDataFile(DataKey, 605, "791E3CCF71AB9456C5481FAEBF23C5FA"), file);
    }

    [Fact]
    public async Task The_example_rows_decode_to_the_exact_keys_and_values_of_inventory_format_md()
    {
        var manifest = await _bucket.Reader.SelectNewestAsync(Location, TimeSpan.FromDays(7), Created.AddHours(1), null, CancellationToken.None);
        var counters = new InventoryReadCounters();

        var rows = await _bucket.ReadRowsAsync(manifest, new InventoryReadOptions { Counters = counters });

        static DateTimeOffset T(int y, int mo, int d, int h, int mi, int s) => new(y, mo, d, h, mi, s, TimeSpan.Zero);
        InventoryRow[] expected =
        [
            new("photos/2024/IMG_0001.JPG", 2457600, "5B3C1A2E053D763E1B002CC607C5A0FE", T(2025, 4, 14, 7, 6, 0), "Standard"),
            new("docs/My Report final.pdf", 102400, "0CC175B9C0F1B6A831C399E269772661", T(2025, 4, 13, 22, 15, 31), "IA"),
            new("数据/报告 2024.xlsx", 48213, "900150983CD24FB0D6963F7D28E17F72", T(2025, 4, 12, 1, 2, 3), "Standard"),
            new("exports/a,b,c.csv", 77, "E2FC714C4727EE9395F324CD2E7F331F", T(2024, 11, 30, 16, 0, 0), "Archive"),
            new("C++ notes/x+y=z.txt", 12, "9E107D9D372BB6826BD81D3542A419D6", T(2023, 1, 1, 0, 0, 0), "ColdArchive"),
            new("logs/", 0, "D41D8CD98F00B204E9800998ECF8427E", T(2022, 6, 30, 9, 45, 12), "Standard"),
            new("quote\"name'.txt", 3, "ACBD18DB4CC2F85CEDEF654FCCC4A4D8", T(2025, 4, 14, 7, 5, 59), "Standard"),
            new("media/emoji-😀 clip.mp4", 5368709120, "29B94424BC241D80B0AF488A4E4B86AF-1024", T(2025, 2, 2, 2, 2, 2), "DeepColdArchive"),
            new("reports/100%.txt", 4, "B6D81B360A5672D80C27430F39153E2C", T(2025, 4, 14, 7, 6, 1), "Standard"),
        ];
        Assert.Equal(expected, rows);
        Assert.Equal(9, counters.RowsRead);
        Assert.Equal(1, counters.FilesRead);
        Assert.Equal(605, counters.CompressedBytesRead);
        Assert.False(counters.KeptOnlyCurrentVersions);
    }

    private void Copy(string from, string key)
    {
        var to = Path.Combine(_bucket.Root, key.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }
}
