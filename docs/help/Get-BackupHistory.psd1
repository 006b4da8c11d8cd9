@{
    Synopsis     = 'Gets the backup points of a plan: the restorable states of its source, oldest first.'

    Description  = @'
Get-BackupHistory lists the backup points a plan has made, oldest first. A backup point is the state of
the source (bucket and prefix) at the time of one completed or partly completed backup. Every point is
complete on its own: restoring it does not need any other point, although the points of a vault share the
chunks they have in common.

Each point shows its Id (16 hexadecimal digits), when it was made, how many objects and bytes it holds,
and how many objects were new, changed or deleted since the previous point.

Points go down the pipeline to Get-BackupObject, which lists their objects. To restore a whole point, pass
it to Restore-OssObject -BackupPoint.
'@

    Parameters   = @{
        Plan = @'
The plan whose points to get: a plan name, or a BackupPlan (also from the pipeline). A BackupJob or
BackupPoint stands for its plan. An unknown plan writes a non-terminating OssBackup.NotFound error.
'@
        Last = 'Returns only this many of the most recent points (still oldest first). -Last 1 gets the newest point.'
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'A plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPoint'; Description = 'One object for each backup point of the plan, oldest first.' }
    )

    Examples     = @(
        @{
            Title   = 'List the backup points of a plan'
            Code    = 'Get-BackupHistory -Plan nightly'
            Remarks = 'Shows every point of the plan "nightly" with its size and the number of new, changed and deleted objects.'
        }
        @{
            Title   = 'Browse a folder of the newest point'
            Code    = 'Get-BackupHistory -Plan nightly -Last 1 | Get-BackupObject -Prefix photos/'
            Remarks = 'Lists the objects under photos/ as they were in the most recent backup of "nightly".'
        }
        @{
            Title   = 'The last point made before a given day'
            Code    = @'
$point = Get-BackupHistory nightly | Where-Object CreatedAt -lt ([datetime]'2025-03-01') | Select-Object -Last 1
Restore-OssObject -BackupPoint $point -TargetBucket corp-assets-restore -WhatIf
'@
            Remarks = @'
Finds the newest point made before 1 March 2025 and shows what restoring all of it to corp-assets-restore
would do.
'@
        }
        @{
            Title   = 'Growth of the source over time'
            Code    = @'
Get-BackupPlan | Get-BackupHistory |
    Format-Table Plan, CreatedAt, ObjectCount, @{ n = 'GiB'; e = { [math]::Round($_.TotalBytes / 1GB, 2) } }, NewObjects, DeletedObjects
'@
            Remarks = 'Shows, for every plan, the size of its source at each backup.'
        }
    )

    Notes        = @'
TotalBytes is the size of the source objects in the point, not the space the point takes in the vault:
unchanged content is shared with other points and stored once.
'@

    RelatedLinks = @('Get-BackupObject', 'Restore-OssObject', 'Start-OssBackup', 'Get-BackupJob', 'about_OssBackup')
}
