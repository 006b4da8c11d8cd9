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

public enum ConflictAction
{
    Overwrite,
    Skip,
    Fail,
}
