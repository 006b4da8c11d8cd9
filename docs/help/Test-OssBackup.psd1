@{
    Synopsis     = 'Tests that a backup can really be restored: restores a random sample of a point to scratch space and checks every byte.'

    Description  = @'
Test-OssBackup is a restore drill. It picks a random sample of the objects of a backup point (by default
the plan's newest point), restores them through the ordinary restore path into a scratch folder, reads
every restored file back and checks each chunk against the SHA-256 it was stored under, then deletes the
scratch folder. It returns one result per plan, with Passed True only when every sampled object was
restored and matched.

A backup job that completed proves that data was written; a drill proves that it can be read back: that
the vault's files are all there, undamaged, and that the restore works. Run it regularly, for example
after the nightly backups, and alert on a failure.

The sample is chosen anew at each run, so repeated drills cover more of the point over time. -SampleSize
takes a fixed number of objects (100 by default); -SamplePercent takes each object with that probability,
so the number varies from run to run. Folder markers (keys ending in "/") are not sampled. The sample is
held in memory, not the point, so points of any size can be tested.

Only the vault is read; the source bucket is not contacted and needs no credentials. The scratch folder is
in the tmp folder of the catalog's folder (see about_OssBackup, WHERE THINGS LIVE), so that disk needs room
for the sample. The restore of the sample is recorded as a restore job (Get-RestoreJob) whose target is the
scratch folder; its job items are the objects that failed (Get-BackupJobItem accepts the drill itself).

Every drill is kept in the catalog with its outcome (Trigger Manual), beside the drills Invoke-BackupSchedule
runs for policies with a -DrillInterval (Trigger Scheduled); Get-BackupDrill lists them. A drill that does
not pass, including one that cannot run at all (for example a plan with no backup point yet), is recorded
as Failed with the reason in Message and, when the plan's policy has an -AlertWebhook, reported to it as a
DrillFailed event, as a failed backup is.
'@

    Parameters   = @{
        Plan          = @'
The plan whose newest point to test: a plan name, or a BackupPlan from Get-BackupPlan. Plans can be piped
in; each is tested in turn. A BackupJob or BackupPoint stands for its plan.
'@
        BackupPoint   = @'
A point to test instead of the plan's newest: a point id, a BackupPoint, a BackupJob, or an earlier drill
(to test its point again). Give a point of the plan named by -Plan.
'@
        SampleSize    = 'How many objects to test, chosen at random among the objects of the point. 1 to 1,000,000; default 100. A point with fewer objects is tested whole.'
        SamplePercent = @'
Tests this percentage of the objects instead of a fixed number: each object is chosen with this
probability (0.0001 to 100), so the sample size varies. -SamplePercent 100 tests every object of the point.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupTestResult'; Description = @'
One result for each plan tested, as recorded in the catalog (Get-BackupDrill returns the same objects): Id,
Plan, Trigger (Manual), Status (Completed when every sampled object restored and matched, else Failed),
StartTime, EndTime, BackupPointId, SampleSize or SamplePercent, ObjectsInPoint, SampledObjects,
PassedObjects, FailedObjects, VerifiedBytes, Duration, Passed (True when Status is Completed), FailedKeys
(the keys that did not restore or match), RestoreJobId and Message (why the drill failed). A drill that
could not run is written too, with the error.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'Test the newest backup of a plan'
            Code    = 'Test-OssBackup -Plan nightly'
            Remarks = 'Restores 100 random objects of the newest point of "nightly" to scratch space, checks them byte for byte, and shows the result.'
        }
        @{
            Title   = 'Test every plan after the nightly backups, and fail loudly'
            Code    = @'
Import-Module OssBackup
$results = Get-BackupPlan | Test-OssBackup -SampleSize 500 -ErrorAction SilentlyContinue
$results | Format-Table Plan, BackupPointId, SampledObjects, FailedObjects, Passed, Duration
if ($results | Where-Object { -not $_.Passed }) { exit 1 }
'@
            Remarks = @'
Run from cron or a scheduled task some time after the backups. The exit code is 1 when the drill of any
plan failed; the failed keys are in the results (FailedKeys).
'@
        }
        @{
            Title   = 'A thorough test of one old point'
            Code    = @'
$point = Get-BackupHistory -Plan media | Where-Object CreatedAt -lt '2025-01-01' | Select-Object -Last 1
Test-OssBackup -Plan media -BackupPoint $point -SamplePercent 10
'@
            Remarks = 'Restores about a tenth of the objects of the last point made in 2024 and checks them, for example before relying on it for an audit.'
        }
        @{
            Title   = 'Which objects failed'
            Code    = "(Test-OssBackup nightly -ErrorAction SilentlyContinue).FailedKeys"
            Remarks = 'Lists the keys that could not be restored or did not match; restore one of them with Restore-OssObject to see the error.'
        }
    )

    Notes        = @'
Errors are non-terminating; their FullyQualifiedErrorId starts with:
- OssBackup.DrillFailed: at least one sampled object could not be restored or did not match, or the point
  holds no object to test. TargetObject is the result, which is also written to the output.
- ObjectFailed.<code>: a sampled object could not be restored (as with Restore-OssObject -TargetPath), or
  ObjectFailed.VerificationFailed: it was restored but did not match when read back. It counts as failed.
  A key that cannot be a file name (UnsafeKey.<reason>) fails the drill too.
- DrillFailed.<reason>: the drill could not run, and is recorded as Failed: DrillFailed.NotFound for a plan
  with no backup point yet, or a vault that is not registered or whose folder is gone;
  DrillFailed.InvalidData when a file of the vault that the point's table needs is damaged. TargetObject
  is the recorded drill, which is also written to the output.
- OssBackup.NotFound: no plan with this name, or an unknown point. Nothing is recorded.

The drill uses local disk space for the sample while it runs and deletes it at the end, also when it
fails or is cancelled with Ctrl+C.
'@

    RelatedLinks = @('Get-BackupDrill', 'New-BackupPolicy', 'Invoke-BackupSchedule', 'Restore-OssObject', 'Get-BackupHistory', 'Get-RestoreJob', 'Get-BackupJobItem', 'about_OssBackup')
}
