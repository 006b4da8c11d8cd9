@{
    Synopsis     = 'Changes the schedule, retention rules, time zone, alert webhook or restore drills of a backup policy.'

    Description  = @'
Set-BackupPolicy changes a policy created with New-BackupPolicy and returns it as saved. Only the settings
given are changed; the others keep their values. The change applies to every plan of the policy.

- A new -Interval or -StartTime moves the slots at once. The next call of Invoke-BackupSchedule runs a plan
  when the latest slot of the new schedule is later than the plan's last run; missed slots are still run
  only once.
- New -Keep* rules (or a new -TimeZone) are applied after the next backup of each plan that ends
  Completed, not now. Points that the new rules do not keep are then deleted: check them with
  Get-BackupRetention before that. A rule set to 0 is removed; a policy left without any rule keeps every
  point.
- A new -AlertWebhook is used for the next alert. -AlertWebhook $null stops the alerts.
- A new -DrillInterval moves the drill slots at once, as -Interval moves the backup slots; -DrillInterval 0
  stops the scheduled drills (and forgets the sample setting). -DrillSampleSize replaces a
  -DrillSamplePercent set before, and the other way round; the next drill uses it.

The vault of a policy cannot be changed: create another policy and move the plans to it with
Set-BackupPlan -Policy, or keep them with a plan of their own.

Policies can be piped in from Get-BackupPolicy (by their Name property), so one call can change several.
'@

    Parameters   = @{
        Name         = @'
The name of the policy to change. It can come from the pipeline, as the Name property of a BackupPolicy
from Get-BackupPolicy. Do not pipe plans: their Name is a plan name. An unknown name writes a
non-terminating OssBackup.NotFound error.
'@
        Interval     = @'
The new time between two scheduled runs, as a TimeSpan such as '01:00:00' or '1.00:00:00'. At least one
minute. A bare number is read as ticks and refused.
'@
        StartTime    = @'
The new first slot of the schedule; slots follow every -Interval from it. A date and time without an
offset is read in the local time zone of this computer. Use it to move the time of day of the runs.
'@
        KeepLast     = 'The new number of newest backup points to keep for each plan; 0 removes the rule.'
        KeepWithin   = @'
The new time before now within which every point is kept, as a TimeSpan such as '30.00:00:00' or
(New-TimeSpan -Days 30); 0 removes the rule. A bare number is read as ticks, not days.
'@
        KeepDaily    = 'The new number of days (in -TimeZone) whose newest point is kept; 0 removes the rule.'
        KeepWeekly   = 'The new number of ISO weeks (in -TimeZone) whose newest point is kept; 0 removes the rule.'
        KeepMonthly  = 'The new number of calendar months (in -TimeZone) whose newest point is kept; 0 removes the rule.'
        KeepYearly   = 'The new number of calendar years (in -TimeZone) whose newest point is kept; 0 removes the rule.'
        TimeZone     = @'
The time zone the daily, weekly, monthly and yearly rules count in: an IANA id such as 'Asia/Shanghai' or a
Windows id such as 'China Standard Time', known to this computer. It does not move the schedule.
'@
        AlertWebhook = @'
The new absolute http(s) URL alerts are POSTed to (see New-BackupPolicy for the JSON body). $null removes
the webhook, and with it all alerts of the policy's plans.
'@
        DrillInterval = @'
The new time between two scheduled restore drills of each plan, as a TimeSpan such as '7.00:00:00', or a
number of days. At least one minute; 0 turns the scheduled drills off. Drill slots are -StartTime + k x
-DrillInterval.
'@
        DrillSampleSize = 'The new number of objects each scheduled drill tests (1 to 1,000,000). Replaces a -DrillSamplePercent. The policy must have (or be given) a -DrillInterval.'
        DrillSamplePercent = 'The new percentage of objects each scheduled drill tests (0.0001 to 100). Replaces a -DrillSampleSize. The policy must have (or be given) a -DrillInterval.'
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupPolicy'; Description = 'A policy from Get-BackupPolicy; its Name property is bound to -Name.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPolicy'; Description = 'The policy as saved, one for each policy changed. Nothing with -WhatIf.' }
    )

    Examples     = @(
        @{
            Title   = 'Keep more daily points'
            Code    = 'Set-BackupPolicy -Name nightly -KeepDaily 30'
            Remarks = @'
From the next completed backup of each plan of "nightly" on, the newest point of each of the last 30 days
is kept. The other settings of the policy are unchanged.
'@
        }
        @{
            Title   = 'Move the nightly run from 02:00 to 23:30'
            Code    = @'
$policy = Get-BackupPolicy nightly
Set-BackupPolicy nightly -StartTime ([DateTimeOffset]::new(2025, 3, 1, 23, 30, 0, $policy.StartTime.Offset))
'@
            Remarks = @'
Keeps the interval and the offset of the old start time, and moves the slots to 23:30. A plan whose last
run was before the latest 23:30 slot runs at the next call of Invoke-BackupSchedule.
'@
        }
        @{
            Title   = 'Send the alerts of every policy to a new webhook'
            Code    = "Get-BackupPolicy | Set-BackupPolicy -AlertWebhook 'https://alerts.example.com/ossbackup'"
            Remarks = 'Each policy is piped in by its Name and changed in turn; the changed policies are shown.'
        }
        @{
            Title   = 'Stop the alerts of a policy for a while'
            Code    = 'Set-BackupPolicy -Name hourly -AlertWebhook $null'
            Remarks = @'
Removes the webhook: no JobFailed, JobPartiallyCompleted or PlanStale events are sent for the plans of
"hourly" until a webhook is set again. The backups themselves are not affected.
'@
        }
        @{
            Title   = 'Drill every plan of a policy once a day, with 1% of the objects'
            Code    = 'Set-BackupPolicy -Name nightly -DrillInterval 1 -DrillSamplePercent 1'
            Remarks = @'
From the next drill slot on (the policy's -StartTime + k days), Invoke-BackupSchedule restores about 1% of
the newest point of each plan of "nightly" to scratch space and checks it. Set-BackupPolicy nightly
-DrillInterval 0 turns the drills off again.
'@
        }
        @{
            Title   = 'Preview a change'
            Code    = 'Set-BackupPolicy nightly -KeepLast 7 -WhatIf'
            Remarks = 'Says which policy would change. Nothing is written.'
        }
    )

    Notes        = @'
Errors are non-terminating (so a pipeline of policies goes on); their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: no policy with this name.
- OssBackup.InvalidArgument: an -Interval under one minute, a negative -Keep* value or -KeepWithin, an
  unknown -TimeZone, an -AlertWebhook that is not an absolute http(s) URL, a -DrillInterval under one
  minute, both -DrillSampleSize and -DrillSamplePercent, or a sample setting on a policy without drills.
  The policy is not changed.
'@

    RelatedLinks = @('New-BackupPolicy', 'Get-BackupPolicy', 'Remove-BackupPolicy', 'Get-BackupRetention', 'Set-BackupPlan', 'Invoke-BackupSchedule', 'about_OssBackup')
}
