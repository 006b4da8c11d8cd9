using OssBackup.Engine.Inventory;
using OssBackup.Engine.Storage;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>
/// The whole inventory path on the test S3 server: the TestKit lists a seeded bucket and writes its inventory into
/// another bucket; the product finds, validates and reads it through <see cref="S3BlobStore"/>.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class InventoryS3Tests(S3TestServer server)
{
    [S3Theory]
    [InlineData(InventoryManifestStyle.Oss, InventoryQuoting.OssNew)]
    [InlineData(InventoryManifestStyle.S3, InventoryQuoting.S3)]
    public async Task An_inventory_written_next_to_a_bucket_lists_exactly_its_objects_with_sizes_and_etags(InventoryManifestStyle style, InventoryQuoting quoting)
    {
        var source = await server.CreateBucketAsync("invsource");
        var destination = await server.CreateBucketAsync("invdest");
        using var s3 = new TestS3(server.Endpoint, server.Credentials.AccessKeyId, server.Credentials.SecretAccessKey);
        foreach (var key in TestS3.AwkwardKeys.Append("exports/a,b,c.csv").Append("literal %20 and %2F.txt"))
        {
            s3.PutText(source, key, key.EndsWith('/') ? "" : $"content of {key}");
        }
        var options = new InventoryOptions { DestinationBucket = destination, DestinationPrefix = "inv", InventoryId = "daily", ManifestStyle = style, Quoting = quoting, FilesCount = 2 };
        var run = new InventoryWriter(s3).WriteBucket(source, options);
        using var client = server.NewClient();
        var reader = new InventoryReader(new S3BlobStore(client, destination));
        var location = new InventoryLocation(destination, "inv", source, "daily");

        var selection = await reader.SelectAsync(location, TimeSpan.FromDays(1), DateTimeOffset.UtcNow, null, CancellationToken.None);
        var rows = new List<InventoryRow>();
        await foreach (var row in reader.ReadRowsAsync(selection.Manifest, null, CancellationToken.None))
        {
            rows.Add(row);
        }

        var listed = new List<(string Key, long Size, string ETag)>();
        await foreach (var o in server.OpenBucket(source).ListAsync("", CancellationToken.None))
        {
            listed.Add((o.Key, o.Size, o.ETag));
        }
        Assert.Equal(run.RunFolder, selection.Manifest.RunFolder);
        Assert.Equal(listed.Order(), rows.Select(r => (r.Key, r.Size, r.ETag.ToLowerInvariant())).Order());
    }

    [S3Fact]
    public async Task A_data_file_deleted_from_the_bucket_makes_reading_fail_with_DataFileMissing()
    {
        var destination = await server.CreateBucketAsync("invmissing");
        using var s3 = new TestS3(server.Endpoint, server.Credentials.AccessKeyId, server.Credentials.SecretAccessKey);
        var writer = new InventoryWriter(s3);
        var run = writer.Write("examplebucket", InventoryWriter.AwkwardObjects(DateTime.UtcNow), new InventoryOptions { DestinationBucket = destination, FilesCount = 2 });
        writer.DeleteDataFile(run, 1);
        using var client = server.NewClient();
        var reader = new InventoryReader(new S3BlobStore(client, destination));
        var manifest = await reader.SelectNewestAsync(new InventoryLocation(destination, "", "examplebucket", "daily"), TimeSpan.FromDays(1), DateTimeOffset.UtcNow, null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<InventoryException>(async () =>
        {
            await foreach (var _ in reader.ReadRowsAsync(manifest, null, CancellationToken.None))
            {
            }
        });

        Assert.Equal(InventoryErrorKind.DataFileMissing, error.Kind);
        Assert.Equal(run.DataFiles[1].Key, error.Key);
    }
}
