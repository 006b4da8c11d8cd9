@{
    Synopsis     = 'Creates a backup vault (or registers an existing one) under a name in the catalog.'

    Description  = @'
New-BackupVault creates a vault: the folder where OssBackup keeps backup data. A vault is content-addressed:
objects are cut into chunks of up to 8 MiB, each chunk is stored once under the SHA-256 of its content,
compressed with zstd, in pack files of about 16 MiB. The same content backed up twice, by the same plan
or by another plan into the same vault, takes the space of one copy.

The vault is recorded in the catalog under -Name; plans refer to it by that name (New-BackupPlan -Vault).

-Path must be a new folder, an empty folder, or a folder that already holds an OssBackup vault. A new or
empty folder gets a new vault. An existing vault (for example a vault disk moved to another machine) is
registered under -Name as it is; the backup points already in it are not added to the catalog.

In this version a vault is a folder on a local or mounted file system. Data is deleted from a vault only
when backup points are deleted (Remove-BackupPoint, or the retention rules of a policy), and then only the
data no remaining point needs. Vaults are not encrypted (the Encrypted property is always False).
'@

    Parameters   = @{
        Name = @'
The name plans use to refer to the vault. Up to 128 characters, without slashes or control characters.
Names are case-insensitive and must be unique in the catalog.
'@
        Path = @'
The folder of the vault: a new folder, an empty folder, or a folder that already holds an OssBackup vault.
A relative path is resolved against the current PowerShell location. A file, or a folder that is not empty
and holds no vault, is refused (OssBackup.InvalidArgument).
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupVault'; Description = 'The registered vault: Name, Location (full path), VaultId, CreatedAt, Encrypted.' }
    )

    Examples     = @(
        @{
            Title   = 'Create a vault on a backup disk'
            Code    = 'New-BackupVault -Name main -Path /mnt/backup/oss-vault'
            Remarks = @'
Creates a new vault in /mnt/backup/oss-vault (the folder is created when it does not exist) and records
it in the catalog as "main".
'@
        }
        @{
            Title   = 'Register a vault that already exists'
            Code    = @'
New-BackupVault main D:\OssVault
Get-BackupVault main | Format-List
'@
            Remarks = @'
D:\OssVault already holds a vault, for example one written on another machine. It is registered under
the name "main" without being changed, so new plans can use it. Both parameters are positional.
'@
        }
        @{
            Title   = 'See what would be created'
            Code    = 'New-BackupVault -Name archive -Path ./vaults/archive -WhatIf'
            Remarks = @'
Shows the full path the vault would be created in, without creating anything.
'@
        }
    )

    Notes        = @'
Errors: OssBackup.AlreadyExists when a vault with this name is already registered; OssBackup.InvalidArgument
for an invalid name or an unusable path. Both are terminating errors.

The catalog that records vaults lives in $env:OSSBACKUP_HOME, else in the user's local application data
folder (~/.local/share/OssBackup on Linux). See about_OssBackup.
'@

    RelatedLinks = @('Get-BackupVault', 'New-BackupPlan', 'about_OssBackup')
}
