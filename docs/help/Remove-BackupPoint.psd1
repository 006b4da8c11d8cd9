@{
    Synopsis     = 'Deletes backup points, and the vault data that no remaining point needs.'

    Description  = @'
Remove-BackupPoint deletes backup points from the catalog and from their vault, then deletes the vault data
that only those points used. Every remaining point stays whole and restorable: data that a remaining
point holds, of the same plan or of any other plan backing up into the same vault, is never deleted. A
later point never depends on an earlier one, so any point can be deleted, the newest included (the next
backup of the plan then compares with its newest remaining point).

What is freed: the vault stores data in pack files of about 16 MiB, and a pack is deleted only when no
remaining point uses any of its content; a pack that still holds some needed content is kept whole. So
deleting one point of a series usually frees little (most of its content is in the others too), while
deleting many old points frees what only they held. The output says how many packs were deleted and how
many bytes were freed, per vault.

Deleting works under an exclusive lock on the vault. If a backup into that vault is running (a backup
holds a shared lock), or another deletion, Remove-BackupPoint fails with OssBackup.VaultLocked and deletes
nothing; try again when it has ended. Meanwhile a backup that starts fails with BackupFailed.VaultLocked.
A lock left by a process that ended is cleared by itself (at once on the same machine, otherwise after
30 minutes).

Points are collected from the pipeline first and deleted together at the end, one vault after the other.
Before anything is deleted, every id is checked: an unknown id fails the command with nothing deleted.
The deletion is crash-safe: if it is interrupted, every remaining point is still readable; some data may
be left behind, never lost.

Points are also deleted without this cmdlet, by the retention rules of a plan's policy (see
Get-BackupRetention). Remove-BackupPoint asks for confirmation (its ConfirmImpact is High); use
-Confirm:$false in scripts.
'@

    Parameters   = @{
        BackupPoint = @'
The points to delete: point ids, BackupPoints (from Get-BackupHistory), BackupJobs (their BackupPointId)
or BackupObjects (the point they belong to). Several can be given, and they can be piped in. Points of a
removed plan can be deleted by id. Quote an id typed on the command line ('3f9a1c07d2e45b86'): an id
made of digits only would otherwise reach the cmdlet as a number and be refused.
'@
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupPoint'; Description = 'A point from Get-BackupHistory.' }
        @{ Type = 'System.String'; Description = 'A backup point id, for example from Get-BackupRetention (its BackupPointId).' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPointRemoval'; Description = @'
One object for each vault points were deleted from: Vault, RemovedPoints (their ids), PacksDeleted,
BytesFreed and PacksKept (the packs left in the vault). Nothing with -WhatIf.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'Delete one point'
            Code    = "Remove-BackupPoint -BackupPoint '3f9a1c07d2e45b86'"
            Remarks = 'Asks for confirmation, deletes the point and the data only it used, and shows what was freed.'
        }
        @{
            Title   = 'Delete the points of a plan older than a year'
            Code    = @'
Get-BackupHistory -Plan nightly | Where-Object CreatedAt -lt (Get-Date).AddYears(-1) |
    Remove-BackupPoint -Confirm:$false |
    Format-Table Vault, @{ n = 'Points'; e = { $_.RemovedPoints.Count } }, PacksDeleted, @{ n = 'FreedGiB'; e = { [math]::Round($_.BytesFreed / 1GB, 2) } }
'@
            Remarks = 'Deletes them in one go, without a prompt for each, and shows how many points went and how much space came back.'
        }
        @{
            Title   = 'See what would be deleted'
            Code    = "Get-BackupHistory -Plan nightly | Select-Object -First 10 | Remove-BackupPoint -WhatIf"
            Remarks = 'Lists the ten oldest points of "nightly" that would be deleted. Nothing is deleted and the vault is not locked.'
        }
        @{
            Title   = 'Apply the retention rules now'
            Code    = @'
Get-BackupRetention -Plan nightly | Where-Object Action -eq 'Remove' |
    ForEach-Object BackupPointId | Remove-BackupPoint -Confirm:$false
'@
            Remarks = 'Deletes at once the points the policy of "nightly" no longer keeps, instead of waiting for its next backup.'
        }
        @{
            Title   = 'Clean up after a removed plan'
            Code    = @'
Get-BackupJob -Plan old-logs | Where-Object BackupPointId | ForEach-Object BackupPointId |
    Remove-BackupPoint
'@
            Remarks = @'
A plan removed with Remove-BackupPlan leaves its points behind, and no retention applies to them any more.
Its jobs still name them: this deletes them all, after one confirmation for each.
'@
        }
    )

    Notes        = @'
Errors are terminating (nothing is deleted in the vault where the error happened); their
FullyQualifiedErrorId starts with:
- OssBackup.NotFound: a point id that does not exist (nothing at all is deleted), or a vault that is not
  registered or whose folder is gone.
- OssBackup.VaultLocked: a backup or another deletion is using the vault; the message says which process
  holds the lock. Try again later.
- OssBackup.InvalidData: a remaining point cannot be read, so it is not safe to delete anything.
- OssBackup.InvalidArgument (non-terminating): an argument that is neither a point nor a point id; the
  other points are still deleted.
'@

    RelatedLinks = @('Get-BackupHistory', 'Get-BackupRetention', 'New-BackupPolicy', 'Remove-BackupPlan', 'about_OssBackup')
}
