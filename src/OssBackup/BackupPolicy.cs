namespace OssBackup;

/// <summary>When a plan runs (start time + k x interval) and which backup points it keeps.</summary>
public sealed class BackupPolicy
{
    public string Name { get; set; } = "";
    public string Vault { get; set; } = "";
    public TimeSpan Interval { get; set; }
    public DateTimeOffset StartTime { get; set; }
    public int? KeepLast { get; set; }
    public TimeSpan? KeepWithin { get; set; }
    public int? KeepDaily { get; set; }
    public int? KeepWeekly { get; set; }
    public int? KeepMonthly { get; set; }
    public int? KeepYearly { get; set; }

    /// <summary>The time zone days, weeks, months and years are counted in (an IANA or Windows id).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Where a JSON event is POSTed when a job or a restore drill fails, or a plan has had no successful backup for two intervals.</summary>
    public Uri? AlertWebhook { get; set; }

    /// <summary>How often Invoke-BackupSchedule runs a restore drill of each plan (slots StartTime + k x DrillInterval); null: no scheduled drills.</summary>
    public TimeSpan? DrillInterval { get; set; }

    /// <summary>How many objects a scheduled drill samples (100 when neither this nor DrillSamplePercent is set).</summary>
    public int? DrillSampleSize { get; set; }

    /// <summary>The percentage of objects a scheduled drill samples, instead of DrillSampleSize.</summary>
    public double? DrillSamplePercent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public override string ToString() => Name;
}
