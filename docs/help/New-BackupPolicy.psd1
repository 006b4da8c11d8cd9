@{
    Synopsis     = 'Creates a backup policy: when its plans run, which of their backup points are kept, and where alerts go.'

    Description  = @'
New-BackupPolicy records a backup policy in the catalog. A policy says three things about the plans that
use it (New-BackupPlan -Policy, Set-BackupPlan -Policy):

- When they run. The schedule is -StartTime + k x -Interval: with a start of 02:00 and an interval of one
  day, the slots are 02:00 every day. Invoke-BackupSchedule, called every minute from cron, a systemd timer
  or the Windows Task Scheduler, runs each plan that is due. A policy does nothing on its own: without
  Invoke-BackupSchedule, its plans run only when Start-OssBackup is called.
- Which backup points are kept. After every backup of a plan that ends Completed, the plan's points are
  checked against the -Keep* rules, and the points no rule keeps are deleted with the vault data only they
  used (as Remove-BackupPoint does). A point that any rule keeps stays, and the newest point always stays.
  A backup that ends PartiallyCompleted deletes nothing. A policy without any -Keep* rule keeps every
  point; a rule set to 0 is not set. Get-BackupRetention shows what the rules keep and delete, and why.
- Where alerts go. When a job of one of its plans ends Failed or PartiallyCompleted, a restore drill does
  not pass, or a plan has had no successful backup for more than two intervals, a JSON event is POSTed to
  -AlertWebhook.
- Optionally, how often its plans are proven restorable. With -DrillInterval, Invoke-BackupSchedule also
  runs a restore drill of each plan (as Test-OssBackup does: a random sample of the newest point is
  restored to scratch space and checked byte for byte) at the drill slots -StartTime + k x -DrillInterval.
  Drill slots follow the same rules as backup slots: each is run once, missed ones are run once for the
  latest, and two schedulers never run the same drill. When a backup and a drill of a plan are due in the
  same call, the backup runs first, so the drill tests the new point. Every drill is kept in the catalog
  (Get-BackupDrill). Without -DrillInterval (the default), no drills are scheduled.

The policy also names the vault its plans back up into: every plan of the policy uses the policy's vault.

The slots are fixed points in time, -Interval apart; they do not follow daylight saving time. A daily
policy started at 02:00 in a zone with summer time runs at 02:00 in one half of the year and at 01:00 or
03:00 local time in the other. -TimeZone does not change that: it is only used by the -KeepDaily,
-KeepWeekly, -KeepMonthly and -KeepYearly rules, to say when a day, week, month or year begins.
'@

    Parameters   = @{
        Name         = @'
The name of the policy. Up to 128 characters, without slashes or control characters. Names are
case-insensitive and must be unique among policies.
'@
        Vault        = @'
The name of the vault the plans of this policy back up into, as registered with New-BackupVault. It must
exist. It cannot be changed later with Set-BackupPolicy.
'@
        Interval     = @'
The time between two scheduled runs, as a TimeSpan: for example '01:00:00' (hourly), '1.00:00:00' (daily)
or (New-TimeSpan -Days 7). At least one minute; seconds are the smallest unit kept. A bare number such as 1
is read as ticks (100-nanosecond units) and is refused.
'@
        StartTime    = @'
The first slot of the schedule; the next ones follow every -Interval. Also sets the time of day (and, for a
weekly interval, the day of the week) of the runs. A date and time without an offset, such as
'2025-03-01 02:00', is read in the local time zone of this computer; give an offset
('2025-03-01T02:00+08:00') to be explicit. A start in the future means no run before it. Default: the
time the policy is created, so the first run is due at once.
'@
        KeepLast     = 'Keeps the N newest backup points of each plan. 0 (the default) sets no such rule.'
        KeepWithin   = @'
Keeps every backup point made within this time before now (when the rules are applied), as a TimeSpan:
for example '30.00:00:00' or (New-TimeSpan -Days 30). A bare number is read as ticks, not days: use a
TimeSpan. If backups stop, older points leave this window; the newest point is kept anyway.
'@
        KeepDaily    = @'
Keeps the newest backup point of each of the N most recent days that have a point, days counted in
-TimeZone. Days without a point do not count: with -KeepDaily 7 and a backup every other day, two weeks
of points are kept.
'@
        KeepWeekly   = 'Keeps the newest backup point of each of the N most recent weeks that have a point: ISO 8601 weeks, Monday to Sunday, in -TimeZone.'
        KeepMonthly  = 'Keeps the newest backup point of each of the N most recent calendar months that have a point, in -TimeZone.'
        KeepYearly   = 'Keeps the newest backup point of each of the N most recent calendar years that have a point, in -TimeZone.'
        TimeZone     = @'
The time zone the -KeepDaily, -KeepWeekly, -KeepMonthly and -KeepYearly rules count days, weeks, months
and years in: an IANA id such as 'Asia/Shanghai' or 'Europe/Berlin', or a Windows id such as
'China Standard Time'. It must be known to this computer. Default UTC. It does not move the schedule.
'@
        AlertWebhook = @'
An absolute http or https URL. A JSON event is POSTed to it when a job of one of the policy's plans ends
Failed or PartiallyCompleted (event JobFailed or JobPartiallyCompleted), when a restore drill of one of
its plans does not pass, scheduled or run by hand with Test-OssBackup (event DrillFailed), and when
Invoke-BackupSchedule finds that a plan has had no successful backup for more than two intervals (event
PlanStale). The body is described in the notes. When omitted, no alerts are sent.
'@
        DrillInterval = @'
How often Invoke-BackupSchedule runs a restore drill of each plan of the policy, as a TimeSpan such as
'7.00:00:00' or (New-TimeSpan -Days 7); a bare number is days. At least one minute. The drill slots are
-StartTime + k x -DrillInterval: with a daily backup at 02:00 and -DrillInterval 7 from a Sunday start,
every Sunday's 02:00 backup is followed by a drill of the point it made. 0 or omitted: no scheduled drills
(Test-OssBackup still works by hand).
'@
        DrillSampleSize = @'
How many objects, chosen at random among the objects of the newest point, each scheduled drill restores
and checks. 1 to 1,000,000; a point with fewer objects is tested whole. Default 100. Needs -DrillInterval;
cannot be given with -DrillSamplePercent.
'@
        DrillSamplePercent = @'
Each scheduled drill tests this percentage of the objects of the newest point instead of a fixed number:
each object is chosen with this probability (0.0001 to 100). Needs -DrillInterval; cannot be given with
-DrillSampleSize. The sample is held in memory while the drill runs, so prefer -DrillSampleSize for points
of many millions of objects.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPolicy'; Description = @'
The new policy: Name, Vault, Interval, StartTime, the Keep* rules (empty when not given), TimeZone,
AlertWebhook, DrillInterval, DrillSampleSize and DrillSamplePercent (empty when not given) and CreatedAt.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'A nightly policy that keeps two weeks of daily points and a year of monthly ones'
            Code    = @'
New-BackupPolicy -Name nightly -Vault main -Interval 1.00:00:00 -StartTime '2025-03-01T02:00+08:00' -KeepDaily 14 -KeepMonthly 12 -TimeZone Asia/Shanghai
'@
            Remarks = @'
Runs its plans every day at 02:00 Beijing time (when Invoke-BackupSchedule is called every minute). After
each completed backup, a plan keeps the newest point of each of the last 14 days and of each of the last
12 months, days and months counted in Beijing time; older points are deleted.
'@
        }
        @{
            Title   = 'An hourly policy with alerts to a chat webhook'
            Code    = @'
$policy = @{
    Name         = 'hourly'
    Vault        = 'main'
    Interval     = New-TimeSpan -Hours 1
    StartTime    = (Get-Date).Date
    KeepLast     = 48
    KeepDaily    = 30
    AlertWebhook = 'https://hooks.example.com/services/T000/B000/XXXX'
}
New-BackupPolicy @policy
'@
            Remarks = @'
Runs on the hour, keeps the last 48 points plus the newest point of each of the last 30 days, and POSTs a
JSON event to the webhook when a backup fails, leaves objects out, or has not succeeded for more than two
hours.
'@
        }
        @{
            Title   = 'Schedule a plan with the new policy'
            Code    = @'
New-BackupPolicy -Name weekly -Vault archive -Interval 7.00:00:00 -StartTime '2025-03-02 03:00' -KeepWeekly 8 -KeepYearly 5
New-BackupPlan -Name media -SourceBucket corp-media -Endpoint https://oss-cn-hangzhou.aliyuncs.com -Region cn-hangzhou -Policy weekly
Get-BackupPlan media | Format-List Name, Vault, Policy, NextRunTime
'@
            Remarks = @'
2025-03-02 is a Sunday, so the plan "media" runs every Sunday at 03:00 local time, into the vault
"archive" of the policy. NextRunTime shows when Invoke-BackupSchedule will run it next.
'@
        }
        @{
            Title   = 'Nightly backups, and a restore drill of 500 objects every Sunday'
            Code    = @'
New-BackupPolicy -Name nightly-drilled -Vault main -Interval 1 -StartTime '2025-03-02T02:00+08:00' -KeepDaily 14 `
    -DrillInterval 7 -DrillSampleSize 500 -AlertWebhook 'https://hooks.example.com/ossbackup'
'@
            Remarks = @'
2025-03-02 is a Sunday. Every day at 02:00 the plans of the policy are backed up; every Sunday, right after
that backup, 500 random objects of the new point are restored to scratch space and checked byte for byte.
A drill that does not pass is recorded (Get-BackupDrill) and POSTed to the webhook as a DrillFailed event.
'@
        }
        @{
            Title   = 'Check the settings without creating the policy'
            Code    = 'New-BackupPolicy -Name hourly -Vault main -Interval 01:00:00 -KeepLast 24 -WhatIf'
            Remarks = 'Says what would be created. Nothing is written to the catalog.'
        }
    )

    Notes        = @'
New-BackupPolicy writes terminating errors. Their FullyQualifiedErrorId starts with:
- OssBackup.AlreadyExists: a policy with this name exists.
- OssBackup.NotFound: the vault named by -Vault is not registered.
- OssBackup.InvalidArgument: an invalid name, an -Interval under one minute, a negative -Keep* value or
  -KeepWithin, a -TimeZone this computer does not know, an -AlertWebhook that is not an absolute http(s)
  URL, a -DrillInterval under one minute, both -DrillSampleSize and -DrillSamplePercent, or either of them
  without -DrillInterval.

The alert body (JSON, UTF-8, Content-Type application/json):
    {
      "event": "JobFailed",            // or JobPartiallyCompleted, DrillFailed, PlanStale
      "plan": "nightly",
      "jobId": 412,                    // null for DrillFailed and PlanStale
      "status": "Failed",              // the job's or drill's status; null for PlanStale
      "message": "...",                // why, in words
      "time": "2025-03-01T02:04:11+00:00",
      "counts": { "scanned": 120344, "backedUp": 310, "unchanged": 120020,
                  "skipped": 12, "failed": 2, "writtenBytes": 73400320 },  // null for DrillFailed and PlanStale
      "drillId": null,                 // DrillFailed: the drill's id, for Get-BackupDrill -Id
      "backupPointId": null,           // DrillFailed: the point tested (null when there was none)
      "drillCounts": null              // DrillFailed: { "objectsInPoint": 120344, "sampled": 100, "passed": 97, "failed": 3 }
    }

An alert is tried up to three times within about a second and a half (each attempt waits at most 10
seconds); a 4xx answer other than 408 or 429 is not retried. An alert that cannot be delivered is written
as a warning; it never changes the job's status. A PlanStale alert is sent at most once per interval for
each plan. Credentials never appear in alerts.
'@

    RelatedLinks = @('Get-BackupPolicy', 'Set-BackupPolicy', 'Remove-BackupPolicy', 'New-BackupPlan', 'Invoke-BackupSchedule', 'Get-BackupRetention', 'Remove-BackupPoint', 'about_OssBackup')
}
