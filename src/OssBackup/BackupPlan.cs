namespace OssBackup;

/// <summary>What to back up (a bucket and prefix), where from (endpoint, credentials) and where to (a vault).</summary>
public sealed class BackupPlan
{
    public string Name { get; set; } = "";
    public string SourceBucket { get; set; } = "";
    public string SourcePrefix { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public string Region { get; set; } = "";
    public bool ForcePathStyle { get; set; }

    /// <summary>AWS-style shared credentials profile; when empty, the OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET environment variables.</summary>
    public string ProfileName { get; set; } = "";

    public string Vault { get; set; } = "";

    /// <summary>The policy that schedules the plan and keeps its points; empty for a plan run only by hand.</summary>
    public string Policy { get; set; } = "";

    /// <summary>A suspended plan is skipped by Invoke-BackupSchedule; Start-OssBackup still runs it once.</summary>
    public bool Suspended { get; set; }

    /// <summary>When Invoke-BackupSchedule will next run the plan (null without a policy or while suspended).</summary>
    public DateTimeOffset? NextRunTime { get; set; }

    /// <summary>When Invoke-BackupSchedule will next run the plan's restore drill (null without drills in its policy or while suspended).</summary>
    public DateTimeOffset? NextDrillTime { get; set; }
    public string[] Include { get; set; } = [];
    public string[] Exclude { get; set; } = [];
    public ScanMethod ScanMethod => string.IsNullOrEmpty(InventoryId) ? ScanMethod.Traversal : ScanMethod.Inventory;

    /// <summary>The bucket the inventory rule delivers to (reached with the plan's endpoint and credentials).</summary>
    public string InventoryBucket { get; set; } = "";

    /// <summary>The inventory rule's id; empty for a plan that lists the bucket instead.</summary>
    public string InventoryId { get; set; } = "";

    /// <summary>The rule's destination prefix: inventories live under &lt;prefix&gt;/&lt;source bucket&gt;/&lt;rule id&gt;/.</summary>
    public string InventoryPrefix { get; set; } = "";

    /// <summary>The newest inventory must be younger than this.</summary>
    public TimeSpan InventoryMaxAge { get; set; } = TimeSpan.FromDays(7);

    public InventoryCleanup InventoryCleanup { get; set; } = InventoryCleanup.DoNotDelete;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastBackupTime { get; set; }
    public JobStatus? LastJobStatus { get; set; }

    public override string ToString() => Name;
}
