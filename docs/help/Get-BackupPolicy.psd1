@{
    Synopsis     = 'Gets backup policies: schedules, retention rules and alert webhooks.'

    Description  = @'
Get-BackupPolicy lists the policies created with New-BackupPolicy, sorted by name, with their vault,
schedule (StartTime and Interval), retention rules (KeepLast, KeepWithin, KeepDaily, KeepWeekly,
KeepMonthly, KeepYearly, and the TimeZone they count in), AlertWebhook and CreatedAt. A retention rule
that was never set is empty.

To see which plans use a policy, and when each runs next, use Get-BackupPlan: its Policy and NextRunTime
properties.

Policies go down the pipeline to Set-BackupPolicy and Remove-BackupPolicy.
'@

    Parameters   = @{
        Name = @'
The name of the policy to get. Wildcards are allowed (for example "daily-*"); matching is
case-insensitive. When a name without wildcards matches no policy, a non-terminating OssBackup.NotFound
error is written.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPolicy'; Description = 'One object for each matching policy.' }
    )

    Examples     = @(
        @{
            Title   = 'List all policies'
            Code    = 'Get-BackupPolicy'
            Remarks = 'Shows every policy with its vault, interval, start time and the main retention rules.'
        }
        @{
            Title   = 'See every setting of one policy'
            Code    = 'Get-BackupPolicy nightly | Format-List *'
            Remarks = 'Also shows KeepWithin, KeepYearly, AlertWebhook and CreatedAt, which the table leaves out.'
        }
        @{
            Title   = 'Which plans each policy schedules, and when they run next'
            Code    = @'
Get-BackupPlan | Where-Object Policy | Sort-Object Policy, NextRunTime |
    Format-Table Policy, Name, Suspended, NextRunTime, LastJobStatus
'@
            Remarks = @'
Lists the scheduled plans grouped by policy. A suspended plan has no NextRunTime. Plans without a policy
run only with Start-OssBackup and are left out here.
'@
        }
        @{
            Title   = 'Find policies that send no alerts'
            Code    = 'Get-BackupPolicy | Where-Object { -not $_.AlertWebhook } | Select-Object Name, Vault, Interval'
            Remarks = 'Failures of plans under these policies are only seen in Get-BackupJob and Get-BackupPlan.'
        }
    )

    Notes        = @'
Get-BackupPolicy only reads the catalog; it never contacts a bucket or a webhook.
'@

    RelatedLinks = @('New-BackupPolicy', 'Set-BackupPolicy', 'Remove-BackupPolicy', 'Get-BackupPlan', 'about_OssBackup')
}
