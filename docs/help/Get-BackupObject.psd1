@{
    Synopsis     = 'Lists the objects stored in a backup point.'

    Description  = @'
Get-BackupObject lists the objects of one backup point, in key order, with their size, ETag, last-modified
time, storage class and content type as they were when the point was made. It reads the point's object
table from the vault; the source bucket is not contacted.

Objects are streamed: a point of millions of objects can be browsed without loading it into memory, and
-Prefix reads only the part of the table that holds the prefix.

The objects go down the pipeline to Restore-OssObject, which restores exactly those objects, each from the
point it came from.
'@

    Parameters   = @{
        BackupPoint = @'
The backup point to list: a point id (from Get-BackupHistory), a BackupPoint, or a BackupJob (its
BackupPointId). Points and jobs can be piped in.
'@
        Prefix      = @'
Lists only the keys that start with this string (case-sensitive). Keys are the full source keys, including
the plan's source prefix: for a plan of "photos/", use "photos/2024/".
'@
        Key         = @'
Lists only the keys that match this wildcard pattern: * (any characters, including /), ? (one character),
[abc] (one of the characters). The pattern must match the whole key and is case-sensitive, for example
"*.pdf" or "reports/2025-0[1-3]-*". Can be combined with -Prefix.
'@
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupPoint'; Description = 'A point from Get-BackupHistory.' }
        @{ Type = 'OssBackup.BackupJob'; Description = 'A job from Start-OssBackup or Get-BackupJob; its point is listed.' }
        @{ Type = 'System.String'; Description = 'A backup point id.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupObject'; Description = 'One object for each stored object, in key order. BackupPointId says which point it belongs to.' }
    )

    Examples     = @(
        @{
            Title   = 'Browse a folder of the newest point'
            Code    = 'Get-BackupHistory -Plan nightly -Last 1 | Get-BackupObject -Prefix photos/'
            Remarks = 'Lists the objects under photos/ in the most recent backup point of the plan "nightly".'
        }
        @{
            Title   = 'Find files by pattern in a given point'
            Code    = 'Get-BackupObject -BackupPoint 3f9a1c07d2e45b86 -Key "contracts/*.pdf"'
            Remarks = 'Lists the PDF files anywhere under contracts/ in the point 3f9a1c07d2e45b86.'
        }
        @{
            Title   = 'Restore the objects of a folder that changed recently'
            Code    = @'
Get-BackupHistory -Plan nightly -Last 1 |
    Get-BackupObject -Prefix reports/ |
    Where-Object LastModified -gt (Get-Date).AddDays(-2) |
    Restore-OssObject -TargetBucket corp-assets -Conflict Overwrite
'@
            Remarks = @'
Puts back into the original bucket, over the current copies, the objects under reports/ whose backed-up
version was modified in the last two days. Only the objects that reach Restore-OssObject are restored.
'@
        }
        @{
            Title   = 'Size of a folder in a point'
            Code    = 'Get-BackupObject 3f9a1c07d2e45b86 -Prefix photos/ | Measure-Object Size -Sum'
            Remarks = 'Counts the objects under photos/ in the point and adds up their sizes.'
        }
        @{
            Title   = 'Where did a file go? Find the points that hold it'
            Code    = @'
Get-BackupHistory nightly | ForEach-Object {
    Get-BackupObject $_ -Key 'finance/budget.xlsx' | Select-Object BackupPointId, Size, LastModified, ETag
}
'@
            Remarks = 'Shows each version of finance/budget.xlsx that the backups of "nightly" hold, point by point.'
        }
    )

    Notes        = @'
An unknown point id writes a non-terminating OssBackup.NotFound error. A vault folder that cannot be found
or read writes OssBackup.NotFound or OssBackup.InvalidData.
'@

    RelatedLinks = @('Get-BackupHistory', 'Restore-OssObject', 'about_OssBackup')
}
