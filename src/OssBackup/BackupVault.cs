namespace OssBackup;

/// <summary>A registered backup vault: where backup data lives.</summary>
public sealed class BackupVault
{
    public string Name { get; set; } = "";
    public string Location { get; set; } = "";
    public string VaultId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public bool Encrypted { get; set; }

    public override string ToString() => Name;
}
