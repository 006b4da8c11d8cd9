using OssBackup.Engine.Inventory;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>The rules that decide whether the newest inventory may be used for a backup.</summary>
public sealed class InventorySelectionTests : IDisposable
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly DateTime Day1 = LocalInventory.T0;
    private static readonly DateTime Day2 = LocalInventory.T0.AddDays(1);
    private static readonly DateTimeOffset Now = new DateTimeOffset(Day2).AddHours(6);
    private static readonly InventoryLocation Location = LocalInventory.LocationOf();

    private readonly LocalInventory _bucket = new();

    public void Dispose() => _bucket.Dispose();

    [Fact]
    public async Task The_newest_complete_inventory_is_selected()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day1 });
        var newest = _bucket.Write(new InventoryOptions { RunTime = Day2 });

        var selection = await _bucket.Reader.SelectAsync(Location, Week, Now, null, CancellationToken.None);

        Assert.Equal(newest.RunFolder, selection.Manifest.RunFolder);
        Assert.Equal(new DateTimeOffset(Day2), selection.Manifest.CreationTime);
        Assert.Empty(selection.SkippedIncomplete);
    }

    [Fact]
    public async Task No_inventory_at_all_is_NotFound_naming_the_bucket_and_folder()
    {
        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.NotFound, error.Kind);
        Assert.Contains("No inventory list is available under inventory-dest/examplebucket/daily/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_of_another_inventory_id_or_prefix_are_not_found()
    {
        _bucket.Write(new InventoryOptions { InventoryId = "weekly" });
        _bucket.Write(new InventoryOptions { DestinationPrefix = "elsewhere" });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task An_inventory_older_than_the_allowed_age_is_TooOld_with_its_time_and_the_limit()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day1 });

        var error = await SelectFailsAsync(now: new DateTimeOffset(Day1).AddDays(8));

        Assert.Equal(InventoryErrorKind.TooOld, error.Kind);
        Assert.Contains("The newest inventory (2025-04-14 16:00:00 UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains("older than 7 days", error.Message, StringComparison.Ordinal);
        Assert.Contains("8 days old", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inventory_not_newer_than_the_one_the_last_backup_used_is_NotUpdated_with_both_times()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day2 });

        var error = await SelectFailsAsync(lastUsed: new DateTimeOffset(Day2));

        Assert.Equal(InventoryErrorKind.NotUpdated, error.Kind);
        Assert.Contains("not updated since the last backup: newest is 2025-04-15 16:00:00 UTC", error.Message, StringComparison.Ordinal);
        Assert.Contains("the last backup used 2025-04-15 16:00:00 UTC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inventory_newer_than_the_last_backup_is_selected()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day2 });

        var manifest = await _bucket.Reader.SelectNewestAsync(Location, Week, Now, new DateTimeOffset(Day1), CancellationToken.None);

        Assert.Equal(new DateTimeOffset(Day2), manifest.CreationTime);
    }

    [Fact]
    public async Task A_newest_run_without_manifest_checksum_is_skipped_and_reported_and_the_newest_complete_one_is_used()
    {
        var complete = _bucket.Write(new InventoryOptions { RunTime = Day1 });
        var writing = _bucket.Write(new InventoryOptions { RunTime = Day2, OmitChecksum = true });

        var selection = await _bucket.Reader.SelectAsync(Location, Week, Now, null, CancellationToken.None);

        Assert.Equal(complete.RunFolder, selection.Manifest.RunFolder);
        var skipped = Assert.Single(selection.SkippedIncomplete);
        Assert.Equal(writing.RunFolder, skipped.Folder);
        Assert.Equal("incomplete: manifest.checksum is missing (the inventory may still be being written)", skipped.Problem);
    }

    [Fact]
    public async Task When_the_only_run_has_no_manifest_checksum_the_inventory_is_Incomplete()
    {
        var writing = _bucket.Write(new InventoryOptions { RunTime = Day2, OmitChecksum = true });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Incomplete, error.Kind);
        Assert.Contains(writing.RunFolder, error.Message, StringComparison.Ordinal);
        Assert.Contains("no manifest.checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_skipped_incomplete_run_is_mentioned_when_the_complete_one_is_too_old()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day1 });
        var writing = _bucket.Write(new InventoryOptions { RunTime = Day2, OmitChecksum = true });

        var error = await SelectFailsAsync(now: new DateTimeOffset(Day1).AddDays(8));

        Assert.Equal(InventoryErrorKind.TooOld, error.Kind);
        Assert.Contains($"A newer run, {writing.RunFolder}, is still being written", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_manifest_checksum_makes_the_newest_Unusable()
    {
        var run = _bucket.Write(new InventoryOptions { WrongChecksum = true });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Contains(run.RunFolder, error.Message, StringComparison.Ordinal);
        Assert.Contains("manifest.checksum", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match the MD5 of manifest.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_newest_inventory_is_an_error_even_when_an_older_one_is_fine()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day1 });
        var broken = _bucket.Write(new InventoryOptions { RunTime = Day2, WrongChecksum = true });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Equal(broken.RunFolder, error.Key);
    }

    [Theory]
    [InlineData("ETag")]
    [InlineData("Size")]
    [InlineData("StorageClass")]
    [InlineData("LastModifiedDate")]
    public async Task A_schema_lacking_a_required_column_is_Unusable_and_names_the_column(string column)
    {
        _bucket.Write(new InventoryOptions { DropColumn = column });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Contains($"lacks the required column {column} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_lacking_several_columns_names_them_all()
    {
        _bucket.Write(new InventoryOptions { Columns = ["Size", "IsMultipartUploaded"] });

        var error = await SelectFailsAsync();

        Assert.Contains("lacks the required columns StorageClass, LastModifiedDate, ETag ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_naming_another_source_bucket_is_Unusable_and_names_both_buckets()
    {
        _bucket.Write(new InventoryOptions { ManifestSourceBucket = "some-other-bucket" });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Contains("'some-other-bucket', not 'examplebucket'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_CSV_inventory_is_Unusable_and_says_only_CSV_is_read()
    {
        _bucket.Write(new InventoryOptions { FileFormat = "Parquet" });

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Contains("its format is Parquet, and only CSV inventories can be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unparsable_manifest_is_Unusable_and_says_why()
    {
        var run = _bucket.Write(new InventoryOptions());
        var json = "{ \"sourceBucket\": \"examplebucket\" }"u8.ToArray();
        File.WriteAllBytes(Path.Combine(_bucket.Root, run.ManifestKey), json);
        File.WriteAllText(Path.Combine(_bucket.Root, run.ChecksumKey), Convert.ToHexString(System.Security.Cryptography.MD5.HashData(json)));

        var error = await SelectFailsAsync();

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Contains("creationTimestamp is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_shows_every_run_newest_first_with_its_problems_and_ignores_data_and_hive_folders()
    {
        _bucket.Write(new InventoryOptions { RunTime = Day1 });
        _bucket.Write(new InventoryOptions { RunTime = Day2, OmitChecksum = true });
        _bucket.Write(new InventoryOptions { RunTime = Day1.AddHours(-24), DropColumn = "ETag", FilesCount = 2 });
        Put("examplebucket/daily/hive/dt=2025-04-14-00-00/symlink.txt", "x");
        Put("examplebucket/daily/data/2025-04-14T16-00Z/manifest.json", "{}");
        Put("examplebucket/daily/not-a-time/manifest.json", "{}");

        var runs = await _bucket.ListAsync(Location);

        Assert.Equal(["2025-04-15T16-00Z", "2025-04-14T16-00Z", "2025-04-13T16-00Z"], runs.Select(r => r.Folder.Split('/')[^2]));
        Assert.Equal([false, true, true], runs.Select(r => r.IsComplete));
        Assert.Equal([false, true, false], runs.Select(r => r.IsUsable));
        Assert.Contains("lacks the required column ETag", runs[2].Problem, StringComparison.Ordinal);
        Assert.Equal(2, runs[2].DataFiles);
        Assert.Equal(["Bucket", "Key", "Size", "StorageClass", "LastModifiedDate", "IsMultipartUploaded", "EncryptionStatus"], runs[2].Schema);
        Assert.All(runs, r => Assert.Null(r.ObjectCount));
    }

    private Task<InventoryException> SelectFailsAsync(DateTimeOffset? now = null, DateTimeOffset? lastUsed = null) =>
        Assert.ThrowsAsync<InventoryException>(() => _bucket.Reader.SelectNewestAsync(Location, Week, now ?? Now, lastUsed, CancellationToken.None));

    private void Put(string key, string text)
    {
        var path = Path.Combine(_bucket.Root, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
