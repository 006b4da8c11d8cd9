@{
    Synopsis     = 'Gets the backup vaults registered in the catalog.'

    Description  = @'
Get-BackupVault lists the vaults registered with New-BackupVault, sorted by name. Without -Name it returns
every vault. Each vault shows where it lives (Location) and its VaultId, the identity written in the
vault's own config file.

It reads the catalog only: it does not open or check the vault folders.
'@

    Parameters   = @{
        Name = @'
The name of the vault to get. Wildcards are allowed (for example "prod*"); matching is case-insensitive.
When a name without wildcards matches no vault, a non-terminating OssBackup.NotFound error is written.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupVault'; Description = 'One object for each matching vault.' }
    )

    Examples     = @(
        @{
            Title   = 'List all vaults'
            Code    = 'Get-BackupVault'
            Remarks = 'Lists every registered vault with its name, location, vault id and creation time.'
        }
        @{
            Title   = 'Check that every vault folder is still there'
            Code    = @'
Get-BackupVault | Where-Object { -not (Test-Path $_.Location) } |
    ForEach-Object { Write-Warning "Vault '$($_.Name)' is missing at $($_.Location)" }
'@
            Remarks = @'
Warns about vaults whose folder cannot be found, for example because the backup disk is not mounted.
Backups into such a vault fail with a BackupFailed.* error.
'@
        }
        @{
            Title   = 'Find the vault a plan writes to'
            Code    = 'Get-BackupVault -Name (Get-BackupPlan nightly).Vault'
            Remarks = 'Gets the vault that the plan "nightly" backs up into.'
        }
    )

    Notes        = @'
Get-BackupVault writes OssBackup.NotFound only for an exact name; a wildcard that matches nothing returns
nothing, without an error.
'@

    RelatedLinks = @('New-BackupVault', 'Get-BackupPlan', 'about_OssBackup')
}
