using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;

namespace OssBackup.Engine.Tests.Catalog;

/// <summary>Drill settings of policies, the drill history, and the atomic claim of a scheduled drill slot.</summary>
public sealed class DrillCatalogTests : IDisposable
{
    private static readonly DateTimeOffset Slot = new(2030, 3, 1, 2, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new("drill-catalog");
    private readonly string _path;
    private readonly BackupCatalog _catalog;

    public DrillCatalogTests()
    {
        _path = _folder.Combine("catalog.db");
        _catalog = BackupCatalog.Open(_path);
        _catalog.AddVault(new BackupVault { Name = "main", Location = "/backups/main", VaultId = "0123456789abcdef0123456789abcdef", CreatedAt = DateTimeOffset.UtcNow });
        _catalog.AddPlan(new BackupPlan { Name = "Nightly", SourceBucket = "photos", Endpoint = "https://s3.example", Vault = "main", CreatedAt = DateTimeOffset.UtcNow });
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public void A_policy_reads_back_with_its_drill_interval_and_sample()
    {
        _catalog.AddPolicy(Policy("weekly-drills", drillInterval: TimeSpan.FromDays(7), sampleSize: 250));
        _catalog.AddPolicy(Policy("percent-drills", drillInterval: TimeSpan.FromHours(6), samplePercent: 2.5));
        _catalog.AddPolicy(Policy("no-drills"));

        var weekly = _catalog.GetPolicy("weekly-drills");
        var percent = _catalog.GetPolicy("percent-drills");
        var none = _catalog.GetPolicy("no-drills");

        Assert.Equal((TimeSpan.FromDays(7), 250, (double?)null), (weekly.DrillInterval, weekly.DrillSampleSize, weekly.DrillSamplePercent));
        Assert.Equal((TimeSpan.FromHours(6), (int?)null, 2.5), (percent.DrillInterval, percent.DrillSampleSize, percent.DrillSamplePercent));
        Assert.Equal(((TimeSpan?)null, (int?)null, (double?)null), (none.DrillInterval, none.DrillSampleSize, none.DrillSamplePercent));
    }

    [Fact]
    public void Updating_a_policy_turns_its_drills_on_and_off()
    {
        _catalog.AddPolicy(Policy("p"));
        var policy = _catalog.GetPolicy("p");

        policy.DrillInterval = TimeSpan.FromDays(1);
        policy.DrillSamplePercent = 10;
        _catalog.UpdatePolicy(policy);
        var on = _catalog.GetPolicy("p");
        var onSettings = (on.DrillInterval, on.DrillSamplePercent);
        on.DrillInterval = null;
        on.DrillSamplePercent = null;
        _catalog.UpdatePolicy(on);
        var off = _catalog.GetPolicy("p");

        Assert.Equal(((TimeSpan?)TimeSpan.FromDays(1), (double?)10.0), onSettings);
        Assert.Equal(((TimeSpan?)null, (double?)null), (off.DrillInterval, off.DrillSamplePercent));
    }

    [Fact]
    public void A_finished_drill_reads_back_with_its_counts_and_the_failed_keys_of_its_restore_job()
    {
        var drill = _catalog.StartManualDrill("Nightly", 100, null);
        var restore = _catalog.StartRestoreJob("Nightly", "0011223344556677", "/tmp/drill");
        _catalog.AddJobItem(restore.Id, "b/2.txt", "Failed", "IntegrityCheckFailed", "blob damaged");
        _catalog.AddJobItem(restore.Id, "a/1.txt", "Failed", "VerificationFailed", "chunk 1 differs");
        drill.Status = JobStatus.Failed;
        drill.BackupPointId = "0011223344556677";
        drill.RestoreJobId = restore.Id;
        drill.ObjectsInPoint = 1000;
        drill.SampledObjects = 100;
        drill.PassedObjects = 98;
        drill.FailedObjects = 2;
        drill.VerifiedBytes = 98_000;
        drill.EndTime = drill.StartTime.AddSeconds(42);
        drill.Duration = TimeSpan.FromSeconds(41.5);
        drill.Message = "2 of 100 failed";
        _catalog.UpdateDrill(drill);

        var read = _catalog.GetDrills("nightly").Single();

        Assert.Equal(drill.Id, read.Id);
        Assert.Equal(("Nightly", DrillTrigger.Manual, JobStatus.Failed, "0011223344556677"), (read.Plan, read.Trigger, read.Status, read.BackupPointId));
        Assert.Equal((100, (double?)null), (read.SampleSize ?? 0, read.SamplePercent));
        Assert.Equal((1000L, 100, 98, 2, 98_000L), (read.ObjectsInPoint, read.SampledObjects, read.PassedObjects, read.FailedObjects, read.VerifiedBytes));
        Assert.Equal(TimeSpan.FromSeconds(41.5), read.Duration);
        Assert.Equal(drill.StartTime.AddSeconds(42), read.EndTime);
        Assert.Equal(["b/2.txt", "a/1.txt"], read.FailedKeys);
        Assert.Equal("2 of 100 failed", read.Message);
        Assert.False(read.Passed);
    }

    [Fact]
    public void Drills_are_listed_oldest_first_and_last_gives_the_newest()
    {
        var ids = Enumerable.Range(0, 3).Select(_ => _catalog.StartManualDrill("Nightly", 10, null).Id).ToList();

        Assert.Equal(ids, _catalog.GetDrills("Nightly").Select(d => d.Id));
        Assert.Equal([ids[2]], _catalog.GetDrills(last: 1).Select(d => d.Id));
        Assert.Empty(_catalog.GetDrills("other"));
    }

    [Fact]
    public void A_drill_slot_is_claimed_once_and_stays_claimed_after_the_drill_ends()
    {
        var first = _catalog.ClaimScheduledDrill("Nightly", Slot, 50, null);
        Assert.NotNull(first);
        first.Status = JobStatus.Completed;
        first.EndTime = DateTimeOffset.UtcNow;
        _catalog.UpdateDrill(first);

        var again = _catalog.ClaimScheduledDrill("Nightly", Slot, 50, null);
        var earlier = _catalog.ClaimScheduledDrill("Nightly", Slot.AddDays(-1), 50, null);
        var next = _catalog.ClaimScheduledDrill("Nightly", Slot.AddDays(1), 50, null);

        Assert.Null(again);
        Assert.Null(earlier);
        Assert.NotNull(next);
        Assert.Equal(DrillTrigger.Scheduled, _catalog.GetDrill(first.Id).Trigger);
        Assert.Equal(Slot.AddDays(1), _catalog.GetLastDrillCovered("Nightly"));
    }

    [Fact]
    public void A_running_drill_of_the_plan_makes_a_claim_busy_without_storing_the_slot()
    {
        _catalog.ClaimScheduledDrill("Nightly", Slot, 50, null);

        var busy = Assert.Throws<PlanBusyException>(() => _catalog.ClaimScheduledDrill("Nightly", Slot.AddDays(1), 50, null));

        Assert.Contains("'Nightly'", busy.Message, StringComparison.Ordinal);
        Assert.Equal(Slot, _catalog.GetLastDrillCovered("Nightly"));
    }

    [Fact]
    public void Of_many_schedulers_claiming_the_same_slot_at_once_exactly_one_gets_it()
    {
        var catalogs = Enumerable.Range(0, 8).Select(_ => BackupCatalog.Open(_path)).ToList();
        using var start = new Barrier(catalogs.Count);

        var outcomes = catalogs.AsParallel().WithDegreeOfParallelism(catalogs.Count).Select(catalog =>
        {
            start.SignalAndWait();
            try
            {
                return catalog.ClaimScheduledDrill("Nightly", Slot, 50, null) is null ? "covered" : "claimed";
            }
            catch (PlanBusyException)
            {
                return "busy";
            }
        }).ToList();

        Assert.Single(outcomes, o => o == "claimed");
        Assert.Single(_catalog.GetDrills("Nightly"));
    }

    [Fact]
    public void A_manual_drill_started_after_a_slot_covers_it()
    {
        var manual = _catalog.StartManualDrill("Nightly", 5, null);
        manual.Status = JobStatus.Completed;
        _catalog.UpdateDrill(manual);

        Assert.Null(_catalog.ClaimScheduledDrill("Nightly", manual.StartTime.AddSeconds(-1), 50, null));
        Assert.NotNull(_catalog.ClaimScheduledDrill("Nightly", manual.StartTime.AddMinutes(1), 50, null));
    }

    [Fact]
    public void A_drill_left_running_by_a_dead_process_shows_as_interrupted_and_does_not_block_the_next_slot()
    {
        var drill = _catalog.ClaimScheduledDrill("Nightly", Slot, 50, null)!;
        Sql("UPDATE drills SET process_id = 2147483000 WHERE id = $id", ("$id", drill.Id));

        var reopened = BackupCatalog.Open(_path);
        var read = reopened.GetDrill(drill.Id);
        var next = reopened.ClaimScheduledDrill("Nightly", Slot.AddDays(1), 50, null);

        Assert.Equal(JobStatus.Failed, read.Status);
        Assert.Contains("Interrupted", read.Message, StringComparison.Ordinal);
        Assert.NotNull(next);
    }

    [Fact]
    public void A_catalog_of_the_previous_schema_gains_drills_with_its_policies_left_without_drills()
    {
        var path = _folder.Combine("old.db");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            foreach (var step in CatalogMigrations.Steps.Take(3))
            {
                using var command = connection.CreateCommand();
                command.CommandText = step;
                command.ExecuteNonQuery();
            }
            using var seed = connection.CreateCommand();
            seed.CommandText = """
                INSERT INTO vaults VALUES ('main', '/v', 'id', '2025-01-01T00:00:00.0000000+00:00');
                INSERT INTO policies(name, vault, interval_seconds, start_time, time_zone, created_at)
                VALUES ('old', 'main', 3600, '2025-01-01T00:00:00.0000000+00:00', 'UTC', '2025-01-01T00:00:00.0000000+00:00');
                PRAGMA user_version = 3;
                """;
            seed.ExecuteNonQuery();
        }

        var upgraded = BackupCatalog.Open(path);

        Assert.Equal(CatalogMigrations.Steps.Length, upgraded.SchemaVersion);
        Assert.Null(upgraded.GetPolicy("old").DrillInterval);
        Assert.Empty(upgraded.GetDrills());
    }

    private static BackupPolicy Policy(string name, TimeSpan? drillInterval = null, int? sampleSize = null, double? samplePercent = null) => new()
    {
        Name = name,
        Vault = "main",
        Interval = TimeSpan.FromDays(1),
        StartTime = Slot,
        TimeZone = "UTC",
        CreatedAt = DateTimeOffset.UtcNow,
        DrillInterval = drillInterval,
        DrillSampleSize = sampleSize,
        DrillSamplePercent = samplePercent,
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
