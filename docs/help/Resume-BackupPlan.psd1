@{
    Synopsis     = 'Puts a suspended plan back on its schedule.'

    Description  = @'
Resume-BackupPlan clears the suspension set by Suspend-BackupPlan and returns the plan, with the
NextRunTime of its schedule again.

Slots missed while the plan was suspended are not made up one by one: when at least one slot has passed
since the plan's last run, the next call of Invoke-BackupSchedule runs it once, then it follows its
schedule. NextRunTime then shows that missed slot (a time in the past), meaning "due now".

The PlanStale alert counts from the plan's last successful backup: a plan that was suspended for more than
two intervals can get one at the next call of Invoke-BackupSchedule, unless that call backs it up
successfully first.

Resuming a plan that is not suspended does no harm.
'@

    Parameters   = @{
        Plan = @'
The plan to resume: a plan name, or a BackupPlan from Get-BackupPlan. Plans can be piped in. A BackupJob
or BackupPoint stands for its plan.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPlan'; Description = 'The plan, with Suspended False and its NextRunTime. Nothing with -WhatIf.' }
    )

    Examples     = @(
        @{
            Title   = 'Resume a plan and see when it runs'
            Code    = 'Resume-BackupPlan -Plan media | Format-List Name, Policy, Suspended, NextRunTime'
            Remarks = 'A NextRunTime in the past means the plan is due: the next call of Invoke-BackupSchedule runs it.'
        }
        @{
            Title   = 'Resume every suspended plan'
            Code    = 'Get-BackupPlan | Where-Object Suspended | Resume-BackupPlan'
            Remarks = 'Puts all suspended plans back on their schedules.'
        }
        @{
            Title   = 'Resume and back up at once'
            Code    = 'Resume-BackupPlan nightly | Start-OssBackup'
            Remarks = @'
Backs up the plan now instead of waiting for the scheduler. A run that starts after the latest slot covers
that slot, so Invoke-BackupSchedule does not run the plan again before its next slot.
'@
        }
    )

    Notes        = @'
Errors are non-terminating; their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: no plan with this name.
- OssBackup.InvalidArgument: -Plan is neither a plan name nor a plan.
'@

    RelatedLinks = @('Suspend-BackupPlan', 'Invoke-BackupSchedule', 'Get-BackupPlan', 'about_OssBackup')
}
