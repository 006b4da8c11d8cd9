namespace OssBackup;

/// <summary>One inventory run found in the inventory bucket, and whether a backup could use it.</summary>
public sealed class BucketInventory
{
    public string InventoryBucket { get; set; } = "";
    public string Folder { get; set; } = "";

    /// <summary>The run's time from its folder name (UTC, when the scan started).</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>The manifest's creationTimestamp.</summary>
    public DateTimeOffset? CreationTime { get; set; }

    /// <summary>Rows in the data files; counted only with -CountObjects (it reads every file).</summary>
    public long? ObjectCount { get; set; }

    public int DataFiles { get; set; }
    public long DataBytes { get; set; }
    public string[] Schema { get; set; } = [];
    public bool IsUsable { get; set; }

    /// <summary>Why a backup cannot use this run, when it cannot.</summary>
    public string? Problem { get; set; }

    public override string ToString() => Folder;
}
