using System.Globalization;

namespace OssBackup.Engine.Catalog;

/// <summary>Restore drills: their history, and the atomic per-plan claim of a scheduled drill slot.</summary>
public sealed partial class BackupCatalog
{
    private const string DrillColumns = """
        id, plan, status, trigger, backup_point_id, restore_job_id, start_time, end_time, sample_size, sample_percent,
        objects_in_point, sampled_objects, passed_objects, failed_objects, verified_bytes, duration_ms, message
        """;

    /// <summary>Records a drill started by hand as Running. Manual drills are never refused: they only read the vault.</summary>
    public BackupTestResult StartManualDrill(string plan, int? sampleSize, double? samplePercent)
    {
        var drill = NewDrill(plan, DrillTrigger.Manual, sampleSize, samplePercent);
        using var connection = Connect();
        drill.Id = Convert.ToInt64(Scalar(connection, InsertDrillSql, DrillInsertParameters(drill, slot: null)), CultureInfo.InvariantCulture);
        return drill;
    }

    /// <summary>
    /// Claims a scheduled drill slot of a plan, atomically: in one BEGIN IMMEDIATE transaction, a slot that
    /// is already covered (by the last claimed slot, or by any drill of the plan started at or after it)
    /// gives null; a drill of the plan still running in a live process throws <see cref="PlanBusyException"/>;
    /// otherwise the slot is stored as the plan's last drill slot and a Running drill is recorded. Two
    /// schedulers therefore never run the same drill slot, whatever their timing.
    /// </summary>
    public BackupTestResult? ClaimScheduledDrill(string plan, DateTimeOffset slot, int? sampleSize, double? samplePercent)
    {
        FailAbandonedDrills();
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var running = Command(connection, "SELECT id, process_id FROM drills WHERE plan = $plan AND status = 'Running'", transaction, [("$plan", plan)]))
        using (var reader = running.ExecuteReader())
        {
            while (reader.Read())
            {
                if (ProcessIsAlive(reader.GetInt32(1)))
                {
                    throw new PlanBusyException($"A restore drill of plan '{plan}' is already running (drill {reader.GetInt64(0)}, process {reader.GetInt32(1)}); skipped.");
                }
            }
        }
        if (LastDrillCovered(connection, transaction, plan) is { } covered && covered >= slot)
        {
            return null;
        }
        using (var store = Command(connection, "UPDATE plans SET last_drill_slot = $slot WHERE name = $plan", transaction, [("$plan", plan), ("$slot", Format(slot))]))
        {
            store.ExecuteNonQuery();
        }
        var drill = NewDrill(plan, DrillTrigger.Scheduled, sampleSize, samplePercent);
        using (var insert = Command(connection, InsertDrillSql, transaction, DrillInsertParameters(drill, slot)))
        {
            drill.Id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        transaction.Commit();
        return drill;
    }

    /// <summary>The latest moment a plan's drill schedule is known to be served: its last claimed slot, or the start of any later drill.</summary>
    public DateTimeOffset? GetLastDrillCovered(string plan)
    {
        using var connection = Connect();
        return LastDrillCovered(connection, null, plan);
    }

    public void UpdateDrill(BackupTestResult drill)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE drills SET status = $status, backup_point_id = $point, restore_job_id = $restore, end_time = $end,
                objects_in_point = $inPoint, sampled_objects = $sampled, passed_objects = $passed, failed_objects = $failed,
                verified_bytes = $bytes, duration_ms = $duration, message = $message
            WHERE id = $id
            """,
            ("$status", drill.Status.ToString()), ("$point", drill.BackupPointId), ("$restore", drill.RestoreJobId),
            ("$end", drill.EndTime is { } end ? Format(end) : null), ("$inPoint", drill.ObjectsInPoint), ("$sampled", drill.SampledObjects),
            ("$passed", drill.PassedObjects), ("$failed", drill.FailedObjects), ("$bytes", drill.VerifiedBytes),
            ("$duration", (long)drill.Duration.TotalMilliseconds), ("$message", drill.Message), ("$id", drill.Id));
    }

    /// <summary>Drills oldest first (the <paramref name="last"/> newest when given), each with the keys that failed.</summary>
    public IReadOnlyList<BackupTestResult> GetDrills(string? plan = null, long? id = null, int? last = null)
    {
        var result = new List<BackupTestResult>();
        using var connection = Connect();
        using (var command = Command(connection, $"""
            SELECT {DrillColumns} FROM drills
            WHERE ($plan IS NULL OR plan = $plan) AND ($id IS NULL OR id = $id)
            ORDER BY id DESC LIMIT $limit
            """, ("$plan", plan), ("$id", id), ("$limit", last ?? -1)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                result.Add(new BackupTestResult
                {
                    Id = reader.GetInt64(0),
                    Plan = reader.GetString(1),
                    Status = Enum.Parse<JobStatus>(reader.GetString(2)),
                    Trigger = Enum.Parse<DrillTrigger>(reader.GetString(3)),
                    BackupPointId = reader.GetString(4),
                    RestoreJobId = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    StartTime = Parse(reader.GetString(6)),
                    EndTime = reader.IsDBNull(7) ? null : Parse(reader.GetString(7)),
                    SampleSize = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                    SamplePercent = reader.IsDBNull(9) ? null : reader.GetDouble(9),
                    ObjectsInPoint = reader.GetInt64(10),
                    SampledObjects = reader.GetInt32(11),
                    PassedObjects = reader.GetInt32(12),
                    FailedObjects = reader.GetInt32(13),
                    VerifiedBytes = reader.GetInt64(14),
                    Duration = TimeSpan.FromMilliseconds(reader.GetInt64(15)),
                    Message = reader.IsDBNull(16) ? null : reader.GetString(16),
                });
            }
        }
        foreach (var drill in result)
        {
            if (drill.RestoreJobId is { } job)
            {
                drill.FailedKeys = [.. GetJobItems(job, "Failed").Select(i => i.Key).Distinct(StringComparer.Ordinal)];
            }
        }
        result.Reverse();
        return result;
    }

    public BackupTestResult GetDrill(long id) =>
        GetDrills(id: id).FirstOrDefault() ?? throw new CatalogNotFoundException($"No restore drill with id {id}. List drills with Get-BackupDrill.");

    /// <summary>A drill still Running whose process is gone was interrupted; it failed to prove anything.</summary>
    private void FailAbandonedDrills()
    {
        using var connection = Connect();
        var abandoned = new List<long>();
        using (var command = Command(connection, "SELECT id, process_id FROM drills WHERE status = 'Running'"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!ProcessIsAlive(reader.GetInt32(1)))
                {
                    abandoned.Add(reader.GetInt64(0));
                }
            }
        }
        foreach (var id in abandoned)
        {
            Execute(connection, "UPDATE drills SET status = 'Failed', end_time = $now, message = 'Interrupted: the process running this drill ended before it finished.' WHERE id = $id",
                ("$now", Now()), ("$id", id));
        }
    }

    private static DateTimeOffset? LastDrillCovered(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction? transaction, string plan)
    {
        DateTimeOffset? covered = null;
        using var command = Command(connection, """
            SELECT last_drill_slot FROM plans WHERE name = $plan
            UNION ALL
            SELECT start_time FROM (SELECT start_time FROM drills WHERE plan = $plan ORDER BY id DESC LIMIT 1)
            """, transaction, [("$plan", plan)]);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0) && Parse(reader.GetString(0)) is var time && (covered is null || time > covered))
            {
                covered = time;
            }
        }
        return covered;
    }

    private static BackupTestResult NewDrill(string plan, DrillTrigger trigger, int? sampleSize, double? samplePercent) => new()
    {
        Plan = plan,
        Status = JobStatus.Running,
        Trigger = trigger,
        StartTime = DateTimeOffset.UtcNow,
        SampleSize = samplePercent is null ? sampleSize : null,
        SamplePercent = samplePercent,
    };

    private const string InsertDrillSql = """
        INSERT INTO drills(plan, status, trigger, slot, start_time, sample_size, sample_percent, process_id)
        VALUES ($plan, 'Running', $trigger, $slot, $start, $size, $percent, $pid) RETURNING id
        """;

    private static (string, object?)[] DrillInsertParameters(BackupTestResult drill, DateTimeOffset? slot) =>
    [
        ("$plan", drill.Plan), ("$trigger", drill.Trigger.ToString()), ("$slot", slot is { } s ? Format(s) : null),
        ("$start", Format(drill.StartTime)), ("$size", drill.SampleSize), ("$percent", drill.SamplePercent), ("$pid", Environment.ProcessId),
    ];
}
