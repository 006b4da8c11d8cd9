using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Scheduling;
using OssBackup.Engine.Source;

namespace OssBackup.Engine;

/// <summary>Policies, plan lifecycle and scheduling.</summary>
public sealed partial class OssBackupService
{
    public BackupPolicy NewPolicy(BackupPolicy policy)
    {
        ValidateName(policy.Name, "policy");
        ValidatePolicy(policy);
        policy.CreatedAt = DateTimeOffset.UtcNow;
        Catalog.AddPolicy(policy);
        return Catalog.GetPolicy(policy.Name);
    }

    public BackupPolicy UpdatePolicy(BackupPolicy policy)
    {
        Catalog.GetPolicy(policy.Name);
        ValidatePolicy(policy);
        Catalog.UpdatePolicy(policy);
        return Catalog.GetPolicy(policy.Name);
    }

    public BackupPlan UpdatePlan(BackupPlan plan)
    {
        Catalog.GetPlan(plan.Name);
        ValidatePlanSettings(plan);
        Catalog.UpdatePlan(plan);
        return GetPlans(plan.Name).Single();
    }

    public BackupPlan SetSuspended(string planName, bool suspended)
    {
        var plan = Catalog.GetPlan(planName);
        plan.Suspended = suspended;
        Catalog.UpdatePlan(plan);
        return GetPlans(plan.Name).Single();
    }

    /// <summary>Plans with when each will next be run by the scheduler.</summary>
    public IReadOnlyList<BackupPlan> GetPlans(string? name = null, DateTimeOffset? now = null)
    {
        var plans = Catalog.GetPlans(name);
        foreach (var plan in plans)
        {
            if (plan.Policy.Length > 0 && !plan.Suspended)
            {
                var policy = Catalog.GetPolicy(plan.Policy);
                plan.NextRunTime = Schedule.NextRun(policy.StartTime, policy.Interval, LastCovered(plan.Name), now ?? DateTimeOffset.UtcNow);
                if (policy.DrillInterval is { } drillInterval)
                {
                    plan.NextDrillTime = Schedule.NextRun(policy.StartTime, drillInterval, Catalog.GetLastDrillCovered(plan.Name), now ?? DateTimeOffset.UtcNow);
                }
            }
        }
        return plans;
    }

    /// <summary>
    /// Runs every plan that is due at <paramref name="now"/>, one job per plan, skipping (with a warning)
    /// plans another process is backing up; then, for each plan whose policy has drills, its restore drill
    /// when a drill slot is due (after the plan's backup when both are due, so the drill tests the new point).
    /// Failures of one plan do not stop the others.
    /// </summary>
    public async Task<IReadOnlyList<ScheduledRun>> RunScheduleAsync(DateTimeOffset now, S3Credentials? credentials, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var runs = new List<ScheduledRun>();
        foreach (var plan in Catalog.GetPlans())
        {
            if (plan.Policy.Length == 0 || plan.Suspended)
            {
                continue;
            }
            var policy = Catalog.GetPolicy(plan.Policy);
            if (await RunScheduledBackupAsync(plan, policy, now, credentials, observer, cancellationToken) is { } backup)
            {
                runs.Add(backup);
            }
            if (await RunScheduledDrillAsync(plan, policy, now, observer, cancellationToken) is { } drill)
            {
                runs.Add(drill);
            }
        }
        return runs;
    }

    private async Task<ScheduledRun?> RunScheduledBackupAsync(BackupPlan plan, BackupPolicy policy, DateTimeOffset now, S3Credentials? credentials, IOperationObserver observer, CancellationToken cancellationToken)
    {
        var due = Schedule.IsDue(policy.StartTime, policy.Interval, LastCovered(plan.Name), now);
        if (!due)
        {
            await AlertIfStaleAsync(plan, policy, now, observer);
            return null;
        }
        var slot = Schedule.LatestSlot(policy.StartTime, policy.Interval, now)!.Value;
        ScheduledRun run;
        try
        {
            var job = await StartBackupAsync(plan.Name, credentials, observer, cancellationToken);
            Catalog.SetLastScheduledSlot(plan.Name, slot);
            run = new ScheduledRun(plan.Name, job, null);
        }
        catch (PlanBusyException busy)
        {
            observer.Warning(busy.Message);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed run still covers its slot: the next slot retries, and alerts report the failure.
            Catalog.SetLastScheduledSlot(plan.Name, slot);
            run = new ScheduledRun(plan.Name, (e as BackupFailedException)?.Job, e);
        }
        await AlertIfStaleAsync(plan, policy, now, observer);
        return run;
    }

    /// <summary>
    /// The plan's drill for the latest drill slot (start + k x DrillInterval), if that slot is not covered yet.
    /// The catalog's claim decides, atomically, so overlapping schedulers never run the same drill slot. Like a
    /// backup, a drill that fails covers its slot (the next slot tries again; the alert reports it).
    /// </summary>
    private async Task<ScheduledRun?> RunScheduledDrillAsync(BackupPlan plan, BackupPolicy policy, DateTimeOffset now, IOperationObserver observer, CancellationToken cancellationToken)
    {
        if (policy.DrillInterval is not { } interval || Schedule.LatestSlot(policy.StartTime, interval, now) is not { } slot)
        {
            return null;
        }
        BackupTestResult? drill;
        try
        {
            drill = Catalog.ClaimScheduledDrill(plan.Name, slot, policy.DrillSamplePercent is null ? policy.DrillSampleSize ?? DefaultDrillSampleSize : null, policy.DrillSamplePercent);
        }
        catch (PlanBusyException busy)
        {
            observer.Warning(busy.Message);
            return null;
        }
        if (drill is null)
        {
            return null;
        }
        try
        {
            return new ScheduledRun(plan.Name, null, null, await RunDrillAsync(drill, null, observer, cancellationToken));
        }
        catch (DrillFailedException failed)
        {
            return new ScheduledRun(plan.Name, null, failed, failed.Drill);
        }
    }

    /// <summary>Alerts on a job that ended Failed or PartiallyCompleted, when the plan's policy has a webhook.</summary>
    private async Task AlertAsync(BackupPlan plan, BackupJob job, IOperationObserver observer, CancellationToken cancellationToken)
    {
        if (job.Status is not (JobStatus.Failed or JobStatus.PartiallyCompleted) || plan.Policy.Length == 0
            || Catalog.GetPolicies(plan.Policy).FirstOrDefault()?.AlertWebhook is not { } webhook)
        {
            return;
        }
        await new Alerts.AlertSender(AlertHttp, observer).SendAsync(webhook, Alerts.AlertSender.ForJob(job), CancellationToken.None);
    }

    /// <summary>A plan with no successful backup for more than two intervals gets one alert per interval, not one per scheduler call.</summary>
    private async Task AlertIfStaleAsync(BackupPlan plan, BackupPolicy policy, DateTimeOffset now, IOperationObserver observer)
    {
        if (policy.AlertWebhook is not { } webhook)
        {
            return;
        }
        var lastSuccess = Catalog.GetLastSuccessfulBackupTime(plan.Name);
        var since = lastSuccess ?? (plan.CreatedAt > policy.StartTime ? plan.CreatedAt : policy.StartTime);
        if (now - since <= 2 * policy.Interval)
        {
            return;
        }
        if (Catalog.GetLastAlertTime(plan.Name) is { } lastAlert && now - lastAlert < policy.Interval)
        {
            return;
        }
        var message = lastSuccess is null
            ? $"Plan '{plan.Name}' has had no successful backup since {since:u} (its policy runs every {policy.Interval})."
            : $"Plan '{plan.Name}' has had no successful backup since {lastSuccess:u}, more than two intervals of {policy.Interval}.";
        if (await new Alerts.AlertSender(AlertHttp, observer).SendAsync(webhook, new Alerts.AlertEvent("PlanStale", plan.Name, null, null, message, now, null), CancellationToken.None))
        {
            Catalog.SetLastAlertTime(plan.Name, now);
        }
    }

    /// <summary>The latest moment a plan's schedule is known to be served: the slot the scheduler last ran it for, or any later run.</summary>
    private DateTimeOffset? LastCovered(string planName)
    {
        var slot = Catalog.GetLastScheduledSlot(planName);
        var lastStart = Catalog.GetBackupJobs(planName, last: 1).LastOrDefault()?.StartTime;
        return slot is null ? lastStart : lastStart is null ? slot : (slot > lastStart ? slot : lastStart);
    }

    private void ValidatePolicy(BackupPolicy policy)
    {
        Catalog.GetVault(policy.Vault);
        if (policy.Interval < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"-Interval must be at least one minute, not {policy.Interval}.");
        }
        foreach (var (name, value) in new[] { ("KeepLast", policy.KeepLast), ("KeepDaily", policy.KeepDaily), ("KeepWeekly", policy.KeepWeekly), ("KeepMonthly", policy.KeepMonthly), ("KeepYearly", policy.KeepYearly) })
        {
            if (value is < 0)
            {
                throw new ArgumentException($"-{name} must not be negative, not {value}.");
            }
        }
        if (policy.KeepWithin is { } within && within < TimeSpan.Zero)
        {
            throw new ArgumentException($"-KeepWithin must not be negative, not {within}.");
        }
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(policy.TimeZone);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new ArgumentException($"-TimeZone '{policy.TimeZone}' is not a time zone this machine knows (try an IANA id such as 'Asia/Shanghai').");
        }
        ValidateDrillSettings(policy);
        if (policy.AlertWebhook is { } hook && (!hook.IsAbsoluteUri || (hook.Scheme != "http" && hook.Scheme != "https")))
        {
            throw new ArgumentException($"-AlertWebhook '{hook}' must be an absolute http(s) URL.");
        }
    }

    private static void ValidateDrillSettings(BackupPolicy policy)
    {
        if (policy.DrillInterval is { } drill && drill < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"-DrillInterval must be at least one minute (or 0 for no scheduled drills), not {drill}.");
        }
        if (policy.DrillSampleSize is not null && policy.DrillSamplePercent is not null)
        {
            throw new ArgumentException("Give -DrillSampleSize or -DrillSamplePercent, not both.");
        }
        if (policy.DrillInterval is null && (policy.DrillSampleSize is not null || policy.DrillSamplePercent is not null))
        {
            throw new ArgumentException("-DrillSampleSize and -DrillSamplePercent need -DrillInterval: without it the policy runs no drills.");
        }
        if (policy.DrillSampleSize is { } size && size is < 1 or > 1_000_000)
        {
            throw new ArgumentException($"-DrillSampleSize must be between 1 and 1,000,000, not {size}.");
        }
        if (policy.DrillSamplePercent is { } percent && !(percent > 0 && percent <= 100))
        {
            throw new ArgumentException($"-DrillSamplePercent must be more than 0 and at most 100, not {percent}.");
        }
    }

    private void ValidatePlanSettings(BackupPlan plan)
    {
        _ = new KeyFilter(plan.Include, plan.Exclude);
        if (plan.Policy.Length > 0)
        {
            var policy = Catalog.GetPolicy(plan.Policy);
            if (plan.Vault.Length > 0 && !string.Equals(plan.Vault, policy.Vault, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Plan '{plan.Name}' names vault '{plan.Vault}' but its policy '{policy.Name}' backs up into vault '{policy.Vault}'.");
            }
            plan.Vault = policy.Vault;
        }
        if (plan.Vault.Length == 0)
        {
            throw new ArgumentException($"Plan '{plan.Name}' needs -Policy or -Vault.");
        }
        Catalog.GetVault(plan.Vault);
        if (string.IsNullOrEmpty(plan.InventoryId) != string.IsNullOrEmpty(plan.InventoryBucket))
        {
            throw new ArgumentException("-InventoryBucket and -InventoryId go together: give both to back up from inventories, or neither to list the bucket.");
        }
        if (plan.InventoryMaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"-InventoryMaxAge must be positive, not {plan.InventoryMaxAge}.");
        }
    }
}

/// <summary>
/// One thing the scheduler ran for a plan: a backup (Job, or Error when it failed) or a restore drill (Drill,
/// with Error when it could not run).
/// </summary>
public sealed record ScheduledRun(string Plan, BackupJob? Job, Exception? Error, BackupTestResult? Drill = null);
