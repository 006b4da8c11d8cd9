@{
    Synopsis     = 'Changes what a backup plan backs up, its policy, its credentials profile or its inventory settings.'

    Description  = @'
Set-BackupPlan changes a plan created with New-BackupPlan and returns it as saved. Only the settings given
are changed; the others keep their values.

What can be changed: the key prefix and include/exclude filters, the policy (and so the schedule and the
retention rules), the credentials profile, and the inventory settings (switching a plan between listing
the bucket and reading its inventory). What cannot: the name, the source bucket, the endpoint, the region,
the addressing style and the vault. For those, create a new plan; the points of the old one stay
restorable after Remove-BackupPlan.

The next backup uses the new settings and is still incremental: objects that are in the previous point and
have not changed are not read again. Objects that the new prefix or filters leave out are not in the new
points; the older points still hold them.

-Policy gives the plan a schedule and retention rules. The policy must back up into the plan's vault (a
plan keeps its vault); another vault is refused with OssBackup.InvalidArgument. -Policy '' detaches the
plan from its policy: it is then no longer run by Invoke-BackupSchedule, no points are deleted by
retention and no alerts are sent, and it runs only with Start-OssBackup.

The settings are checked before they are saved (filters must be valid regular expressions, the policy and
the vault must exist, -InventoryBucket and -InventoryId go together). Unlike New-BackupPlan, Set-BackupPlan
does not contact the bucket: a wrong inventory bucket or profile shows up at the next backup.
'@

    Parameters   = @{
        Plan             = @'
The plan to change: a plan name, or a BackupPlan from Get-BackupPlan. Plans can be piped in; each is
changed the same way. A BackupJob or BackupPoint stands for its plan.
'@
        SourcePrefix     = @'
The new key prefix: only keys that start with this string are backed up (a plain, case-sensitive string
comparison; end it with "/" for a folder). '' backs up the whole bucket.
'@
        Include          = @'
The new include filters: .NET regular expressions, matched against the whole key; only keys that match at
least one are backed up. They replace the old ones. -Include @() removes them all.
'@
        Exclude          = @'
The new exclude filters: .NET regular expressions; keys that match any of them are not backed up. They
replace the old ones. -Exclude @() removes them all.
'@
        Policy           = @'
The name of the policy that schedules the plan and keeps its points. It must exist and back up into the
plan's vault. '' detaches the plan from its policy, so it runs only by hand.
'@
        ProfileName      = @'
The new profile in the AWS shared credentials file that backups of this plan use. '' removes it: backups
then use the OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET, then the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
environment variables.
'@
        InventoryBucket  = @'
The bucket the source bucket's inventory rule writes to. With -InventoryId, it turns a plan that lists its
bucket into an inventory plan. -InventoryBucket '' -InventoryId '' turns an inventory plan back into one
that lists its bucket.
'@
        InventoryId      = 'The id (name) of the inventory rule on the source bucket. Give it with -InventoryBucket; '''' removes it.'
        InventoryPrefix  = 'The destination prefix of the inventory rule. Leading and trailing slashes are ignored; '''' for none.'
        InventoryMaxAge  = @'
How old the newest inventory may be before a backup fails: a TimeSpan such as (New-TimeSpan -Hours 36), or
a number of days such as 2. Must be positive.
'@
        InventoryCleanup = @'
What happens to the inventory a backup used once its point is committed: DoNotDelete, DeleteCurrent or
DeleteAll (see New-BackupPlan).
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPlan'; Description = 'The plan as saved, with its NextRunTime. Nothing with -WhatIf.' }
    )

    Examples     = @(
        @{
            Title   = 'Put a plan on a schedule'
            Code    = 'Set-BackupPlan -Plan nightly -Policy daily-02h'
            Remarks = @'
From now on Invoke-BackupSchedule runs "nightly" at the slots of the policy "daily-02h", and after each
completed backup its points are pruned by the policy's rules. The policy must back up into the vault of
"nightly". The returned plan shows when it runs next (NextRunTime).
'@
        }
        @{
            Title   = 'Leave temporary files out of every plan of a bucket'
            Code    = @'
Get-BackupPlan | Where-Object SourceBucket -eq 'corp-assets' |
    ForEach-Object { Set-BackupPlan -Plan $_ -Exclude (@($_.Exclude) + '\.tmp$' + '(^|/)~\$') }
'@
            Remarks = @'
-Exclude replaces the old filters, so the example adds two expressions to the ones each plan already has.
Objects already backed up that now match stay in the older points only.
'@
        }
        @{
            Title   = 'Narrow a plan to one folder'
            Code    = 'Set-BackupPlan photos -SourcePrefix photos/2025/ -Include @()'
            Remarks = 'Backs up only the keys under photos/2025/ from now on, and removes the include filters.'
        }
        @{
            Title   = 'Switch a large bucket to its daily inventory'
            Code    = 'Set-BackupPlan media -InventoryBucket corp-inventory -InventoryId daily-csv -InventoryPrefix inventories -InventoryMaxAge 2'
            Remarks = @'
The next backup of "media" reads the newest inventory of the rule "daily-csv" instead of listing the
bucket; it fails if that inventory is more than two days old. Use Get-OssInventory -Plan media to check
that the inventories are found before the next run.
'@
        }
        @{
            Title   = 'Take a plan off its schedule'
            Code    = "Set-BackupPlan -Plan legacy -Policy ''"
            Remarks = @'
The plan keeps its vault and its points, but is no longer run by Invoke-BackupSchedule and no longer pruned.
To stop the runs for a while only, use Suspend-BackupPlan instead.
'@
        }
    )

    Notes        = @'
Errors are non-terminating (so a pipeline of plans goes on); nothing is changed for the plan that failed.
Their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: no plan with this name, or the policy named by -Policy does not exist.
- OssBackup.InvalidArgument: an invalid -Include/-Exclude expression, a policy that backs up into another
  vault, only one of -InventoryBucket and -InventoryId, or an -InventoryMaxAge that is not positive.

Changing a plan does not change its backup points; the points it made before stay as they are.
'@

    RelatedLinks = @('New-BackupPlan', 'Get-BackupPlan', 'Suspend-BackupPlan', 'Remove-BackupPlan', 'New-BackupPolicy', 'Get-OssInventory', 'about_OssBackup')
}
