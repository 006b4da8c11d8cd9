@{
    Synopsis     = 'Shows which backup points of a plan its policy keeps and which it would delete, and why.'

    Description  = @'
Get-BackupRetention applies the retention rules of a plan's policy to the plan's backup points, and returns
the decision for each point, newest first: Action Keep or Remove, and the Reasons. It deletes nothing: it
shows what the next retention run will do. Retention runs after each backup of the plan that ends
Completed; to delete the points now, pipe their ids to Remove-BackupPoint (see the examples).

The rules (see New-BackupPolicy): KeepLast, KeepWithin, KeepDaily, KeepWeekly, KeepMonthly and KeepYearly,
with days, weeks, months and years counted in the policy's TimeZone. A point that any rule keeps is kept,
and the newest point is always kept. A point is removed only when no rule keeps it. A policy without any
rule keeps every point.

Reasons name each rule that keeps a point, so a point kept by several rules lists them all:
- newest: the plan's newest point;
- last N: one of the N newest points (KeepLast);
- within d.hh:mm:ss: made within that time before now (KeepWithin);
- daily 2025-03-01, weekly 2025-W09, monthly 2025-03, yearly 2025: the newest point of that day, ISO
  week, month or year (KeepDaily, KeepWeekly, KeepMonthly, KeepYearly);
- no rule set: the policy has no rule, so every point is kept;
- no rule keeps it: the point would be removed.

Only the points of this plan are considered. Deleting a point frees only the vault data that no other
point, of any plan in the same vault, still needs.
'@

    Parameters   = @{
        Plan = @'
The plan whose points to check: a plan name, or a BackupPlan from Get-BackupPlan. Plans can be piped in. A
BackupJob or BackupPoint stands for its plan. The plan must have a policy.
'@
        Now  = @'
The time to apply the rules at, instead of now. It matters for KeepWithin, which keeps the points made
within that time before -Now: use a later -Now to see which points will leave the window if no new backup
is made. A date and time without an offset is read in the local time zone of this computer.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupRetentionDecision'; Description = @'
One decision for each backup point of the plan, newest first: Plan, BackupPointId, CreatedAt, Action (Keep
or Remove) and Reasons (the rules that keep the point, or "no rule keeps it").
'@ }
    )

    Examples     = @(
        @{
            Title   = 'Which points the policy keeps, and why'
            Code    = 'Get-BackupRetention -Plan nightly | Format-Table CreatedAt, BackupPointId, Action, Reasons -Wrap'
            Remarks = @'
Lists every point of "nightly", newest first, with the rules that keep it ("newest", "last 7", "daily
2025-03-01", "monthly 2025-02"...) or "no rule keeps it" for the points the next retention run will delete.
'@
        }
        @{
            Title   = 'Check new rules before they delete anything'
            Code    = @'
$plans = Get-BackupPlan | Where-Object Policy -eq 'nightly'
$plans | Suspend-BackupPlan | Out-Null
Set-BackupPolicy nightly -KeepDaily 7 -KeepMonthly 6 | Out-Null
$plans | Get-BackupRetention | Where-Object Action -eq 'Remove' | Format-Table Plan, CreatedAt, BackupPointId
# If that is what you want:
$plans | Resume-BackupPlan | Out-Null
'@
            Remarks = @'
New rules take effect at the next successful backup of each plan. Suspending the plans first makes sure no
scheduled backup applies them before you have looked; the points listed are those that will be deleted.
If they are not what you want, set the old rules back with Set-BackupPolicy before resuming. A backup
started with Start-OssBackup still applies them.
'@
        }
        @{
            Title   = 'Apply the rules now, without waiting for a backup'
            Code    = @'
Get-BackupRetention -Plan nightly | Where-Object Action -eq 'Remove' |
    ForEach-Object BackupPointId | Remove-BackupPoint
'@
            Remarks = @'
Deletes the points that no rule keeps, after a confirmation, and shows how much space the vault got back.
Remove-BackupPoint takes point ids, hence ForEach-Object BackupPointId.
'@
        }
        @{
            Title   = 'What would go if backups stopped for a month'
            Code    = "Get-BackupRetention nightly -Now (Get-Date).AddDays(30) | Where-Object Action -eq 'Remove'"
            Remarks = @'
With a KeepWithin rule, points leave the window as time passes; this shows which points would no longer be
kept in 30 days if no backup were made until then (the newest point is kept anyway).
'@
        }
    )

    Notes        = @'
Errors are non-terminating; their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: no plan with this name, or its policy is gone.
- OssBackup.InvalidArgument: the plan has no policy, so no retention applies (give it one with
  Set-BackupPlan -Policy).

Get-BackupRetention only reads the catalog; it does not open the vault or take a lock.
'@

    RelatedLinks = @('Remove-BackupPoint', 'New-BackupPolicy', 'Set-BackupPolicy', 'Get-BackupHistory', 'about_OssBackup')
}
