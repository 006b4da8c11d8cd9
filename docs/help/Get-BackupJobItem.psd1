@{
    Synopsis     = 'Gets the objects of a backup or restore job that failed or were skipped, with the reason for each.'

    Description  = @'
Get-BackupJobItem lists, for one job, each object that did not go as planned: the objects that failed
(Status Failed), those that were left out on purpose (Status Skipped) and, for a restore with -Rollback,
the objects it deleted from the target (Status Deleted, Code NotInPoint). Objects that were backed up or
restored normally are not listed, so a job that Completed with no skipped objects has no items.

Each item has the JobId, the object's Key, its Status, a stable Code and a Message in words. Items come in
the order the job recorded them. They are kept in the catalog with the job, so they can be read long after
the errors scrolled by, from any session, for example for the job a scheduled run made overnight.

Codes:
- Backup, Failed: IntegrityCheckFailed (the content read did not match its checksum), or the name of the
  .NET exception (for example AmazonS3Exception, HttpRequestException, IOException). The same code is in
  the ObjectFailed.<code> error the job wrote.
- Backup, Skipped: StorageClass (an archive storage class that needs a restore request before it can be
  read).
- Restore, Failed: TargetExists (with -Conflict Fail), an S3 error code of the target (for example
  AccessDenied), UnsafeKey.<reason> or FileFolderConflict (restoring to a folder, -TargetPath), or the name
  of the .NET exception.
- Restore, Skipped: TargetExists (with -Conflict Skip).
- Restore drill (Test-OssBackup, Get-BackupDrill), Failed: the restore codes above (for example
  IntegrityCheckFailed when the vault's data is damaged), or VerificationFailed when the restored file
  did not match the backup when read back (missing, of another size, or a chunk with another SHA-256).
'@

    Parameters   = @{
        Job    = @'
The job: a job id (a number, as in the Id column of Get-BackupJob), or a BackupJob or RestoreJob, for
example as returned by Start-OssBackup, Invoke-BackupSchedule, Restore-OssObject or Get-BackupJob, or a
restore drill (BackupTestResult from Test-OssBackup, Invoke-BackupSchedule or Get-BackupDrill), which
stands for the restore job of its sample. Jobs can be piped in; the items of each are listed in turn. An
id with no job, or a drill that never got to restoring, returns nothing.
'@
        Status = 'Lists only the items with this status: Failed, Skipped or Deleted (objects a restore with -Rollback deleted). By default, all.'
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupJob'; Description = 'A backup job, from Start-OssBackup, Invoke-BackupSchedule or Get-BackupJob.' }
        @{ Type = 'OssBackup.RestoreJob'; Description = 'A restore job, from Restore-OssObject.' }
        @{ Type = 'OssBackup.BackupTestResult'; Description = 'A restore drill, from Test-OssBackup, Invoke-BackupSchedule or Get-BackupDrill.' }
        @{ Type = 'System.Int64'; Description = 'A job id.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.JobItem'; Description = 'One item for each failed or skipped object: JobId, Key, Status, Code, Message.' }
    )

    Examples     = @(
        @{
            Title   = 'What failed in the last backup of a plan'
            Code    = 'Get-BackupJob -Plan nightly -Last 1 | Get-BackupJobItem -Status Failed'
            Remarks = 'Lists the keys the most recent backup of "nightly" could not read, with the error code and message of each.'
        }
        @{
            Title   = 'A CSV report of a partly completed backup'
            Code    = @'
$job = Start-OssBackup -Plan nightly -ErrorAction SilentlyContinue
if ($job.Status -eq 'PartiallyCompleted') {
    Get-BackupJobItem -Job $job -Status Failed |
        Export-Csv -Path "./nightly-$($job.Id)-failed.csv"
}
'@
            Remarks = @'
The per-object errors are not shown (-ErrorAction SilentlyContinue); they are in the CSV instead, one line
for each key that failed, with its code and message, ready for a spreadsheet or a ticket.
'@
        }
        @{
            Title   = 'The job id from an alert'
            Code    = 'Get-BackupJobItem -Job 412 | Group-Object Status, Code | Sort-Object Count -Descending | Format-Table Count, Name'
            Remarks = @'
A JobPartiallyCompleted alert carries the job id (jobId). This counts the job's failed and skipped objects
by code, to see at a glance whether it is one kind of problem (for example all AccessDenied).
'@
        }
        @{
            Title   = 'Objects skipped because of their storage class'
            Code    = @'
Get-BackupJob -Plan media -Last 1 | Get-BackupJobItem -Status Skipped |
    Where-Object Code -eq 'StorageClass' | Select-Object -ExpandProperty Key
'@
            Remarks = 'Lists the archived objects the backup could not read; restore them in the bucket first to have them backed up.'
        }
        @{
            Title   = 'Objects a restore left alone'
            Code    = @'
$restore = Restore-OssObject -BackupPoint 3f9a1c07d2e45b86 -Prefix contracts/ -TargetBucket corp-assets -Conflict Skip
Get-BackupJobItem -Job $restore -Status Skipped | Select-Object Key, Message
'@
            Remarks = 'Shows which objects already existed in the target and were therefore not restored.'
        }
    )

    Notes        = @'
Get-BackupJobItem only reads the catalog. Job ids are shared by backup and restore jobs, so an id names
one job of either kind. A job still Running already has the items recorded so far.
'@

    RelatedLinks = @('Get-BackupJob', 'Start-OssBackup', 'Invoke-BackupSchedule', 'Restore-OssObject', 'about_OssBackup')
}
