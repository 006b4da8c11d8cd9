namespace OssBackup;

public enum JobStatus
{
    Running,
    Completed,
    PartiallyCompleted,
    Failed,
    Cancelled,
}

public enum BackupMode
{
    Full,
    Incremental,
}

public enum ScanMethod
{
    Traversal,
    Inventory,
}

/// <summary>What happens to the inventory a successful backup used.</summary>
public enum InventoryCleanup
{
    DoNotDelete,

    /// <summary>Delete the inventory the backup used (manifest and data files).</summary>
    DeleteCurrent,

    /// <summary>Delete the inventory the backup used and every older one of the same rule.</summary>
    DeleteAll,
}

public enum ConflictAction
{
    Overwrite,
    Skip,
    Fail,

    /// <summary>Overwrite only when the existing object differs in size or content hash; skip identical ones.</summary>
    IfChanged,
}

/// <summary>What started a restore drill.</summary>
public enum DrillTrigger
{
    Manual,
    Scheduled,
}
