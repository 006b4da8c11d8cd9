using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>The schedule and retention parameters New- and Set-BackupPolicy share.</summary>
public abstract class PolicyCmdletBase : OssBackupCmdlet
{
    [Parameter]
    public DateTimeOffset StartTime { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepLast { get; set; }

    /// <summary>A TimeSpan, or a number of days.</summary>
    [Parameter]
    [DaysToTimeSpan]
    public TimeSpan KeepWithin { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepDaily { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepWeekly { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepMonthly { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int KeepYearly { get; set; }

    [Parameter]
    public string TimeZone { get; set; } = "UTC";

    [Parameter]
    public Uri? AlertWebhook { get; set; }

    /// <summary>A TimeSpan, or a number of days; 0 turns scheduled drills off.</summary>
    [Parameter]
    [DaysToTimeSpan]
    public TimeSpan DrillInterval { get; set; }

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int DrillSampleSize { get; set; }

    [Parameter]
    [ValidateRange(0.0001, 100.0)]
    public double DrillSamplePercent { get; set; }

    /// <summary>Copies the parameters the user gave onto a policy (unbound ones keep the policy's values).</summary>
    protected void ApplyBoundParameters(BackupPolicy policy)
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(StartTime))) policy.StartTime = StartTime;
        if (bound.ContainsKey(nameof(KeepLast))) policy.KeepLast = KeepLast;
        if (bound.ContainsKey(nameof(KeepWithin))) policy.KeepWithin = KeepWithin;
        if (bound.ContainsKey(nameof(KeepDaily))) policy.KeepDaily = KeepDaily;
        if (bound.ContainsKey(nameof(KeepWeekly))) policy.KeepWeekly = KeepWeekly;
        if (bound.ContainsKey(nameof(KeepMonthly))) policy.KeepMonthly = KeepMonthly;
        if (bound.ContainsKey(nameof(KeepYearly))) policy.KeepYearly = KeepYearly;
        if (bound.ContainsKey(nameof(TimeZone))) policy.TimeZone = TimeZone;
        if (bound.ContainsKey(nameof(AlertWebhook))) policy.AlertWebhook = AlertWebhook;
        if (bound.ContainsKey(nameof(DrillInterval)))
        {
            policy.DrillInterval = DrillInterval == TimeSpan.Zero ? null : DrillInterval;
            if (policy.DrillInterval is null)
            {
                // Turning drills off also forgets the sample, so the policy reads as having no drills at all.
                policy.DrillSampleSize = null;
                policy.DrillSamplePercent = null;
            }
        }
        // One sample setting replaces the other; both at once are refused by the engine.
        if (bound.ContainsKey(nameof(DrillSampleSize)))
        {
            policy.DrillSampleSize = DrillSampleSize;
            policy.DrillSamplePercent = bound.ContainsKey(nameof(DrillSamplePercent)) ? DrillSamplePercent : null;
        }
        else if (bound.ContainsKey(nameof(DrillSamplePercent)))
        {
            policy.DrillSamplePercent = DrillSamplePercent;
            policy.DrillSampleSize = null;
        }
    }
}
