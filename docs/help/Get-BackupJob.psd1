@{
    Synopsis     = 'Gets backup jobs: the record of each backup run, with its status and counters.'

    Description  = @'
Get-BackupJob lists backup jobs from the catalog, oldest first. A job is recorded for every backup, run
by Start-OssBackup or by Invoke-BackupSchedule, whether it completed, partly completed, failed or was
cancelled; a backup point exists
only for the runs that completed or partly completed (BackupPointId).

Without parameters it returns the jobs of all plans. -Plan limits it to one plan, -Id gets one job, and
-Last keeps only the most recent jobs. Restore jobs are listed by Get-RestoreJob.

A job that failed carries the reason in Message. A job still Running whose process has ended is shown as
Failed with the message "Interrupted: ...". The objects a job could not read, or skipped, are listed by
Get-BackupJobItem.

The jobs of a plan removed with Remove-BackupPlan stay: -Plan with its name still lists them, and their
BackupPointId leads to its points, which can still be restored.
'@

    Parameters   = @{
        Plan = @'
Gets the jobs of this plan only: a plan name, or a BackupPlan (also from the pipeline). A BackupJob or
BackupPoint stands for its plan. An unknown plan name returns nothing. The name of a removed plan
returns that plan's jobs.
'@
        Id   = 'Gets the job with this id. Returns nothing when there is no such backup job.'
        Last = 'Returns only this many of the most recent jobs (still oldest first). At least 1.'
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupJob'; Description = 'One object for each job, oldest first.' }
    )

    Examples     = @(
        @{
            Title   = 'Show the last backup of a plan'
            Code    = 'Get-BackupJob -Plan nightly -Last 1 | Format-List *'
            Remarks = 'Shows every counter of the most recent backup of the plan "nightly", with its duration and message.'
        }
        @{
            Title   = 'Find failed backups of the last week'
            Code    = @'
Get-BackupJob | Where-Object { $_.Status -in 'Failed', 'PartiallyCompleted' -and $_.StartTime -gt (Get-Date).AddDays(-7) } |
    Format-Table Id, Plan, Status, StartTime, FailedObjects, Message -Wrap
'@
            Remarks = 'Lists the jobs of all plans that failed or left objects out during the last seven days, with the reason.'
        }
        @{
            Title   = 'Recent jobs of every plan'
            Code    = 'Get-BackupPlan | Get-BackupJob -Last 3'
            Remarks = 'For each plan, shows its three most recent backup jobs.'
        }
        @{
            Title   = 'The job that made a backup point'
            Code    = @'
$point = Get-BackupHistory -Plan nightly -Last 1
Get-BackupJob -Id $point.JobId
'@
            Remarks = @'
A backup point records the id of the job that made it in JobId. Use -Id: piping the point itself to
Get-BackupJob would list all jobs of its plan.
'@
        }
    )

    Notes        = @'
Throughput: BytesPerSecond is BackedUpBytes divided by the job's duration, so an incremental run that found
nothing new shows a low rate. Compare WrittenBytes with BackedUpBytes to see the saving from deduplication
and compression.
'@

    RelatedLinks = @('Start-OssBackup', 'Invoke-BackupSchedule', 'Get-BackupJobItem', 'Get-BackupHistory', 'Get-BackupPlan', 'about_OssBackup')
}
