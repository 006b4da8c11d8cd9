using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OssBackup.Engine.Catalog;

/// <summary>Policies, plan changes and the questions the scheduler asks.</summary>
public sealed partial class BackupCatalog
{
    public void AddPolicy(BackupPolicy policy)
    {
        using var connection = Connect();
        try
        {
            Execute(connection, """
                INSERT INTO policies(name, vault, interval_seconds, start_time, keep_last, keep_within_seconds, keep_daily, keep_weekly, keep_monthly, keep_yearly, time_zone, alert_webhook, created_at,
                                     drill_interval_seconds, drill_sample_size, drill_sample_percent)
                VALUES ($name, $vault, $interval, $start, $last, $within, $daily, $weekly, $monthly, $yearly, $zone, $webhook, $created, $drillInterval, $drillSize, $drillPercent)
                """, PolicyParameters(policy));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new CatalogConflictException($"A policy named '{policy.Name}' already exists.");
        }
    }

    public void UpdatePolicy(BackupPolicy policy)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE policies SET vault = $vault, interval_seconds = $interval, start_time = $start, keep_last = $last, keep_within_seconds = $within,
                keep_daily = $daily, keep_weekly = $weekly, keep_monthly = $monthly, keep_yearly = $yearly, time_zone = $zone, alert_webhook = $webhook,
                drill_interval_seconds = $drillInterval, drill_sample_size = $drillSize, drill_sample_percent = $drillPercent
            WHERE name = $name
            """, PolicyParameters(policy));
    }

    public IReadOnlyList<BackupPolicy> GetPolicies(string? name = null)
    {
        using var connection = Connect();
        using var command = Command(connection, """
            SELECT name, vault, interval_seconds, start_time, keep_last, keep_within_seconds, keep_daily, keep_weekly, keep_monthly, keep_yearly, time_zone, alert_webhook, created_at,
                   drill_interval_seconds, drill_sample_size, drill_sample_percent
            FROM policies WHERE $name IS NULL OR name = $name ORDER BY name
            """, ("$name", name));
        using var reader = command.ExecuteReader();
        var result = new List<BackupPolicy>();
        while (reader.Read())
        {
            result.Add(new BackupPolicy
            {
                Name = reader.GetString(0),
                Vault = reader.GetString(1),
                Interval = TimeSpan.FromSeconds(reader.GetInt64(2)),
                StartTime = Parse(reader.GetString(3)),
                KeepLast = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                KeepWithin = reader.IsDBNull(5) ? null : TimeSpan.FromSeconds(reader.GetInt64(5)),
                KeepDaily = reader.IsDBNull(6) ? null : reader.GetInt32(6),
                KeepWeekly = reader.IsDBNull(7) ? null : reader.GetInt32(7),
                KeepMonthly = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                KeepYearly = reader.IsDBNull(9) ? null : reader.GetInt32(9),
                TimeZone = reader.GetString(10),
                AlertWebhook = reader.IsDBNull(11) ? null : new Uri(reader.GetString(11)),
                CreatedAt = Parse(reader.GetString(12)),
                DrillInterval = reader.IsDBNull(13) ? null : TimeSpan.FromSeconds(reader.GetInt64(13)),
                DrillSampleSize = reader.IsDBNull(14) ? null : reader.GetInt32(14),
                DrillSamplePercent = reader.IsDBNull(15) ? null : reader.GetDouble(15),
            });
        }
        return result;
    }

    public BackupPolicy GetPolicy(string name) =>
        GetPolicies(name).FirstOrDefault() ?? throw new CatalogNotFoundException($"No backup policy named '{name}'. List policies with Get-BackupPolicy, or create one with New-BackupPolicy.");

    public void RemovePolicy(string name)
    {
        GetPolicy(name);
        var users = GetPlans().Where(p => string.Equals(p.Policy, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Name).ToList();
        if (users.Count > 0)
        {
            throw new CatalogInUseException($"Policy '{name}' is used by plan(s) {string.Join(", ", users.Select(u => $"'{u}'"))}; give them another policy with Set-BackupPlan first.");
        }
        using var connection = Connect();
        Execute(connection, "DELETE FROM policies WHERE name = $name", ("$name", name));
    }

    /// <summary>Saves a plan's changeable settings (the name and source bucket stay).</summary>
    public void UpdatePlan(BackupPlan plan)
    {
        using var connection = Connect();
        Execute(connection, """
            UPDATE plans SET source_prefix = $prefix, include_json = $include, exclude_json = $exclude, policy = $policy, vault = $vault,
                profile_name = $profile, inventory_bucket = $invBucket, inventory_id = $invId, inventory_prefix = $invPrefix,
                inventory_max_age_seconds = $invMaxAge, inventory_cleanup = $invCleanup, scan_method = $scan, suspended = $suspended
            WHERE name = $name
            """,
            ("$name", plan.Name), ("$prefix", plan.SourcePrefix), ("$include", JsonSerializer.Serialize(plan.Include)),
            ("$exclude", JsonSerializer.Serialize(plan.Exclude)), ("$policy", plan.Policy), ("$vault", plan.Vault), ("$profile", plan.ProfileName),
            ("$invBucket", plan.InventoryBucket), ("$invId", plan.InventoryId), ("$invPrefix", plan.InventoryPrefix),
            ("$invMaxAge", (long)plan.InventoryMaxAge.TotalSeconds), ("$invCleanup", plan.InventoryCleanup.ToString()),
            ("$scan", plan.ScanMethod.ToString()), ("$suspended", plan.Suspended ? 1 : 0));
    }

    /// <summary>Removes the plan only: its jobs stay as history, its points stay browsable and restorable.</summary>
    public void RemovePlan(string name)
    {
        GetPlan(name);
        using var connection = Connect();
        Execute(connection, "DELETE FROM plans WHERE name = $name", ("$name", name));
    }

    /// <summary>The plan's job still running in a live process, if any.</summary>
    public BackupJob? GetRunningBackupJob(string plan)
    {
        FailAbandonedJobs();
        return GetBackupJobs(plan).LastOrDefault(j => j.Status == JobStatus.Running);
    }

    public DateTimeOffset? GetLastSuccessfulBackupTime(string plan)
    {
        using var connection = Connect();
        var value = Scalar(connection, "SELECT MAX(end_time) FROM jobs WHERE kind = 'Backup' AND plan = $plan AND status IN ('Completed', 'PartiallyCompleted')", ("$plan", plan));
        return value is string text ? Parse(text) : null;
    }

    /// <summary>The latest schedule slot a scheduler ran the plan for.</summary>
    public DateTimeOffset? GetLastScheduledSlot(string plan)
    {
        using var connection = Connect();
        var value = Scalar(connection, "SELECT last_scheduled_slot FROM plans WHERE name = $plan", ("$plan", plan));
        return value is string text ? Parse(text) : null;
    }

    public void SetLastScheduledSlot(string plan, DateTimeOffset slot)
    {
        using var connection = Connect();
        Execute(connection, "UPDATE plans SET last_scheduled_slot = $slot WHERE name = $plan", ("$plan", plan), ("$slot", Format(slot)));
    }

    public DateTimeOffset? GetLastAlertTime(string plan)
    {
        using var connection = Connect();
        var value = Scalar(connection, "SELECT last_alert_at FROM plans WHERE name = $plan", ("$plan", plan));
        return value is string text ? Parse(text) : null;
    }

    public void SetLastAlertTime(string plan, DateTimeOffset when)
    {
        using var connection = Connect();
        Execute(connection, "UPDATE plans SET last_alert_at = $when WHERE name = $plan", ("$plan", plan), ("$when", Format(when)));
    }

    public IReadOnlyList<JobItem> GetJobItems(long jobId, string? outcome = null)
    {
        using var connection = Connect();
        using var command = Command(connection, "SELECT job_id, key, outcome, code, message FROM job_items WHERE job_id = $job AND ($outcome IS NULL OR outcome = $outcome) ORDER BY rowid",
            ("$job", jobId), ("$outcome", outcome));
        using var reader = command.ExecuteReader();
        var result = new List<JobItem>();
        while (reader.Read())
        {
            result.Add(new JobItem { JobId = reader.GetInt64(0), Key = reader.GetString(1), Status = reader.GetString(2), Code = reader.GetString(3), Message = reader.GetString(4) });
        }
        return result;
    }

    public void RemoveBackupPoints(string vault, IEnumerable<string> ids)
    {
        using var connection = Connect();
        foreach (var id in ids)
        {
            Execute(connection, "DELETE FROM backup_points WHERE vault = $vault AND id = $id", ("$vault", vault), ("$id", id));
        }
    }

    private (string, object?)[] PolicyParameters(BackupPolicy p) =>
    [
        ("$name", p.Name), ("$vault", p.Vault), ("$interval", (long)p.Interval.TotalSeconds), ("$start", Format(p.StartTime)),
        ("$last", p.KeepLast), ("$within", p.KeepWithin is { } w ? (long)w.TotalSeconds : null), ("$daily", p.KeepDaily),
        ("$weekly", p.KeepWeekly), ("$monthly", p.KeepMonthly), ("$yearly", p.KeepYearly), ("$zone", p.TimeZone),
        ("$webhook", p.AlertWebhook?.ToString()), ("$created", Format(p.CreatedAt)),
        ("$drillInterval", p.DrillInterval is { } d ? (long)d.TotalSeconds : null), ("$drillSize", p.DrillSampleSize), ("$drillPercent", p.DrillSamplePercent),
    ];
}
