@{
    Synopsis     = 'Removes a backup policy that no plan uses.'

    Description  = @'
Remove-BackupPolicy deletes a policy from the catalog. It refuses while any plan uses the policy: the
error (OssBackup.InUse) names those plans. Give them another policy, or none, with Set-BackupPlan -Policy,
or remove them with Remove-BackupPlan, then remove the policy.

Removing a policy touches no backup point, vault or job.

Remove-BackupPolicy asks for confirmation (its ConfirmImpact is High). Use -Confirm:$false in scripts.
'@

    Parameters   = @{
        Name = @'
The name of the policy to remove. It can come from the pipeline, as the Name property of a BackupPolicy
from Get-BackupPolicy. An unknown name writes a non-terminating OssBackup.NotFound error.
'@
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupPolicy'; Description = 'A policy from Get-BackupPolicy; its Name property is bound to -Name.' }
    )

    Outputs      = @(
        @{ Type = 'None'; Description = 'Remove-BackupPolicy writes nothing to the pipeline.' }
    )

    Examples     = @(
        @{
            Title   = 'Remove a policy'
            Code    = 'Remove-BackupPolicy -Name weekly-old'
            Remarks = 'Asks for confirmation, then removes the policy "weekly-old", if no plan uses it.'
        }
        @{
            Title   = 'Move the plans of a policy to another one, then remove it'
            Code    = @'
Get-BackupPlan | Where-Object Policy -eq 'hourly-old' | Set-BackupPlan -Policy hourly
Remove-BackupPolicy hourly-old -Confirm:$false
'@
            Remarks = @'
Both policies must back up into the same vault: Set-BackupPlan refuses a policy whose vault is not the
plan's. Without the first line, Remove-BackupPolicy fails with OssBackup.InUse and lists the plans.
'@
        }
        @{
            Title   = 'Remove every policy no plan uses'
            Code    = @'
$used = @(Get-BackupPlan).Policy
Get-BackupPolicy | Where-Object Name -notin $used | Remove-BackupPolicy -Confirm:$false
'@
            Remarks = 'Removes the unused policies without a prompt for each.'
        }
        @{
            Title   = 'Handle a policy that is still in use in a script'
            Code    = @'
Remove-BackupPolicy nightly -Confirm:$false -ErrorVariable problem -ErrorAction SilentlyContinue
if ($problem -and $problem[0].FullyQualifiedErrorId -like 'OssBackup.InUse,*') {
    Write-Host "Still in use: $($problem[0].Exception.Message)"
}
'@
            Remarks = 'The message names the plans that still use the policy.'
        }
    )

    Notes        = @'
Errors are non-terminating; their FullyQualifiedErrorId starts with:
- OssBackup.InUse: one or more plans use the policy; the message names them. Nothing is removed.
- OssBackup.NotFound: no policy with this name.
'@

    RelatedLinks = @('Get-BackupPolicy', 'New-BackupPolicy', 'Set-BackupPlan', 'Remove-BackupPlan', 'about_OssBackup')
}
