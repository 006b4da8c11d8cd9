@{
    Synopsis     = 'Lists the objects stored in a backup point.'

    Description  = @'
Get-BackupObject lists the objects of one backup point, in key order, with their size, ETag, last-modified
time, storage class and content type as they were when the point was made. It reads the point's object
table from the vault; the source bucket is not contacted.

Objects are streamed: a point of millions of objects can be browsed without loading it into memory, and
-Prefix reads only the part of the table that holds the prefix.

-Delimiter turns the list into a folder view: below -Prefix, the keys that go on past the next delimiter are
folded into one row per folder (IsFolder True), with the number of objects (ObjectCount) and bytes (Size)
below it, and its newest LastModified.

-AllVersions, with -Plan and -Key, shows one key as it was in each point of a plan, oldest first: the
history of one file. Points that do not hold the key are left out; consecutive points that hold the same
version show it again, with the same ETag.

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
"*.pdf" or "reports/2025-0[1-3]-*". Can be combined with -Prefix. With -AllVersions, the one key (the whole
key, no wildcards) whose versions to list.
'@
        Include     = @'
.NET regular expressions; only keys that match at least one of them are listed. They are matched against
the whole key and are not anchored (use ^ and $), and are case-sensitive (use (?i) to ignore case), as the
-Include of a plan. For example '\.(jpe?g|png)$'.
'@
        Exclude     = @'
.NET regular expressions; keys that match any of them are not listed, even when they match -Include. For
example '(^|/)thumbs/'.
'@
        Delimiter   = @'
Shows folders instead of everything below them: a key that contains this string again after -Prefix is
folded into one row for the part up to and including it, usually with "/". The rows have IsFolder True,
ObjectCount (the objects below) and Size (their total bytes). Objects directly under -Prefix are listed as
usual.
'@
        Plan        = @'
The plan whose points to search for the versions of -Key: a plan name, or a BackupPlan. Used with
-AllVersions.
'@
        AllVersions = @'
Lists the key given by -Key as it was in every point of -Plan that holds it, oldest first. Each object has
the BackupPointId and BackupPointTime of its point; restore one version by piping it to Restore-OssObject.
'@
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupPoint'; Description = 'A point from Get-BackupHistory.' }
        @{ Type = 'OssBackup.BackupJob'; Description = 'A job from Start-OssBackup or Get-BackupJob; its point is listed.' }
        @{ Type = 'System.String'; Description = 'A backup point id.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BackupObject'; Description = @'
One object for each stored object, in key order. BackupPointId says which point it belongs to. With
-Delimiter, folders are rows with IsFolder True, a Key ending in the delimiter, ObjectCount and Size. With
-AllVersions, one object for each point that holds the key, oldest first, with BackupPointTime.
'@ }
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
            Title   = 'A folder view of a point, like ls'
            Code    = 'Get-BackupHistory -Plan nightly -Last 1 | Get-BackupObject -Prefix photos/ -Delimiter / | Format-Table Key, IsFolder, ObjectCount, Size'
            Remarks = @'
Lists what is directly under photos/: each subfolder once, with how many objects and bytes it holds, and
the objects that are directly in photos/.
'@
        }
        @{
            Title   = 'Every version of a file, and restore one'
            Code    = @'
$versions = Get-BackupObject -Plan nightly -Key finance/budget.xlsx -AllVersions
$versions | Group-Object ETag | ForEach-Object { $_.Group[0] } | Format-Table BackupPointTime, Size, LastModified, ETag
$versions | Where-Object BackupPointTime -lt '2025-03-01' | Select-Object -Last 1 |
    Restore-OssObject -TargetBucket corp-assets-restore
'@
            Remarks = @'
Shows each distinct version of finance/budget.xlsx once, with the first point that held it, then restores
the version held by the last point made before 1 March 2025.
'@
        }
        @{
            Title   = 'Images only, without thumbnails'
            Code    = @'
Get-BackupObject 3f9a1c07d2e45b86 -Prefix photos/ -Include '(?i)\.(jpe?g|png|heic)$' -Exclude '(^|/)thumbs/'
'@
            Remarks = 'Lists the images under photos/ of the point, whatever the case of their extension, leaving out every thumbs/ folder.'
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
An unknown point id or plan writes a non-terminating OssBackup.NotFound error. A vault folder that cannot
be found or read writes OssBackup.NotFound or OssBackup.InvalidData. An invalid -Include or -Exclude
expression writes OssBackup.InvalidArgument.

To see what changed between two points, or between a point and the bucket as it is now, use
Compare-BackupPoint.
'@

    RelatedLinks = @('Get-BackupHistory', 'Compare-BackupPoint', 'Restore-OssObject', 'about_OssBackup')
}
