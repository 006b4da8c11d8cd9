using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.EndToEnd;

[Collection(S3Collection.Name)]
public sealed class InventoryBackupTests(S3TestServer server, TestHome home)
{
    [S3Fact]
    public async Task An_incremental_backup_from_a_newer_inventory_reads_only_new_and_changed_objects()
    {
        _ = home;
        using var folder = new TempFolder("inventory-e2e");
        var catalog = BackupCatalog.Open(folder.Combine("catalog.db"));
        var service = new OssBackupService(catalog);
        var source = await server.CreateBucketAsync("invsrc");
        var inventory = await server.CreateBucketAsync("invdst");
        using var s3 = new TestS3(server.Endpoint, server.Credentials.AccessKeyId, server.Credentials.SecretAccessKey, server.Connection.Region);
        s3.Seed(source, 150, 0, 0, seed: 4, prefix: "", parallelism: 8);
        var writer = new InventoryWriter(s3);
        writer.WriteBucket(source, new InventoryOptions { DestinationBucket = inventory, InventoryId = "daily", RunTime = DateTime.UtcNow.AddHours(-2), FilesCount = 3, Shuffle = true });
        await service.NewVaultAsync("v", folder.Combine("vault"), CancellationToken.None);
        await service.NewPlanAsync(new BackupPlan
        {
            Name = "inv",
            SourceBucket = source,
            Endpoint = server.Endpoint,
            Region = server.Connection.Region,
            ForcePathStyle = true,
            Vault = "v",
            InventoryBucket = inventory,
            InventoryId = "daily",
        }, server.Credentials, CancellationToken.None);
        CountingObjectSource? counter = null;
        service.WrapSource = source => counter = new CountingObjectSource(source);

        var full = await service.StartBackupAsync("inv", server.Credentials, NullObserver.Instance, CancellationToken.None);
        var total = s3.ListKeys(source).Count;
        Assert.Equal(total, counter!.Reads);
        Assert.Equal(total, full.BackedUpObjects);

        s3.PutText(source, "small/000/object-00004.txt", "changed", "text/plain");
        s3.PutText(source, "C++ notes/x+y=z.txt", "changed too", "text/plain");
        s3.PutText(source, "new/arrival.txt", "new", "text/plain");
        s3.Delete(source, "small/001/object-00100.txt");
        writer.WriteBucket(source, new InventoryOptions { DestinationBucket = inventory, InventoryId = "daily", RunTime = DateTime.UtcNow.AddHours(-1), FilesCount = 2, Shuffle = true });
        var incremental = await service.StartBackupAsync("inv", server.Credentials, NullObserver.Instance, CancellationToken.None);

        Assert.Equal(JobStatus.Completed, incremental.Status);
        Assert.Equal(["C++ notes/x+y=z.txt", "new/arrival.txt", "small/000/object-00004.txt"], counter.ReadKeys.Order(StringComparer.Ordinal));
        var point = catalog.GetBackupPoint(incremental.BackupPointId!);
        Assert.Equal(1, point.NewObjects);
        Assert.Equal(2, point.ChangedObjects);
        Assert.Equal(1, point.DeletedObjects);
        SqliteConnection.ClearAllPools();
    }
}
