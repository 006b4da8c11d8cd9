@{
    Synopsis     = 'Gets restore jobs: the record of each restore, with its target, status and counters.'

    Description  = @'
Get-RestoreJob lists the restore jobs in the catalog, oldest first. A restore job is recorded for each
backup point that Restore-OssObject restored from, whether it completed, partly completed, failed or was
cancelled. Backup jobs are listed by Get-BackupJob.

Each job shows the point it restored from (BackupPointId), its Target (a bucket and prefix, or a folder),
Status, StartTime and EndTime, RestoredObjects and RestoredBytes, SkippedObjects, FailedObjects,
BytesPerSecond and, for a job that failed, Message. The objects it skipped or could not restore are listed
by Get-BackupJobItem.
'@

    Parameters   = @{
        Id   = 'Gets the restore job with this id. Returns nothing when there is no such restore job.'
        Last = 'Returns only this many of the most recent restore jobs (still oldest first). At least 1.'
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.RestoreJob'; Description = 'One object for each restore job, oldest first.' }
    )

    Examples     = @(
        @{
            Title   = 'The last restores'
            Code    = 'Get-RestoreJob -Last 5'
            Remarks = 'Shows the five most recent restores with their point, target, status and counts.'
        }
        @{
            Title   = 'What a restore could not write'
            Code    = 'Get-RestoreJob -Last 1 | Get-BackupJobItem | Format-Table Key, Status, Code, Message -Wrap'
            Remarks = 'Lists the objects the most recent restore skipped or could not write, with the reason for each.'
        }
        @{
            Title   = 'Restores that did not complete'
            Code    = "Get-RestoreJob | Where-Object Status -ne 'Completed' | Format-Table Id, BackupPointId, Target, Status, FailedObjects, Message -Wrap"
            Remarks = 'Lists every restore that failed, left objects out or was cancelled.'
        }
    )

    Notes        = @'
Get-RestoreJob only reads the catalog. Backup and restore jobs share one series of ids.
'@

    RelatedLinks = @('Restore-OssObject', 'Get-BackupJobItem', 'Get-BackupJob', 'about_OssBackup')
}
