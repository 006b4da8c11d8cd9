@{
    Synopsis     = 'Stops Invoke-BackupSchedule from running a plan until it is resumed.'

    Description  = @'
Suspend-BackupPlan marks a plan as suspended and returns it. Invoke-BackupSchedule then skips the plan: it
is not backed up at its slots, and no PlanStale alert is sent for it however long it waits. Its NextRunTime
is empty while it is suspended.

A suspended plan can still be run by hand: Start-OssBackup backs it up once and leaves it suspended. Its
policy's retention rules and alerts apply to such a run as to any other.

Use Resume-BackupPlan to put the plan back on its schedule. Suspending a plan that is already suspended,
or a plan without a policy, does no harm. A backup of the plan that is running when it is suspended goes
on to its end.
'@

    Parameters   = @{
        Plan = @'
The plan to suspend: a plan name, or a BackupPlan from Get-BackupPlan. Plans can be piped in. A BackupJob
or BackupPoint stands for its plan.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPlan'; Description = 'The plan, with Suspended True. Nothing with -WhatIf.' }
    )

    Examples     = @(
        @{
            Title   = 'Pause a plan during a bucket migration'
            Code    = @'
Suspend-BackupPlan -Plan media
# ... migrate the bucket ...
Resume-BackupPlan -Plan media
'@
            Remarks = @'
While "media" is suspended, the scheduler does not back it up. After Resume-BackupPlan, the next call of
Invoke-BackupSchedule runs it once if one or more slots were missed meanwhile.
'@
        }
        @{
            Title   = 'Suspend every plan of a policy'
            Code    = "Get-BackupPlan | Where-Object Policy -eq 'hourly' | Suspend-BackupPlan"
            Remarks = 'Suspends all plans that use the policy "hourly" and shows them.'
        }
        @{
            Title   = 'Take one backup of a suspended plan'
            Code    = @'
Suspend-BackupPlan nightly
Start-OssBackup nightly
(Get-BackupPlan nightly).Suspended   # still True
'@
            Remarks = 'Start-OssBackup runs the plan once; it stays suspended.'
        }
        @{
            Title   = 'List the suspended plans'
            Code    = 'Get-BackupPlan | Where-Object Suspended | Format-Table Name, Policy, LastBackupTime, LastJobStatus'
            Remarks = 'Shows the plans the scheduler is skipping, and when each last made a point.'
        }
    )

    Notes        = @'
Errors are non-terminating; their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: no plan with this name.
- OssBackup.InvalidArgument: -Plan is neither a plan name nor a plan.
'@

    RelatedLinks = @('Resume-BackupPlan', 'Invoke-BackupSchedule', 'Start-OssBackup', 'Get-BackupPlan', 'about_OssBackup')
}
