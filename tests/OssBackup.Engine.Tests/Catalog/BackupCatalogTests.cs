using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;

namespace OssBackup.Engine.Tests.Catalog;

public sealed class BackupCatalogTests : IDisposable
{
    private readonly TempFolder _folder = new("catalog");
    private readonly string _path;

    public BackupCatalogTests()
    {
        _path = _folder.Combine("sub", "catalog.db");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public void Opening_a_new_catalog_creates_its_folder_and_the_latest_schema()
    {
        var catalog = BackupCatalog.Open(_path);

        Assert.True(File.Exists(_path));
        Assert.Equal(CatalogMigrations.Steps.Length, catalog.SchemaVersion);
    }

    [Fact]
    public void Opening_a_catalog_again_keeps_its_schema_and_content()
    {
        BackupCatalog.Open(_path).AddVault(Vault("main"));

        var reopened = BackupCatalog.Open(_path);
        var again = BackupCatalog.Open(_path);

        Assert.Equal(CatalogMigrations.Steps.Length, again.SchemaVersion);
        Assert.Equal(["main"], reopened.GetVaults().Select(v => v.Name));
    }

    [Fact]
    public void A_catalog_of_a_newer_schema_is_refused_with_a_message_to_update()
    {
        BackupCatalog.Open(_path);
        Sql($"PRAGMA user_version = {CatalogMigrations.Steps.Length + 1}");

        var error = Assert.Throws<InvalidOperationException>(() => BackupCatalog.Open(_path));

        Assert.Contains("Update the module", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vault_reads_back_as_it_was_added()
    {
        var catalog = BackupCatalog.Open(_path);
        var vault = Vault("main");

        catalog.AddVault(vault);
        var read = catalog.GetVault("main");

        Assert.Equal(vault.Name, read.Name);
        Assert.Equal(vault.Location, read.Location);
        Assert.Equal(vault.VaultId, read.VaultId);
        Assert.Equal(vault.CreatedAt, read.CreatedAt);
    }

    [Fact]
    public void A_plan_reads_back_as_it_was_added_with_its_patterns_and_inventory_settings()
    {
        var catalog = BackupCatalog.Open(_path);
        catalog.AddVault(Vault("main"));
        var plan = Plan("nightly", "main");

        catalog.AddPlan(plan);
        var read = catalog.GetPlan("nightly");

        Assert.Equal(plan.Name, read.Name);
        Assert.Equal(plan.SourceBucket, read.SourceBucket);
        Assert.Equal(plan.SourcePrefix, read.SourcePrefix);
        Assert.Equal(plan.Endpoint, read.Endpoint);
        Assert.Equal(plan.Region, read.Region);
        Assert.True(read.ForcePathStyle);
        Assert.Equal(plan.ProfileName, read.ProfileName);
        Assert.Equal(plan.Vault, read.Vault);
        Assert.Equal(plan.Include, read.Include);
        Assert.Equal(plan.Exclude, read.Exclude);
        Assert.Equal(ScanMethod.Inventory, read.ScanMethod);
        Assert.Equal(plan.InventoryBucket, read.InventoryBucket);
        Assert.Equal(plan.InventoryId, read.InventoryId);
        Assert.Equal(plan.InventoryPrefix, read.InventoryPrefix);
        Assert.Equal(plan.InventoryMaxAge, read.InventoryMaxAge);
        Assert.Equal(InventoryCleanup.DeleteCurrent, read.InventoryCleanup);
        Assert.Equal(plan.CreatedAt, read.CreatedAt);
        Assert.Null(read.LastJobStatus);
        Assert.Null(read.LastBackupTime);
    }

    [Fact]
    public void A_plan_without_patterns_reads_back_with_empty_arrays()
    {
        var catalog = BackupCatalog.Open(_path);
        catalog.AddVault(Vault("main"));

        catalog.AddPlan(Plan("plain", "main", include: [], exclude: []));

        Assert.Empty(catalog.GetPlan("plain").Include);
        Assert.Empty(catalog.GetPlan("plain").Exclude);
    }

    [Fact]
    public void Adding_a_vault_whose_name_exists_in_any_letter_case_is_a_conflict()
    {
        var catalog = BackupCatalog.Open(_path);
        catalog.AddVault(Vault("Main"));

        var error = Assert.Throws<CatalogConflictException>(() => catalog.AddVault(Vault("main")));

        Assert.Contains("'main'", error.Message, StringComparison.Ordinal);
        Assert.Single(catalog.GetVaults());
    }

    [Fact]
    public void Adding_a_plan_whose_name_exists_is_a_conflict()
    {
        var catalog = BackupCatalog.Open(_path);
        catalog.AddVault(Vault("main"));
        catalog.AddPlan(Plan("nightly", "main"));

        var error = Assert.Throws<CatalogConflictException>(() => catalog.AddPlan(Plan("nightly", "main")));

        Assert.Contains("'nightly'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_plan_is_not_found_and_the_message_names_it()
    {
        var catalog = BackupCatalog.Open(_path);

        var error = Assert.Throws<CatalogNotFoundException>(() => catalog.GetPlan("no-such-plan"));

        Assert.Contains("'no-such-plan'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_vault_is_not_found_and_the_message_names_it()
    {
        var catalog = BackupCatalog.Open(_path);

        var error = Assert.Throws<CatalogNotFoundException>(() => catalog.GetVault("no-such-vault"));

        Assert.Contains("'no-such-vault'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_left_running_by_a_process_that_no_longer_exists_shows_as_failed_and_interrupted_after_reopening()
    {
        var catalog = BackupCatalog.Open(_path);
        var job = catalog.StartBackupJob("nightly", BackupMode.Full, ScanMethod.Traversal);
        Sql("UPDATE jobs SET process_id = 2147483000 WHERE id = $id", ("$id", job.Id));

        var read = BackupCatalog.Open(_path).GetBackupJobs(id: job.Id).Single();

        Assert.Equal(JobStatus.Failed, read.Status);
        Assert.Contains("Interrupted", read.Message, StringComparison.Ordinal);
        Assert.NotNull(read.EndTime);
    }

    [Fact]
    public void A_job_running_in_this_process_stays_running_after_reopening()
    {
        var catalog = BackupCatalog.Open(_path);
        var job = catalog.StartBackupJob("nightly", BackupMode.Incremental, ScanMethod.Traversal);

        var read = BackupCatalog.Open(_path).GetBackupJobs(id: job.Id).Single();

        Assert.Equal(JobStatus.Running, read.Status);
        Assert.Equal(BackupMode.Incremental, read.Mode);
        Assert.Null(read.Message);
    }

    [Fact]
    public void A_finished_job_reads_back_with_its_counts()
    {
        var catalog = BackupCatalog.Open(_path);
        var job = catalog.StartBackupJob("nightly", BackupMode.Full, ScanMethod.Traversal);
        job.Status = JobStatus.PartiallyCompleted;
        job.EndTime = job.StartTime.AddMinutes(3);
        job.ScannedObjects = 10;
        job.ScannedBytes = 1000;
        job.BackedUpObjects = 7;
        job.BackedUpBytes = 700;
        job.UnchangedObjects = 2;
        job.FailedObjects = 1;
        job.ChangedSinceScanObjects = 3;
        job.GoneSinceScanObjects = 4;
        job.WrittenBytes = 650;
        job.BackupPointId = "0011223344556677";
        job.Message = "1 object failed";
        catalog.UpdateBackupJob(job);

        var read = catalog.GetBackupJobs(plan: "nightly").Single();

        Assert.Equal(JobStatus.PartiallyCompleted, read.Status);
        Assert.Equal(TimeSpan.FromMinutes(3), read.Duration);
        Assert.Equal((10, 1000, 7, 700, 2, 1, 3, 4, 650), (read.ScannedObjects, read.ScannedBytes, read.BackedUpObjects, read.BackedUpBytes,
            read.UnchangedObjects, read.FailedObjects, read.ChangedSinceScanObjects, read.GoneSinceScanObjects, read.WrittenBytes));
        Assert.Equal("0011223344556677", read.BackupPointId);
        Assert.Equal("1 object failed", read.Message);
    }

    [Fact]
    public void Backup_points_of_a_plan_are_listed_oldest_first_and_the_plan_shows_the_latest_time()
    {
        var catalog = BackupCatalog.Open(_path);
        catalog.AddVault(Vault("main"));
        catalog.AddPlan(Plan("nightly", "main"));
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var day in new[] { 2, 0, 1 })
        {
            catalog.AddBackupPoint(new BackupPoint { Id = $"point{day}", Plan = "nightly", Vault = "main", CreatedAt = start.AddDays(day), SourceBucket = "photos", ObjectCount = day });
        }

        Assert.Equal(["point0", "point1", "point2"], catalog.GetBackupPoints(plan: "nightly").Select(p => p.Id));
        Assert.Equal(["point2"], catalog.GetBackupPoints(plan: "nightly", last: 1).Select(p => p.Id));
        Assert.Equal(start.AddDays(2), catalog.GetPlan("nightly").LastBackupTime);
    }

    [Fact]
    public void An_unknown_backup_point_is_not_found_and_the_message_names_it()
    {
        var catalog = BackupCatalog.Open(_path);

        var error = Assert.Throws<CatalogNotFoundException>(() => catalog.GetBackupPoint("feedfacecafebeef"));

        Assert.Contains("'feedfacecafebeef'", error.Message, StringComparison.Ordinal);
    }

    private static BackupVault Vault(string name) => new()
    {
        Name = name,
        Location = $"/backups/{name} vault",
        VaultId = "0123456789abcdef0123456789abcdef",
        CreatedAt = new DateTimeOffset(2025, 11, 24, 9, 8, 7, 654, TimeSpan.Zero),
    };

    private static BackupPlan Plan(string name, string vault, string[]? include = null, string[]? exclude = null) => new()
    {
        Name = name,
        SourceBucket = "family-photos",
        SourcePrefix = "2025/",
        Endpoint = "https://oss-cn-hangzhou.aliyuncs.com",
        Region = "cn-hangzhou",
        ForcePathStyle = true,
        ProfileName = "backup-reader",
        Vault = vault,
        Include = include ?? [@"^2025/.*\.jpg$", "日本"],
        Exclude = exclude ?? [@"\.tmp$", "\"quoted\""],
        InventoryBucket = "family-photos-inventory",
        InventoryId = "daily-rule",
        InventoryPrefix = "inventories",
        InventoryMaxAge = TimeSpan.FromHours(36),
        InventoryCleanup = InventoryCleanup.DeleteCurrent,
        CreatedAt = new DateTimeOffset(2025, 11, 24, 10, 0, 0, TimeSpan.FromHours(8)),
    };

    private void Sql(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        command.ExecuteNonQuery();
    }
}
