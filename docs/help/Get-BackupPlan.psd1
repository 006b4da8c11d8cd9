@{
    Synopsis     = 'Gets backup plans, with the time and status of their last backup and when they run next.'

    Description  = @'
Get-BackupPlan lists the plans created with New-BackupPlan, sorted by name. ScanMethod says how backups
find the source's objects: Traversal (by listing the bucket) or Inventory (from the bucket's inventory
lists). Besides the plan's settings,
each plan shows LastBackupTime (when its newest backup point was made) and LastJobStatus (how its last
backup job ended: Completed, PartiallyCompleted, Failed, Cancelled, or Running while a backup runs).

Policy names the backup policy that schedules the plan (empty for a plan run only by hand), Suspended says
whether Suspend-BackupPlan has taken it off its schedule, and NextRunTime says when Invoke-BackupSchedule
will run it next. NextRunTime is empty for a plan without a policy or a suspended plan; a NextRunTime in
the past means the plan is due now (a slot was missed) and the next call of Invoke-BackupSchedule runs it.
NextDrillTime says the same of the plan's next scheduled restore drill; it is empty when the policy has no
-DrillInterval (see New-BackupPolicy and Get-BackupDrill).

Plans go down the pipeline to Start-OssBackup, Set-BackupPlan, Suspend-BackupPlan, Resume-BackupPlan,
Remove-BackupPlan, Get-BackupHistory and Get-BackupJob.
'@

    Parameters   = @{
        Name = @'
The name of the plan to get. Wildcards are allowed (for example "prod-*"); matching is case-insensitive.
When a name without wildcards matches no plan, a non-terminating OssBackup.NotFound error is written.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPlan'; Description = 'One object for each matching plan.' }
    )

    Examples     = @(
        @{
            Title   = 'List all plans and how their last backup went'
            Code    = 'Get-BackupPlan'
            Remarks = 'Shows every plan with its bucket, prefix, vault, last backup time and last job status.'
        }
        @{
            Title   = 'Back up one plan'
            Code    = 'Get-BackupPlan nightly | Start-OssBackup'
            Remarks = 'Gets the plan "nightly" and runs a backup of it.'
        }
        @{
            Title   = 'Find plans that need attention'
            Code    = @'
Get-BackupPlan | Where-Object {
    $_.LastJobStatus -ne 'Completed' -or $_.LastBackupTime -lt (Get-Date).AddDays(-1)
} | Format-Table Name, LastJobStatus, LastBackupTime
'@
            Remarks = @'
Lists the plans whose last backup did not complete cleanly, or that have no backup point from the last
24 hours (including plans that never ran, whose LastBackupTime is empty).
'@
        }
        @{
            Title   = 'The schedule of every plan'
            Code    = 'Get-BackupPlan | Sort-Object NextRunTime | Format-Table Name, Policy, Suspended, NextRunTime, LastBackupTime, LastJobStatus'
            Remarks = @'
Shows which plans run next. Plans without a policy and suspended plans (empty NextRunTime) come first.
'@
        }
        @{
            Title   = 'See all settings of a plan'
            Code    = 'Get-BackupPlan nightly | Format-List *'
            Remarks = 'Shows every property, including Endpoint, Region, ProfileName, ForcePathStyle, Include, Exclude, the inventory settings and CreatedAt.'
        }
    )

    Notes        = @'
Credentials are never part of a plan: only ProfileName, the name of a credentials profile, is stored.
'@

    RelatedLinks = @('New-BackupPlan', 'Set-BackupPlan', 'Suspend-BackupPlan', 'Remove-BackupPlan', 'Start-OssBackup', 'Invoke-BackupSchedule', 'Get-BackupHistory', 'Get-BackupJob', 'about_OssBackup')
}
