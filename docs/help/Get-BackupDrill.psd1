@{
    Synopsis     = 'Gets the history of restore drills: every drill run by Invoke-BackupSchedule or Test-OssBackup, with what it tested and what failed.'

    Description  = @'
Get-BackupDrill lists the restore drills kept in the catalog, oldest first. Every drill is recorded: those
Invoke-BackupSchedule runs for the drill slots of a policy (-DrillInterval of New-BackupPolicy), and those run
by hand with Test-OssBackup. The objects are the same BackupTestResult objects those cmdlets return, so a
drill that ran overnight can be looked at, piped and exported the next morning exactly as if it had just
run.

Each drill has its Id, Plan, Trigger (Scheduled or Manual), StartTime and EndTime, the BackupPointId it
tested, the sample asked for (SampleSize or SamplePercent), ObjectsInPoint, SampledObjects, PassedObjects,
FailedObjects, VerifiedBytes, Duration, Status, Passed, FailedKeys, RestoreJobId and Message.

Status is Completed when every sampled object was restored and matched the backup (Passed is then True),
Failed when any did not or when the drill could not run at all (Message says why: for example a plan with
no backup point yet, or a vault folder that is gone), Cancelled, or Running while a drill is under way.
A drill whose process was killed shows as Failed ("Interrupted: ...").

The keys that failed are in FailedKeys; Get-BackupJobItem on the drill gives each one with a code and a
message (the drill's restore job holds them), ready for Export-Csv.
'@

    Parameters   = @{
        Plan   = @'
Lists only the drills of this plan: a plan name, or a BackupPlan from Get-BackupPlan (a BackupJob,
BackupPoint or drill stands for its plan). Plans can be piped in. Without it, the drills of every plan are
listed, including plans removed since.
'@
        Id     = 'Gets the drill with this id (the Id property of a drill, and the drillId of a DrillFailed alert).'
        Last   = 'Lists only the N newest drills (of the plan, when -Plan is given).'
        Failed = 'Lists only the drills that did not pass (Status Failed or Cancelled). With -Last, the N newest of those.'
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupTestResult'; Description = 'One object for each drill, oldest first. See Test-OssBackup for the properties.' }
    )

    Examples     = @(
        @{
            Title   = 'How did the last drill of each plan go?'
            Code    = 'Get-BackupPlan | Get-BackupDrill -Last 1'
            Remarks = 'Shows the newest drill of every plan: when it ran, which point it tested, how many objects it sampled, how many failed, and whether it passed.'
        }
        @{
            Title   = 'Report the objects a failed drill could not restore'
            Code    = @'
$drill = Get-BackupDrill -Plan nightly -Failed -Last 1
$drill | Format-List Plan, StartTime, BackupPointId, SampledObjects, FailedObjects, Message
$drill | Get-BackupJobItem | Export-Csv "drill-$($drill.Id)-failed.csv"
'@
            Remarks = @'
Takes the newest drill of "nightly" that did not pass, shows why, and writes each failed key with its code
(for example IntegrityCheckFailed, VerificationFailed) and message to a CSV file.
'@
        }
        @{
            Title   = 'The drill a webhook alert was about'
            Code    = 'Get-BackupDrill -Id 57 | Format-List *'
            Remarks = 'A DrillFailed alert carries the drill id (drillId in the JSON body); this shows everything recorded about that drill.'
        }
        @{
            Title   = 'Has every plan passed a drill in the last week?'
            Code    = @'
$since = [DateTimeOffset]::Now.AddDays(-7)
Get-BackupPlan | Where-Object { -not (Get-BackupDrill -Plan $_ | Where-Object { $_.Passed -and $_.StartTime -gt $since }) } |
    Select-Object Name, Policy, NextDrillTime
'@
            Remarks = 'Lists the plans with no passed drill in the last seven days, and when the scheduler will drill them next (NextDrillTime, empty when their policy has no -DrillInterval).'
        }
    )

    Notes        = @'
Get-BackupDrill only reads the catalog; it writes no errors of its own except OssBackup.InvalidArgument for
a -Plan value that is neither a name nor a plan. A plan with no drills, or an unknown plan, returns nothing.
'@

    RelatedLinks = @('Test-OssBackup', 'Invoke-BackupSchedule', 'New-BackupPolicy', 'Get-BackupJobItem', 'about_OssBackup')
}
