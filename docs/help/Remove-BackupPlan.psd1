@{
    Synopsis     = 'Removes a backup plan; its backup points and vault data are kept.'

    Description  = @'
Remove-BackupPlan deletes a plan from the catalog: it is no longer listed by Get-BackupPlan, run by
Invoke-BackupSchedule or run by Start-OssBackup.

Nothing else is deleted. The plan's backup points stay in the catalog and its data stays in the vault, so
they can still be browsed with Get-BackupObject and restored with Restore-OssObject, by point id. Its jobs
stay too, and Get-BackupJob -Plan <name> still lists them, with the id of the point each made
(BackupPointId). Retention no longer applies to these points; delete them with Remove-BackupPoint when
they are no longer needed.

Because the plan, with its endpoint, region and credentials profile, is gone:
- Get-BackupHistory -Plan <name> fails (OssBackup.NotFound); find the points through Get-BackupJob, or
  note their ids before removing the plan.
- Restore-OssObject to a bucket needs -Endpoint; the target is then addressed path-style, without a
  region, with credentials from -Credential or the environment variables. Restoring to a local folder
  (-TargetPath) needs nothing more.

Remove-BackupPlan asks for confirmation (its ConfirmImpact is High). Use -Confirm:$false in scripts. A
backup of the plan that is running when it is removed goes on to its end.
'@

    Parameters   = @{
        Plan = @'
The plan to remove: a plan name, or a BackupPlan from Get-BackupPlan. Plans can be piped in. A BackupJob
or BackupPoint stands for its plan.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'None'; Description = 'Remove-BackupPlan writes nothing to the pipeline.' }
    )

    Examples     = @(
        @{
            Title   = 'Remove a plan'
            Code    = 'Remove-BackupPlan -Plan old-logs'
            Remarks = 'Asks for confirmation, then removes the plan "old-logs". Its points stay restorable.'
        }
        @{
            Title   = 'Keep a list of the points before removing the plan'
            Code    = @'
Get-BackupHistory -Plan old-logs | Export-Csv ./old-logs-points.csv
Remove-BackupPlan -Plan old-logs -Confirm:$false
'@
            Remarks = 'The CSV keeps the id, date and size of every point, for a later restore.'
        }
        @{
            Title   = 'Restore from a plan that was removed'
            Code    = @'
$point = Get-BackupJob -Plan old-logs | Where-Object BackupPointId | Select-Object -Last 1
Get-BackupObject -BackupPoint $point.BackupPointId -Prefix 2024/ |
    Restore-OssObject -TargetBucket logs-restore -Endpoint https://oss-cn-hangzhou.aliyuncs.com
'@
            Remarks = @'
Finds the newest point the removed plan made from its jobs, and restores the objects under 2024/ into the
bucket logs-restore. -Endpoint is needed because the plan's endpoint went with the plan; the access key is
taken from OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET (or give -Credential).
'@
        }
        @{
            Title   = 'Remove the plans of a bucket that no longer exists'
            Code    = @'
Get-BackupPlan | Where-Object SourceBucket -eq 'corp-old' | Remove-BackupPlan -Confirm:$false
'@
            Remarks = 'Removes every plan of the bucket corp-old without a prompt for each.'
        }
    )

    Notes        = @'
Errors are non-terminating; their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: no plan with this name.
- OssBackup.InvalidArgument: -Plan is neither a plan name nor a plan.

Remove-BackupPlan never deletes anything from a vault.
'@

    RelatedLinks = @('New-BackupPlan', 'Set-BackupPlan', 'Suspend-BackupPlan', 'Get-BackupJob', 'Remove-BackupPoint', 'Restore-OssObject', 'about_OssBackup')
}
