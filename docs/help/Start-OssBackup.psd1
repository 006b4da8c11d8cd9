@{
    Synopsis     = 'Runs a backup of a plan and adds a backup point to its vault.'

    Description  = @'
Start-OssBackup backs up the bucket (and prefix) of a plan into the plan's vault, and returns the backup
job when it ends. A completed backup adds a backup point: the state of the source at that time, complete
on its own and restorable with Restore-OssObject.

The first backup of a plan reads every object (Mode Full). Later backups are incremental: the source is
listed (or, for a plan made with -InventoryBucket and -InventoryId, its newest inventory is read) and each
object is compared with the plan's previous backup point. An object whose size, ETag and
last-modified time are all the same is carried over without being read (UnchangedObjects); only new and
changed objects are read (BackedUpObjects). Objects that are no longer in the source are left out of the
new point but stay in the older ones. The content read is cut into chunks that are stored once in the
vault, so even a changed object only adds the chunks the vault does not already hold (WrittenBytes).

Objects are read 16 at a time (-Parallelism changes that). Progress (objects and bytes, throughput, time remaining) is shown with
Write-Progress. Press Ctrl+C to stop: the job ends as Cancelled and earlier backup points are unchanged.

Objects that cannot be read are reported one by one as non-terminating errors (ObjectFailed.<code>) and
the backup goes on. The job then ends as PartiallyCompleted and the new point holds the previous version
of each failed object, when there was one. Objects in storage classes that must be restored before they
can be read (Archive, ColdArchive, DeepColdArchive, GLACIER, DEEP_ARCHIVE) are skipped (SkippedObjects);
the new point keeps the version an earlier point holds.

When the backup fails as a whole (the bucket cannot be listed, the vault cannot be written...), no point
is added, the job is recorded as Failed, and a non-terminating BackupFailed.* error is written whose
TargetObject is the failed job; nothing is written to the output. When no credentials are found, the
backup does not start: an OssBackup.CredentialsNotFound error is written and no job is recorded. Several plans
piped in are each backed up in turn, even when one of them fails.

Start-OssBackup runs a plan now, whether or not it has a policy. A scheduled plan backed up by hand is
not backed up again by Invoke-BackupSchedule for the slot that has just passed: any run that starts after a
slot covers it. A suspended plan is backed up once and stays suspended (Resume-BackupPlan puts it back on
its schedule). A plan that is being backed up by another process (a scheduled run, or another session) is
not started twice: Start-OssBackup writes an OssBackup.PlanBusy error for it and records no job.

For a plan with a policy, two more things happen. After a backup that ends Completed, the policy's
retention rules are applied to the plan's points, and the points they do not keep are deleted, with the
vault data only they used (see Get-BackupRetention); if that fails, for example because another backup
is using the vault, a warning says so, the backup stands, and the next completed backup tries again. A
job that ends Failed or PartiallyCompleted is reported to the policy's alert webhook, if it has one; an
alert that cannot be delivered is a warning and does not change the job.

The objects that failed or were skipped are recorded with the job: Get-BackupJobItem lists them, with a
code and a message for each, long after the errors have scrolled by.

Credentials are looked for in this order: -Credential, the plan's ProfileName, the OSS_ACCESS_KEY_ID and
OSS_ACCESS_KEY_SECRET environment variables, then AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
'@

    Parameters   = @{
        Plan       = @'
The plan to back up: a plan name, or a BackupPlan from Get-BackupPlan. Plan names and plans can be piped
in; each is backed up in turn. A BackupJob or BackupPoint also stands for its plan.
'@
        Credential = @'
The access key for this run, as a PSCredential: the user name is the access key id, the password the
access key secret. It overrides the plan's ProfileName and the environment variables, and is not stored.
'@
        Parallelism = @'
How many objects are read at once (1-256; default 16). More helps a bucket of many small objects on a
distant endpoint, where each GET mostly waits; fewer limits the load on a busy source. Each worker holds
at most one 8 MiB chunk in memory, so memory grows with this value, not with the bucket.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan or New-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupJob'; Description = @'
One job for each plan backed up, with Status Completed or PartiallyCompleted and the point it made in
BackupPointId. Its counters say what happened: ScannedObjects/ScannedBytes (listed after filters),
BackedUpObjects/BackedUpBytes (read), UnchangedObjects, SkippedObjects (and SkippedByReason, for example
by storage class), FailedObjects, ChangedSinceScanObjects, GoneSinceScanObjects, WrittenBytes (added to
the vault) and BytesPerSecond. For inventory plans, Inventory names the inventory that was read.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'Back up a plan'
            Code    = 'Start-OssBackup -Plan nightly'
            Remarks = @'
Backs up the plan "nightly" and shows the job: status, mode, and how many objects were scanned, read,
carried over unchanged and failed.
'@
        }
        @{
            Title   = 'Back up every plan'
            Code    = 'Get-BackupPlan | Start-OssBackup'
            Remarks = 'Backs up all plans one after the other. A plan that fails does not stop the others.'
        }
        @{
            Title   = 'Back up a plan taken from Get-BackupPlan'
            Code    = 'Get-BackupPlan nightly | Start-OssBackup -Credential (Get-Credential -UserName LTAI5tExampleKeyId)'
            Remarks = 'Runs the backup with an access key typed in now instead of the profile or environment variables.'
        }
        @{
            Title   = 'See how much a backup read and wrote'
            Code    = @'
$job = Start-OssBackup nightly
$job | Format-List Status, Mode, ScannedObjects, BackedUpObjects, UnchangedObjects, FailedObjects,
    @{ n = 'ReadMiB'; e = { [math]::Round($_.BackedUpBytes / 1MB, 1) } },
    @{ n = 'WrittenMiB'; e = { [math]::Round($_.WrittenBytes / 1MB, 1) } }, Duration
'@
            Remarks = @'
After an incremental backup, BackedUpObjects counts only new and changed objects, and WrittenMiB is usually
much smaller than ReadMiB because chunks already in the vault are not stored again.
'@
        }
        @{
            Title   = 'Run from cron with a meaningful exit code'
            Code    = @'
# /etc/cron.d/ossbackup:  30 2 * * *  backup  pwsh -NoProfile -File /opt/ossbackup/nightly.ps1
Import-Module OssBackup
$job = Start-OssBackup -Plan nightly -ErrorVariable failures
if (-not $job) {
    # No point was made: the backup failed as a whole (BackupFailed.*) or did not start
    # (OssBackup.PlanBusy, OssBackup.CredentialsNotFound...). The error says why.
    $failures | Where-Object FullyQualifiedErrorId -notlike 'ObjectFailed.*' | ForEach-Object { $_.FullyQualifiedErrorId }
    exit 1
}
if ($job.Status -eq 'PartiallyCompleted') { exit 2 }   # a point was made, some objects failed
exit 0
'@
            Remarks = @'
Exit code 0: a complete point; 2: a point was made but some objects could not be read (each one was
reported as an ObjectFailed.* error); 1: no point. Errors are also written to stderr, which cron mails.
Do not use -ErrorAction Stop (or $ErrorActionPreference = 'Stop') here: the first object that fails would
then end the command with a terminating error, without returning the job.
'@
        }
        @{
            Title   = 'Back up a suspended plan once'
            Code    = @'
Get-BackupPlan | Where-Object Suspended | Start-OssBackup
'@
            Remarks = @'
Backs up every suspended plan now, for example before a maintenance window ends. They stay suspended:
Invoke-BackupSchedule still skips them until Resume-BackupPlan.
'@
        }
        @{
            Title   = 'List the objects a backup could not read'
            Code    = @'
$job = Start-OssBackup nightly -ErrorAction SilentlyContinue
if ($job.Status -eq 'PartiallyCompleted') { Get-BackupJobItem -Job $job -Status Failed | Format-Table Key, Code, Message -Wrap }
'@
            Remarks = 'The per-object errors are kept with the job; Get-BackupJobItem lists them with their error code.'
        }
        @{
            Title   = 'Back up, then browse the new point'
            Code    = 'Start-OssBackup nightly | Get-BackupObject -Prefix reports/'
            Remarks = 'A job goes down the pipeline as its backup point: this lists the objects under reports/ in the point just made.'
        }
    )

    Notes        = @'
Error ids (the start of $_.FullyQualifiedErrorId):
- OssBackup.NotFound: no plan with this name, or its vault is not registered (non-terminating).
- OssBackup.PlanBusy: another process is backing up this plan right now; nothing was done and no job was
  recorded (non-terminating). Try again when that backup has ended (Get-BackupJob shows it as Running).
- OssBackup.CredentialsNotFound: no credentials were found for the plan, or its ProfileName names no
  profile; no job was recorded (non-terminating).
- BackupFailed.<reason>: the backup failed as a whole; TargetObject is the Failed BackupJob. Reasons:
  AccessDenied, BucketNotFound, EndpointUnreachable, NotFound (for example the vault
  folder is gone), VaultLocked (backup points are being deleted from the vault right now: try again
  shortly), InvalidData, Failed (anything else), and for inventory plans InventoryNotFound,
  InventoryIncomplete, InventoryUnusable, InventoryTooOld, InventoryNotUpdated, InventoryManifestInvalid,
  InventoryDataFileMissing, InventoryDataFileCorrupt, InventoryRowInvalid (see Get-OssInventory).
- ObjectFailed.<code>: one object could not be read; TargetObject is its key. IntegrityCheckFailed means
  the content read did not match its checksum; other codes name the .NET exception.

Warnings (not errors) tell, for inventory plans, when a newer inventory was passed over because it was
still being written, when rows were ignored, or when deleting used inventories (InventoryCleanup) failed.

An incremental backup of an inventory plan compares the inventory with a digest of the previous backup
point that this machine keeps in the cache folder of the OssBackup home ($env:OSSBACKUP_HOME, by default
the local application data folder): 24 bytes per object, for the newest point of each inventory plan. On a
machine that has none (another machine made the point, or the cache was deleted) or whose copy is damaged,
the backup says so in a warning and rebuilds it from the point, which takes about as long as reading the
point's object list once. Deleting the cache folder is always safe.

A job whose process ended before it finished (for example a killed session) is shown as Failed, with the
message "Interrupted: ...", the next time the catalog is opened.
'@

    RelatedLinks = @('Get-BackupPlan', 'Get-BackupJob', 'Get-BackupJobItem', 'Invoke-BackupSchedule', 'Get-BackupHistory', 'Get-BackupObject', 'Restore-OssObject', 'Get-OssInventory', 'about_OssBackup')
}
