namespace OssBackup;

public enum RetentionAction
{
    Keep,
    Remove,
}

/// <summary>What a plan's retention policy does with one backup point, and why.</summary>
public sealed class BackupRetentionDecision
{
    public string Plan { get; set; } = "";
    public string BackupPointId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public RetentionAction Action { get; set; }

    /// <summary>The rules that keep the point ("last 3", "daily 2026-11-25"...), or why none does.</summary>
    public string[] Reasons { get; set; } = [];

    public override string ToString() => $"{BackupPointId} {Action}";
}

/// <summary>What deleting backup points removed from a vault.</summary>
public sealed class BackupPointRemoval
{
    public string Vault { get; set; } = "";
    public string[] RemovedPoints { get; set; } = [];
    public int PacksDeleted { get; set; }
    public long BytesFreed { get; set; }
    public int PacksKept { get; set; }
    public bool WhatIf { get; set; }
}
