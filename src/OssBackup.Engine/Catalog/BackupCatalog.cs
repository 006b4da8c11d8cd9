using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OssBackup.Engine.Catalog;

/// <summary>
/// The local SQLite catalog: vault registrations, plans, jobs and a cache of backup points. Everything
/// about data lives in the vault; this is bookkeeping. One connection per call keeps it safe to use from
/// several processes (WAL mode, busy timeout).
/// </summary>
public sealed partial class BackupCatalog
{
    private readonly string _connectionString;

    private BackupCatalog(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString();
    }

    public string Path { get; }

    public static BackupCatalog Open(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var catalog = new BackupCatalog(path);
        catalog.Migrate();
        catalog.FailAbandonedJobs();
        catalog.FailAbandonedDrills();
        return catalog;
    }

    public int SchemaVersion
    {
        get
        {
            using var connection = Connect();
            return Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        }
    }

    private void Migrate()
    {
        using var connection = Connect();
        Execute(connection, "PRAGMA journal_mode = WAL");
        using var transaction = connection.BeginTransaction();
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version", transaction: transaction), CultureInfo.InvariantCulture);
        if (version > CatalogMigrations.Steps.Length)
        {
            throw new InvalidOperationException($"The catalog at '{Path}' has schema version {version}, newer than this OssBackup knows ({CatalogMigrations.Steps.Length}). Update the module.");
        }
        for (var step = version; step < CatalogMigrations.Steps.Length; step++)
        {
            Execute(connection, CatalogMigrations.Steps[step], transaction: transaction);
            Execute(connection, $"PRAGMA user_version = {step + 1}", transaction: transaction);
        }
        transaction.Commit();
    }

    /// <summary>A job still Running whose process is gone was interrupted; say so instead of showing it Running forever.</summary>
    private void FailAbandonedJobs()
    {
        using var connection = Connect();
        var abandoned = new List<long>();
        using (var command = Command(connection, "SELECT id, process_id FROM jobs WHERE status = 'Running'"))
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
            Execute(connection, "UPDATE jobs SET status = 'Failed', end_time = $now, message = 'Interrupted: the process running this job ended before it finished.' WHERE id = $id",
                ("$now", Now()), ("$id", id));
        }
    }

    private static bool ProcessIsAlive(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // ---- vaults ----

    public void AddVault(BackupVault vault)
    {
        using var connection = Connect();
        try
        {
            Execute(connection, "INSERT INTO vaults(name, location, vault_id, created_at) VALUES ($name, $location, $id, $created)",
                ("$name", vault.Name), ("$location", vault.Location), ("$id", vault.VaultId), ("$created", Format(vault.CreatedAt)));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new CatalogConflictException($"A vault named '{vault.Name}' already exists.");
        }
    }

    public IReadOnlyList<BackupVault> GetVaults(string? name = null)
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT name, location, vault_id, created_at FROM vaults WHERE $name IS NULL OR name = $name ORDER BY name", ("$name", name));
        using var reader = command.ExecuteReader();
        var result = new List<BackupVault>();
        while (reader.Read())
        {
            result.Add(new BackupVault { Name = reader.GetString(0), Location = reader.GetString(1), VaultId = reader.GetString(2), CreatedAt = Parse(reader.GetString(3)) });
        }
        return result;
    }

    public BackupVault GetVault(string name) =>
        GetVaults(name).FirstOrDefault() ?? throw new CatalogNotFoundException($"No vault named '{name}'. List vaults with Get-BackupVault, or create one with New-BackupVault.");

    // ---- plans ----

    public void AddPlan(BackupPlan plan)
    {
        using var connection = Connect();
        try
        {
            Execute(connection, """
                INSERT INTO plans(name, source_bucket, source_prefix, endpoint, region, force_path_style, profile_name, vault, include_json, exclude_json, scan_method, created_at,
                                  inventory_bucket, inventory_id, inventory_prefix, inventory_max_age_seconds, inventory_cleanup, policy, suspended)
                VALUES ($name, $bucket, $prefix, $endpoint, $region, $pathStyle, $profile, $vault, $include, $exclude, $scan, $created,
                        $invBucket, $invId, $invPrefix, $invMaxAge, $invCleanup, $policy, $suspended)
                """,
                ("$name", plan.Name), ("$bucket", plan.SourceBucket), ("$prefix", plan.SourcePrefix), ("$endpoint", plan.Endpoint),
                ("$region", plan.Region), ("$pathStyle", plan.ForcePathStyle ? 1 : 0), ("$profile", plan.ProfileName), ("$vault", plan.Vault),
                ("$include", JsonSerializer.Serialize(plan.Include)), ("$exclude", JsonSerializer.Serialize(plan.Exclude)),
                ("$scan", plan.ScanMethod.ToString()), ("$created", Format(plan.CreatedAt)),
                ("$invBucket", plan.InventoryBucket), ("$invId", plan.InventoryId), ("$invPrefix", plan.InventoryPrefix),
                ("$invMaxAge", (long)plan.InventoryMaxAge.TotalSeconds), ("$invCleanup", plan.InventoryCleanup.ToString()),
                ("$policy", plan.Policy), ("$suspended", plan.Suspended ? 1 : 0));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new CatalogConflictException($"A plan named '{plan.Name}' already exists.");
        }
    }

    public IReadOnlyList<BackupPlan> GetPlans(string? name = null)
    {
        using var connection = Connect();
        using var command = Command(connection, """
            SELECT p.name, p.source_bucket, p.source_prefix, p.endpoint, p.region, p.force_path_style, p.profile_name, p.vault,
                   p.include_json, p.exclude_json, p.scan_method, p.created_at,
                   (SELECT j.status FROM jobs j WHERE j.plan = p.name AND j.kind = 'Backup' ORDER BY j.id DESC LIMIT 1),
                   (SELECT MAX(b.created_at) FROM backup_points b WHERE b.plan = p.name),
                   p.inventory_bucket, p.inventory_id, p.inventory_prefix, p.inventory_max_age_seconds, p.inventory_cleanup,
                   p.policy, p.suspended
            FROM plans p WHERE $name IS NULL OR p.name = $name ORDER BY p.name
            """, ("$name", name));
        using var reader = command.ExecuteReader();
        var result = new List<BackupPlan>();
        while (reader.Read())
        {
            result.Add(new BackupPlan
            {
                Name = reader.GetString(0),
                SourceBucket = reader.GetString(1),
                SourcePrefix = reader.GetString(2),
                Endpoint = reader.GetString(3),
                Region = reader.GetString(4),
                ForcePathStyle = reader.GetInt32(5) != 0,
                ProfileName = reader.GetString(6),
                Vault = reader.GetString(7),
                Include = JsonSerializer.Deserialize<string[]>(reader.GetString(8)) ?? [],
                Exclude = JsonSerializer.Deserialize<string[]>(reader.GetString(9)) ?? [],
                CreatedAt = Parse(reader.GetString(11)),
                LastJobStatus = reader.IsDBNull(12) ? null : Enum.Parse<JobStatus>(reader.GetString(12)),
                LastBackupTime = reader.IsDBNull(13) ? null : Parse(reader.GetString(13)),
                InventoryBucket = reader.GetString(14),
                InventoryId = reader.GetString(15),
                InventoryPrefix = reader.GetString(16),
                InventoryMaxAge = TimeSpan.FromSeconds(reader.GetInt64(17)),
                InventoryCleanup = Enum.Parse<InventoryCleanup>(reader.GetString(18)),
                Policy = reader.GetString(19),
                Suspended = reader.GetInt32(20) != 0,
            });
        }
        return result;
    }

    public BackupPlan GetPlan(string name) =>
        GetPlans(name).FirstOrDefault() ?? throw new CatalogNotFoundException($"No backup plan named '{name}'. List plans with Get-BackupPlan, or create one with New-BackupPlan.");

    // ---- jobs ----

    /// <summary>
    /// Records a new Running job, atomically refusing when the plan already has one in a live process,
    /// so two schedulers (or a scheduler and a person) never back up the same plan at once.
    /// </summary>
    public BackupJob StartBackupJob(string plan, BackupMode mode, ScanMethod scanMethod)
    {
        FailAbandonedJobs();
        var job = new BackupJob { Plan = plan, Status = JobStatus.Running, Mode = mode, ScanMethod = scanMethod, StartTime = DateTimeOffset.UtcNow };
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var check = Command(connection, "SELECT id, process_id FROM jobs WHERE kind = 'Backup' AND plan = $plan AND status = 'Running'", transaction, [("$plan", plan)]))
        using (var reader = check.ExecuteReader())
        {
            while (reader.Read())
            {
                if (ProcessIsAlive(reader.GetInt32(1)))
                {
                    throw new PlanBusyException($"Plan '{plan}' is already being backed up by job {reader.GetInt64(0)} (process {reader.GetInt32(1)}); skipped.");
                }
            }
        }
        using (var insert = Command(connection, """
            INSERT INTO jobs(kind, plan, status, mode, scan_method, start_time, process_id)
            VALUES ('Backup', $plan, 'Running', $mode, $scan, $start, $pid) RETURNING id
            """, transaction, [("$plan", plan), ("$mode", mode.ToString()), ("$scan", scanMethod.ToString()), ("$start", Format(job.StartTime)), ("$pid", Environment.ProcessId)]))
        {
            job.Id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        transaction.Commit();
        return job;
    }

    public void UpdateBackupJob(BackupJob job)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE jobs SET status = $status, mode = $mode, end_time = $end, scanned_objects = $so, scanned_bytes = $sb,
                backed_up_objects = $bo, backed_up_bytes = $bb, unchanged_objects = $uo, skipped_objects = $sk,
                failed_objects = $fo, changed_since_scan = $cs, gone_since_scan = $gs, written_bytes = $wb, inventory = $inventory, skipped_by_reason = $skippedBy, bytes_per_second = $bps, backup_point_id = $point, message = $message
            WHERE id = $id
            """,
            ("$status", job.Status.ToString()), ("$mode", job.Mode.ToString()), ("$end", job.EndTime is { } e ? Format(e) : null),
            ("$so", job.ScannedObjects), ("$sb", job.ScannedBytes), ("$bo", job.BackedUpObjects), ("$bb", job.BackedUpBytes),
            ("$uo", job.UnchangedObjects), ("$sk", job.SkippedObjects), ("$fo", job.FailedObjects), ("$cs", job.ChangedSinceScanObjects), ("$gs", job.GoneSinceScanObjects), ("$wb", job.WrittenBytes),
            ("$inventory", job.Inventory), ("$skippedBy", JsonSerializer.Serialize(job.SkippedByReason)),
            ("$bps", job.BytesPerSecond), ("$point", job.BackupPointId), ("$message", job.Message), ("$id", job.Id));
    }

    public IReadOnlyList<BackupJob> GetBackupJobs(string? plan = null, long? id = null, int? last = null)
    {
        using var connection = Connect();
        using var command = Command(connection, """
            SELECT id, plan, status, mode, scan_method, start_time, end_time, scanned_objects, scanned_bytes, backed_up_objects, backed_up_bytes,
                   unchanged_objects, skipped_objects, failed_objects, written_bytes, bytes_per_second, backup_point_id, message,
                   changed_since_scan, gone_since_scan, inventory, skipped_by_reason
            FROM jobs WHERE kind = 'Backup' AND ($plan IS NULL OR plan = $plan) AND ($id IS NULL OR id = $id)
            ORDER BY id DESC LIMIT $limit
            """, ("$plan", plan), ("$id", id), ("$limit", last ?? -1));
        using var reader = command.ExecuteReader();
        var result = new List<BackupJob>();
        while (reader.Read())
        {
            result.Add(new BackupJob
            {
                Id = reader.GetInt64(0),
                Plan = reader.GetString(1),
                Status = Enum.Parse<JobStatus>(reader.GetString(2)),
                Mode = Enum.Parse<BackupMode>(reader.GetString(3)),
                ScanMethod = Enum.Parse<ScanMethod>(reader.GetString(4)),
                StartTime = Parse(reader.GetString(5)),
                EndTime = reader.IsDBNull(6) ? null : Parse(reader.GetString(6)),
                ScannedObjects = reader.GetInt64(7),
                ScannedBytes = reader.GetInt64(8),
                BackedUpObjects = reader.GetInt64(9),
                BackedUpBytes = reader.GetInt64(10),
                UnchangedObjects = reader.GetInt64(11),
                SkippedObjects = reader.GetInt64(12),
                FailedObjects = reader.GetInt64(13),
                WrittenBytes = reader.GetInt64(14),
                BytesPerSecond = reader.GetDouble(15),
                BackupPointId = reader.IsDBNull(16) ? null : reader.GetString(16),
                Message = reader.IsDBNull(17) ? null : reader.GetString(17),
                ChangedSinceScanObjects = reader.GetInt64(18),
                GoneSinceScanObjects = reader.GetInt64(19),
                Inventory = reader.IsDBNull(20) ? null : reader.GetString(20),
                SkippedByReason = new Dictionary<string, long>(JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(21)) ?? [], StringComparer.OrdinalIgnoreCase),
            });
        }
        result.Reverse();
        return result;
    }

    public RestoreJob StartRestoreJob(string plan, string pointId, string target)
    {
        var job = new RestoreJob { BackupPointId = pointId, Target = target, Status = JobStatus.Running, StartTime = DateTimeOffset.UtcNow };
        using var connection = Connect();
        job.Id = Convert.ToInt64(Scalar(connection, """
            INSERT INTO jobs(kind, plan, status, mode, scan_method, start_time, backup_point_id, target, process_id)
            VALUES ('Restore', $plan, 'Running', 'Full', 'Traversal', $start, $point, $target, $pid) RETURNING id
            """, ("$plan", plan), ("$start", Format(job.StartTime)), ("$point", pointId), ("$target", target), ("$pid", Environment.ProcessId)), CultureInfo.InvariantCulture);
        return job;
    }

    public void UpdateRestoreJob(RestoreJob job)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE jobs SET status = $status, end_time = $end, backed_up_objects = $ro, backed_up_bytes = $rb,
                skipped_objects = $sk, failed_objects = $fo, deleted_objects = $do, bytes_per_second = $bps, message = $message WHERE id = $id
            """,
            ("$status", job.Status.ToString()), ("$end", job.EndTime is { } e ? Format(e) : null), ("$ro", job.RestoredObjects),
            ("$rb", job.RestoredBytes), ("$sk", job.SkippedObjects), ("$fo", job.FailedObjects), ("$do", job.DeletedObjects), ("$bps", job.BytesPerSecond),
            ("$message", job.Message), ("$id", job.Id));
    }

    public IReadOnlyList<RestoreJob> GetRestoreJobs(long? id = null, int? last = null)
    {
        using var connection = Connect();
        using var command = Command(connection, """
            SELECT id, backup_point_id, target, status, start_time, end_time, backed_up_objects, backed_up_bytes, skipped_objects, failed_objects, bytes_per_second, message, deleted_objects
            FROM jobs WHERE kind = 'Restore' AND ($id IS NULL OR id = $id) ORDER BY id DESC LIMIT $limit
            """, ("$id", id), ("$limit", last ?? -1));
        using var reader = command.ExecuteReader();
        var result = new List<RestoreJob>();
        while (reader.Read())
        {
            result.Add(new RestoreJob
            {
                Id = reader.GetInt64(0),
                BackupPointId = reader.GetString(1),
                Target = reader.GetString(2),
                Status = Enum.Parse<JobStatus>(reader.GetString(3)),
                StartTime = Parse(reader.GetString(4)),
                EndTime = reader.IsDBNull(5) ? null : Parse(reader.GetString(5)),
                RestoredObjects = reader.GetInt64(6),
                RestoredBytes = reader.GetInt64(7),
                SkippedObjects = reader.GetInt64(8),
                FailedObjects = reader.GetInt64(9),
                BytesPerSecond = reader.GetDouble(10),
                Message = reader.IsDBNull(11) ? null : reader.GetString(11),
                DeletedObjects = reader.GetInt64(12),
            });
        }
        result.Reverse();
        return result;
    }

    public void AddJobItem(long jobId, string key, string outcome, string code, string message)
    {
        using var connection = Connect();
        Execute(connection, "INSERT INTO job_items(job_id, key, outcome, code, message) VALUES ($job, $key, $outcome, $code, $message)",
            ("$job", jobId), ("$key", key), ("$outcome", outcome), ("$code", code), ("$message", message));
    }

    // ---- backup points ----

    public void AddBackupPoint(BackupPoint point)
    {
        using var connection = Connect();
        Execute(connection, """
            INSERT OR REPLACE INTO backup_points(vault, id, plan, created_at, source_bucket, source_prefix, object_count, total_bytes, new_objects, changed_objects, deleted_objects, job_id)
            VALUES ($vault, $id, $plan, $created, $bucket, $prefix, $count, $bytes, $new, $changed, $deleted, $job)
            """,
            ("$vault", point.Vault), ("$id", point.Id), ("$plan", point.Plan), ("$created", Format(point.CreatedAt)),
            ("$bucket", point.SourceBucket), ("$prefix", point.SourcePrefix), ("$count", point.ObjectCount), ("$bytes", point.TotalBytes),
            ("$new", point.NewObjects), ("$changed", point.ChangedObjects), ("$deleted", point.DeletedObjects), ("$job", point.JobId));
    }

    public IReadOnlyList<BackupPoint> GetBackupPoints(string? plan = null, string? id = null, int? last = null)
    {
        using var connection = Connect();
        using var command = Command(connection, """
            SELECT vault, id, plan, created_at, source_bucket, source_prefix, object_count, total_bytes, new_objects, changed_objects, deleted_objects, job_id
            FROM backup_points WHERE ($plan IS NULL OR plan = $plan) AND ($id IS NULL OR id = $id)
            ORDER BY created_at DESC LIMIT $limit
            """, ("$plan", plan), ("$id", id), ("$limit", last ?? -1));
        using var reader = command.ExecuteReader();
        var result = new List<BackupPoint>();
        while (reader.Read())
        {
            result.Add(new BackupPoint
            {
                Vault = reader.GetString(0),
                Id = reader.GetString(1),
                Plan = reader.GetString(2),
                CreatedAt = Parse(reader.GetString(3)),
                SourceBucket = reader.GetString(4),
                SourcePrefix = reader.GetString(5),
                ObjectCount = reader.GetInt64(6),
                TotalBytes = reader.GetInt64(7),
                NewObjects = reader.GetInt64(8),
                ChangedObjects = reader.GetInt64(9),
                DeletedObjects = reader.GetInt64(10),
                JobId = reader.IsDBNull(11) ? null : reader.GetInt64(11),
            });
        }
        result.Reverse();
        return result;
    }

    public BackupPoint GetBackupPoint(string id) =>
        GetBackupPoints(id: id).FirstOrDefault() ?? throw new CatalogNotFoundException($"No backup point with id '{id}'. List points with Get-BackupHistory -Plan <name>.");

    // ---- plumbing ----

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;");
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Command(connection, sql, null, parameters);

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, null, parameters);
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction transaction)
    {
        using var command = Command(connection, sql, transaction, []);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, null, parameters);
        return command.ExecuteScalar();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction transaction)
    {
        using var command = Command(connection, sql, transaction, []);
        return command.ExecuteScalar();
    }

    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string Now() => Format(DateTimeOffset.UtcNow);

    private static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}

public sealed class CatalogNotFoundException(string message) : Exception(message);

public sealed class CatalogConflictException(string message) : Exception(message);

/// <summary>Something still refers to what was to be removed.</summary>
public sealed class CatalogInUseException(string message) : Exception(message);

/// <summary>The plan is being backed up by another job right now.</summary>
public sealed class PlanBusyException(string message) : Exception(message);
