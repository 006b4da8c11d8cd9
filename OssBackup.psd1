@{
    RootModule           = 'OssBackup.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5f0e6c1e-3b8a-4f7e-9a51-6f2d0c8b7a41'
    Author               = 'OssBackup'
    CompanyName          = 'OssBackup'
    Copyright            = '(c) OssBackup. MIT License.'
    Description          = 'Backs up Alibaba Cloud OSS and S3-compatible buckets into a content-addressed, deduplicated vault, incrementally, and restores them.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('OssBackup.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'New-BackupVault'
        'Get-BackupVault'
        'New-BackupPlan'
        'Get-BackupPlan'
        'Start-OssBackup'
        'Get-BackupJob'
        'Get-BackupHistory'
        'Get-BackupObject'
        'Restore-OssObject'
        'Get-OssInventory'
        'New-BackupPolicy'
        'Get-BackupPolicy'
        'Set-BackupPolicy'
        'Remove-BackupPolicy'
        'Set-BackupPlan'
        'Suspend-BackupPlan'
        'Resume-BackupPlan'
        'Remove-BackupPlan'
        'Invoke-BackupSchedule'
        'Get-BackupJobItem'
        'Compare-BackupPoint'
        'Get-RestoreJob'
        'Remove-BackupPoint'
        'Get-BackupRetention'
        'Test-OssBackup'
        'Get-BackupDrill'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Backup', 'OSS', 'S3', 'Alibaba', 'Restore', 'Inventory')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
