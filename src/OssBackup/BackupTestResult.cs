namespace OssBackup;

/// <summary>The outcome of a restore drill: a sample of a point restored to scratch space and checked byte for byte.</summary>
public sealed class BackupTestResult
{
    public string Plan { get; set; } = "";
    public string BackupPointId { get; set; } = "";
    public long ObjectsInPoint { get; set; }
    public int SampledObjects { get; set; }
    public int PassedObjects { get; set; }
    public int FailedObjects { get; set; }
    public long VerifiedBytes { get; set; }
    public TimeSpan Duration { get; set; }

    /// <summary>True when every sampled object restored and matched the backup.</summary>
    public bool Passed => FailedObjects == 0 && SampledObjects > 0;

    public string[] FailedKeys { get; set; } = [];
}
