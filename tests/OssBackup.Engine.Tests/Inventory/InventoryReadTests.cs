using OssBackup.Engine.Inventory;
using OssBackup.Engine.Storage;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>Streaming the rows of a selected inventory: integrity of data files, bad rows, versions, counters.</summary>
public sealed class InventoryReadTests : IDisposable
{
    private readonly LocalInventory _bucket = new();

    public void Dispose() => _bucket.Dispose();

    [Fact]
    public async Task A_data_file_whose_MD5_differs_from_the_manifest_is_DataFileCorrupt_naming_the_file()
    {
        var run = _bucket.Write(new InventoryOptions { WrongDataMd5 = true });

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.DataFileCorrupt, error.Kind);
        Assert.Equal(run.DataFiles[0].Key, error.Key);
        Assert.Contains(run.DataFiles[0].Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("its MD5 is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_file_damaged_in_storage_is_DataFileCorrupt_not_a_gzip_or_row_error()
    {
        var run = _bucket.Write(new InventoryOptions());
        _bucket.Writer.CorruptDataFile(run);

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.DataFileCorrupt, error.Kind);
        Assert.Contains(run.DataFiles[0].Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("where the manifest says " + run.DataFiles[0].Md5, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_file_of_another_size_than_the_manifest_says_is_DataFileCorrupt()
    {
        var run = _bucket.Write(new InventoryOptions());
        File.AppendAllText(Path.Combine(_bucket.Root, run.DataFiles[0].Key), "extra");

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.DataFileCorrupt, error.Kind);
        Assert.Contains($"where the manifest says {run.DataFiles[0].Size:N0}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_data_file_is_DataFileMissing_naming_the_key_and_the_likely_cause()
    {
        var run = _bucket.Write(new InventoryOptions { FilesCount = 3 });
        _bucket.Writer.DeleteDataFile(run, 1);

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.DataFileMissing, error.Kind);
        Assert.Equal(run.DataFiles[1].Key, error.Key);
        Assert.Contains(run.DataFiles[1].Key, error.Message, StringComparison.Ordinal);
        Assert.Contains("deleted by a lifecycle rule?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_with_a_bad_escape_is_RowInvalid_naming_the_file_the_row_and_the_Key_column()
    {
        var objects = InventoryWriter.AwkwardObjects(LocalInventory.T0);
        var run = _bucket.Write(new InventoryOptions { RawKeyOverrides = new Dictionary<string, string> { [objects[3].Key] = "bad%G1key" } }, objects);
        var row = run.Objects.ToList().FindIndex(o => o.Key == objects[3].Key) + 1;

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.RowInvalid, error.Kind);
        Assert.Equal(run.DataFiles[0].Key, error.Key);
        Assert.Equal(row, error.Row);
        Assert.Equal("Key", error.Column);
        Assert.Contains($"'{run.DataFiles[0].Key}' row {row}, column Key", error.Message, StringComparison.Ordinal);
        Assert.Contains("%G1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_with_another_number_of_fields_than_the_schema_is_RowInvalid()
    {
        var run = _bucket.Write(new InventoryOptions());
        ReplaceData(run, lines => [.. lines.Take(4), lines[4] + ",\"surplus\"", .. lines.Skip(5)]);

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.RowInvalid, error.Kind);
        Assert.Equal(5, error.Row);
        Assert.Contains("row 5 cannot be read: it has 9 fields where fileSchema names 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_size_is_RowInvalid_naming_the_Size_column()
    {
        var run = _bucket.Write(new InventoryOptions { Quoting = InventoryQuoting.OssEnglish });
        var row = run.Objects.ToList().FindIndex(o => o.Size == 102400) + 1;
        ReplaceData(run, lines => lines.Select((l, i) => i == row - 1 ? l.Replace(",102400,", ",1O24OO,", StringComparison.Ordinal) : l).ToArray());

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.RowInvalid, error.Kind);
        Assert.Equal("Size", error.Column);
        Assert.Equal(row, error.Row);
        Assert.Contains("'1O24OO' is not a size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_date_is_RowInvalid_naming_the_LastModifiedDate_column()
    {
        var run = _bucket.Write(new InventoryOptions());
        ReplaceData(run, lines => [.. lines.Take(6), System.Text.RegularExpressions.Regex.Replace(lines[6], "\"\\d{4}-\\d\\d-\\d\\dT[^\"]*\"", "\"last tuesday\""), .. lines.Skip(7)]);

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.RowInvalid, error.Kind);
        Assert.Equal("LastModifiedDate", error.Column);
        Assert.Equal(7, error.Row);
    }

    [Fact]
    public async Task An_all_versions_inventory_yields_only_current_versions_that_are_not_delete_markers_and_says_so()
    {
        var t = LocalInventory.T0;
        InventoryObject[] versions =
        [
            new("a.txt", 3, "0CC175B9C0F1B6A831C399E269772661", t, "Standard") { VersionId = "v2", IsLatest = true },
            new("a.txt", 2, "92EB5FFEE6AE2FEC3AD71C777531578F", t.AddDays(-1), "Standard") { VersionId = "v1", IsLatest = false },
            new("deleted.txt", 0, "", t, "") { VersionId = "v9", IsLatest = true, IsDeleteMarker = true },
            new("deleted.txt", 5, "4A8A08F09D37B73795649038408B5F33", t.AddDays(-2), "IA") { VersionId = "v8", IsLatest = false },
            new("only version.txt", 7, "8277E0910D750195B448797616E091AD", t, "IA") { VersionId = "", IsLatest = true },
        ];
        var run = _bucket.Write(new InventoryOptions { AllVersions = true, Quoting = InventoryQuoting.S3, ManifestStyle = InventoryManifestStyle.S3 }, versions);
        var counters = new InventoryReadCounters();

        var manifest = await _bucket.ManifestAsync(run);
        var rows = await _bucket.ReadRowsAsync(manifest, new InventoryReadOptions { Counters = counters });

        Assert.True(manifest.IsAllVersions);
        Assert.Equal(["a.txt", "only version.txt"], rows.Select(r => r.Key));
        Assert.Equal([3L, 7L], rows.Select(r => r.Size));
        Assert.True(counters.KeptOnlyCurrentVersions);
        Assert.Equal(5, counters.RowsRead);
        Assert.Equal(2, counters.RowsReturned);
        Assert.Equal(3, counters.NonCurrentRowsSkipped);
    }

    [Fact]
    public async Task Counters_report_rows_files_and_compressed_bytes_once_the_read_completes()
    {
        var objects = Enumerable.Range(0, 10_000).Select(i => new InventoryObject($"k/{i:D6}", i, $"{i:X32}", LocalInventory.T0)).ToList();
        var run = _bucket.Write(new InventoryOptions { FilesCount = 3 }, objects);
        var counters = new InventoryReadCounters();

        var rows = await _bucket.ReadRowsAsync(await _bucket.ManifestAsync(run), new InventoryReadOptions { Counters = counters, BufferSize = 4096 });

        Assert.Equal(10_000, rows.Count);
        Assert.Equal(10_000, counters.RowsRead);
        Assert.Equal(10_000, counters.RowsReturned);
        Assert.Equal(3, counters.FilesRead);
        Assert.Equal(run.DataFiles.Sum(f => f.Size), counters.CompressedBytesRead);
        Assert.False(counters.KeptOnlyCurrentVersions);
    }

    [Fact]
    public async Task A_subset_of_data_files_reads_only_their_rows()
    {
        var run = _bucket.Write(new InventoryOptions { FilesCount = 3 });
        var manifest = await _bucket.ManifestAsync(run);

        var rows = await _bucket.ReadRowsAsync(manifest, new InventoryReadOptions { Files = [manifest.Files[2]] });

        Assert.Equal(run.DataFiles[2].Rows, rows.Count);
        Assert.Equal(run.Objects.TakeLast(run.DataFiles[2].Rows).Select(o => o.Key), rows.Select(r => r.Key));
    }

    [Fact]
    public async Task Reading_rows_never_lists_the_bucket_data_files_come_from_the_manifest()
    {
        var run = _bucket.Write(new InventoryOptions { FilesCount = 2 });
        var manifest = await _bucket.ManifestAsync(run);
        var reader = new InventoryReader(new NoListingStore(_bucket.Store));

        var count = 0;
        await foreach (var _ in reader.ReadRowsAsync(manifest, null, CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(run.Objects.Count, count);
    }

    [Fact]
    public async Task Reading_a_manifest_that_lacks_a_required_column_fails_before_any_row()
    {
        var run = _bucket.Write(new InventoryOptions { DropColumn = "StorageClass" });

        var error = await ReadFailsAsync(run);

        Assert.Equal(InventoryErrorKind.Unusable, error.Kind);
        Assert.Contains("StorageClass", error.Message, StringComparison.Ordinal);
    }

    private async Task<InventoryException> ReadFailsAsync(InventoryRun run)
    {
        var manifest = await _bucket.ManifestAsync(run);
        var error = await Assert.ThrowsAsync<InventoryException>(() => _bucket.ReadRowsAsync(manifest));
        // the scan's path (sort records, files on parallel lanes) fails the same way
        var scanError = await Assert.ThrowsAsync<InventoryException>(() => _bucket.ReadSortRecordBatchesAsync(manifest, lanes: 2));
        Assert.Equal((error.Kind, error.Key, error.Row, error.Column, error.Message), (scanError.Kind, scanError.Key, scanError.Row, scanError.Column, scanError.Message));
        return error;
    }

    /// <summary>Rewrites a run's first data file through <paramref name="edit"/> of its lines and fixes the manifest to match.</summary>
    private void ReplaceData(InventoryRun run, Func<string[], string[]> edit)
    {
        var path = Path.Combine(_bucket.Root, run.DataFiles[0].Key);
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(File.ReadAllBytes(path)), System.IO.Compression.CompressionMode.Decompress);
        using var text = new StreamReader(gzip);
        var lines = text.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var bytes = InventoryWriter.Gzip(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", edit(lines)) + "\n"));
        File.WriteAllBytes(path, bytes);
        var md5 = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(bytes));
        var json = run.ManifestJson.Replace(run.DataFiles[0].Md5, md5, StringComparison.Ordinal)
            .Replace($"\"size\": {run.DataFiles[0].Size}", $"\"size\": {bytes.Length}", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_bucket.Root, run.ManifestKey), json);
        File.WriteAllText(Path.Combine(_bucket.Root, run.ChecksumKey), Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(json))));
    }

    /// <summary>A store whose listing fails: proves a reader never lists.</summary>
    private sealed class NoListingStore(IBlobStore inner) : IBlobStore
    {
        public string Location => inner.Location;
        public Task PutAsync(string name, Stream content, CancellationToken cancellationToken) => inner.PutAsync(name, content, cancellationToken);
        public Task<Stream> GetAsync(string name, long offset, long? length, CancellationToken cancellationToken) => inner.GetAsync(name, offset, length, cancellationToken);
        public Task<long?> GetSizeAsync(string name, CancellationToken cancellationToken) => inner.GetSizeAsync(name, cancellationToken);
        public IAsyncEnumerable<StoredFile> ListAsync(string prefix, CancellationToken cancellationToken) => throw new InvalidOperationException($"listed '{prefix}'");
        public Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);
    }
}
