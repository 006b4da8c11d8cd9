@{
    Synopsis     = 'Runs every scheduled backup plan, and every scheduled restore drill, that is due. Call it every minute from cron, a systemd timer or the Task Scheduler.'

    Description  = @'
Invoke-BackupSchedule is the scheduler of OssBackup. It does not stay running: each call looks at every plan
that has a policy and is not suspended, backs up the ones that are due, one after the other, returns their
jobs and ends. Call it every minute from the system's scheduler (see the examples and about_OssBackup);
a call that finds nothing due returns nothing and changes nothing (except to send a PlanStale alert).

Slots: the schedule of a policy is a series of slots, its -StartTime + k x its -Interval (for example 02:00
every day). A plan is due when the latest slot that has passed is later than the start of its last run.
This means:
- each slot is run once, however often Invoke-BackupSchedule is called within it;
- slots missed while nothing called Invoke-BackupSchedule (the machine was off, the plan was suspended, a
  backup took longer than the interval) are not made up one by one: the plan is backed up once, for the
  latest of them;
- any run of the plan that started after the slot covers it, including a run with Start-OssBackup, and a
  run that failed. A failed run is not retried within its slot; the next slot runs the plan again;
- a plan that another process is backing up right now (another Invoke-BackupSchedule, or Start-OssBackup)
  is skipped with a warning, and is due again at the next call if its slot is still not covered. So it is
  safe for calls to overlap, and for a person to back up a scheduled plan by hand.

Restore drills: when the plan's policy has a -DrillInterval, the plan also has drill slots, -StartTime + k x
-DrillInterval, with the same rules: each slot is drilled once, missed slots once for the latest, any drill
of the plan started at or after a slot (also Test-OssBackup by hand) covers it, and a drill that fails
still covers its slot. The claim of a drill slot is atomic in the catalog, so overlapping calls never run
the same drill; a plan whose drill is still running elsewhere is skipped with a warning. A drill restores a
random sample of the plan's newest point (-DrillSampleSize, default 100, or -DrillSamplePercent) to
scratch space, checks every byte and cleans up, as Test-OssBackup does. When a backup and a drill of a
plan are both due, the backup runs first and the drill tests the point it made; a drill runs even when
that backup failed (it then tests the previous point). Every drill is kept in the catalog (Get-BackupDrill).
A plan with no backup point yet gets a failed drill ("has no backup point to test yet"): nothing of it
can be restored, which is what a drill exists to say.

Plans without a policy and suspended plans are never run by Invoke-BackupSchedule, and neither are their
drills. Get-BackupPlan shows
when each plan runs next (NextRunTime); a NextRunTime in the past means the plan is due now.

Each backup is the same as one made with Start-OssBackup: the same credentials lookup, the same job,
progress, per-object errors and, after a backup that ends Completed, the retention rules of the plan's
policy. A
plan that fails does not stop the others.

Alerts: when the plan's policy has an -AlertWebhook, a job that ends Failed or PartiallyCompleted is
reported to it (JobFailed, JobPartiallyCompleted), and so is a drill that does not pass (DrillFailed). Invoke-BackupSchedule also checks every scheduled plan,
due or not, for a successful backup (Completed or PartiallyCompleted) within the last two intervals; a plan
that has had none gets a PlanStale alert, at most once per interval. An alert that cannot be delivered is
a warning, never a failure of the job. The JSON body is described in the help of New-BackupPolicy.

Credentials: an unattended scheduler has no one to type a key, so give each plan a -ProfileName in the
shared credentials file of the user the scheduler runs as, or set OSS_ACCESS_KEY_ID and
OSS_ACCESS_KEY_SECRET in its environment. The scheduler must also see the same catalog as the sessions that
created the plans: the same user, or the same OSSBACKUP_HOME.
'@

    Parameters   = @{
        Now        = @'
The time to evaluate the schedule at, instead of the current time. For testing a new policy, or for
running, now, the plans that would be due at a given time. Only the choice of plans (and the PlanStale
check) uses it: the backups read the source as it is now, and their points and jobs carry the real time.

A time in the future marks the slots up to it as run: with -Now set to tomorrow 02:05, a daily 02:00 plan is
backed up now and then not again until the day after tomorrow. A date and time without an offset is read in
the local time zone of this computer.
'@
        Credential = @'
An access key for every plan run by this call, as a PSCredential (user name = access key id, password =
access key secret). It overrides the plans' ProfileName and the environment variables, and is not stored.
Meant for a test by hand; a scheduled call should rely on profiles or environment variables.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupJob'; Description = @'
One job for each plan that was backed up, with Status Completed or PartiallyCompleted, in plan name order.
Nothing when no plan was due. Plans whose backup failed write an error instead (see the notes).
'@ }
        @{ Type = 'OssBackup.BackupTestResult'; Description = @'
One result for each restore drill run, right after the plan's BackupJob when both were due; the same
object Test-OssBackup returns and Get-BackupDrill lists (Trigger Scheduled). A drill that did not pass
is written as a result and also as an error. Filter with -is [OssBackup.BackupJob] or
-is [OssBackup.BackupTestResult] to tell them apart.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'Run the plans that are due now'
            Code    = 'Invoke-BackupSchedule'
            Remarks = @'
Backs up each scheduled, non-suspended plan whose latest slot has not been run yet, and shows the jobs.
Calling it again right after does nothing, until the next slot of a plan comes.
'@
        }
        @{
            Title   = 'cron: call it every minute, with the key in the environment'
            Code    = @'
# crontab -e, as the user that created the plans (the catalog is in its home folder).
# Only this user and root can read a user's crontab.
OSS_ACCESS_KEY_ID=LTAI5tExampleKeyId
OSS_ACCESS_KEY_SECRET=ExampleSecretDoNotUse
* * * * * pwsh -NoProfile -Command "Import-Module OssBackup; Invoke-BackupSchedule"
'@
            Remarks = @'
Each minute, pwsh starts, runs whatever is due and exits; most calls find nothing to do. cron mails what a
call prints: the jobs it ran and any warning (on standard output), and errors (on standard error). Add
>/dev/null after the command to be mailed the errors only. The exit code is 1 when the call wrote an
error: a plan that failed, or an object that could not be read. pwsh must find the module: install it for all users (/usr/local/share/powershell/Modules), or
import it by the full path of OssBackup.psd1.
'@
        }
        @{
            Title   = 'systemd: a service and a timer that starts it every minute'
            Code    = @'
# /etc/systemd/system/ossbackup-schedule.service
[Unit]
Description=Run the due OssBackup plans
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User=backup
Environment=OSSBACKUP_HOME=/var/lib/ossbackup
# OSS_ACCESS_KEY_ID=... and OSS_ACCESS_KEY_SECRET=..., in a file readable by root only (chmod 600)
EnvironmentFile=/etc/ossbackup/credentials
ExecStart=/usr/bin/pwsh -NoProfile -NonInteractive -Command "Import-Module OssBackup; Invoke-BackupSchedule"

# /etc/systemd/system/ossbackup-schedule.timer
[Unit]
Description=Run the due OssBackup plans every minute

[Timer]
OnCalendar=minutely

[Install]
WantedBy=timers.target

# then:
#   systemctl daemon-reload
#   systemctl enable --now ossbackup-schedule.timer
#   journalctl -u ossbackup-schedule.service     # what each run printed
'@
            Remarks = @'
The timer starts the service every minute. systemd does not start a second copy of the service while the
first still runs: during a long backup, other plans that come due wait for it, and then run once. The
plans must have been created with the same OSSBACKUP_HOME (for example with $env:OSSBACKUP_HOME set in the
session that ran New-BackupPlan). Output and errors go to the journal.
'@
        }
        @{
            Title   = 'Windows Task Scheduler: a task repeated every minute'
            Code    = @'
$action   = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument '-NoProfile -NonInteractive -Command "Import-Module OssBackup; Invoke-BackupSchedule"'
$trigger  = New-ScheduledTaskTrigger -Once -At (Get-Date).Date -RepetitionInterval (New-TimeSpan -Minutes 1)
$settings = New-ScheduledTaskSettingsSet -MultipleInstances Parallel -StartWhenAvailable
$account  = Get-Credential -UserName 'CORP\svc-ossbackup' -Message 'The account the backups run as'
Register-ScheduledTask -TaskName 'OssBackup scheduler' -Action $action -Trigger $trigger -Settings $settings `
    -User $account.UserName -Password $account.GetNetworkCredential().Password -RunLevel Limited
'@
            Remarks = @'
Runs every minute, whether or not the account is logged on. Without -RepetitionDuration the repetition
goes on indefinitely (Windows 10, Windows Server 2016 and later). -MultipleInstances Parallel lets a call
start while a long backup still runs, so that other plans are not held up; Invoke-BackupSchedule never
backs up the same plan twice at once. The Task Scheduler stops a task after 72 hours by default (the
-ExecutionTimeLimit of New-ScheduledTaskSettingsSet); allow more if a first full backup takes longer. The account needs the credentials: a -ProfileName on each plan, in
%USERPROFILE%\.aws\credentials of that account, or user environment variables OSS_ACCESS_KEY_ID and
OSS_ACCESS_KEY_SECRET set for it. Its catalog is in its own %LOCALAPPDATA%\OssBackup unless OSSBACKUP_HOME
is set.
'@
        }
        @{
            Title   = 'See which plans are due, without running them'
            Code    = @'
Get-BackupPlan | Where-Object { $_.NextRunTime -and $_.NextRunTime -le [DateTimeOffset]::Now } |
    Format-Table Name, Policy, NextRunTime, LastBackupTime, LastJobStatus
'@
            Remarks = @'
Lists the plans the next call would back up. (Invoke-BackupSchedule -WhatIf only says that it would run the
due plans; it does not list them.)
'@
        }
        @{
            Title   = 'Back up nightly and prove it every week, unattended'
            Code    = @'
Set-BackupPolicy nightly -DrillInterval 7 -DrillSampleSize 500
# the same cron line, systemd timer or scheduled task as above; then, any morning:
Get-BackupPlan | Get-BackupDrill -Last 1 | Format-Table Plan, StartTime, SampledObjects, FailedObjects, Passed, Message
'@
            Remarks = @'
Nothing else needs scheduling: each call of Invoke-BackupSchedule also runs the drills that are due, once
per drill slot, and returns them with the jobs. Failed drills are alerted on through the policy's webhook.
'@
        }
        @{
            Title   = 'Run early the backups of the next hours, before a maintenance window'
            Code    = 'Invoke-BackupSchedule -Now (Get-Date).AddHours(3)'
            Remarks = @'
Backs up now every plan that would be due within the next three hours, for example before the storage is
taken offline. Their slots in those hours count as run: the plans are not backed up again at those times,
only at their next slots after them.
'@
        }
        @{
            Title   = 'Check the outcome in a script'
            Code    = @'
Import-Module OssBackup
$jobs = Invoke-BackupSchedule -ErrorVariable failures
$jobs | Where-Object Status -eq 'PartiallyCompleted' | ForEach-Object {
    Get-BackupJobItem -Job $_ -Status Failed | Export-Csv "/var/log/ossbackup/job-$($_.Id)-failed.csv"
}
# ObjectFailed.* errors belong to the partly completed jobs above; any other error is a plan with no new point.
if ($failures | Where-Object FullyQualifiedErrorId -notlike 'ObjectFailed.*') { exit 1 }
'@
            Remarks = @'
Keeps a CSV of the objects each partly completed backup could not read, and exits with 1 when a plan
could not be backed up at all. Do not use -ErrorAction Stop: the first object that fails would end the
whole call, and the plans after it would wait for the next call.
'@
        }
    )

    Notes        = @'
Errors are non-terminating, one for each plan that could not be backed up; the other plans still run.
Their FullyQualifiedErrorId starts with:
- BackupFailed.<reason>: the backup failed as a whole (see Start-OssBackup for the reasons); TargetObject is
  the Failed BackupJob. A JobFailed alert is sent when the policy has a webhook.
- OssBackup.CredentialsNotFound: no credentials for the plan (no -Credential, an unknown -ProfileName, no
  environment variables). No job is recorded and no JobFailed alert is sent, but the slot counts as run;
  if it goes on, the plan gets a PlanStale alert after two intervals. TargetObject is the plan name.
- OssBackup.NotFound: for example the vault of the plan is no longer registered.
- ObjectFailed.<code>: one object could not be read; the job ends PartiallyCompleted. During a drill: a
  sampled object could not be restored or did not match (ObjectFailed.VerificationFailed).
- OssBackup.DrillFailed: a drill ran and some sampled object failed; TargetObject is the drill, which is also
  in the output. A DrillFailed alert is sent when the policy has a webhook.
- DrillFailed.<reason>: a drill could not run (DrillFailed.NotFound for a plan with no backup point yet,
  DrillFailed.InvalidData for a damaged table); recorded, output and alerted as above.

Warnings: a plan skipped because another process is backing it up ("... is already being backed up by
job N (process P); skipped."), an alert that could not be delivered, retention that could not be applied
after a backup (for example because another backup was using the vault; it is tried again after the next
completed backup), and the warnings of the backups themselves (for example about inventories). Start-OssBackup, in the same situation, writes the error
OssBackup.PlanBusy instead and records no job.

If the process that runs Invoke-BackupSchedule is killed during a backup, that job is shown as Failed
("Interrupted: ...") the next time the catalog is opened. Its run covered the slot, so the plan is backed
up again at its next slot, or at once with Start-OssBackup.
'@

    RelatedLinks = @('Get-BackupDrill', 'Test-OssBackup', 'New-BackupPolicy', 'Set-BackupPlan', 'Suspend-BackupPlan', 'Start-OssBackup', 'Get-BackupPlan', 'Get-BackupJobItem', 'about_OssBackup')
}
