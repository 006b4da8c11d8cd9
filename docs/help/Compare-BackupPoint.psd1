@{
    Synopsis     = 'Lists the keys added, removed and changed between two backup points, or between a point and the bucket as it is now.'

    Description  = @'
Compare-BackupPoint compares the objects of a reference backup point with those of a later point (or any
other point), or with the live source, and returns one row for each key that differs, in key order:
- Added: the key is only on the -Difference side (created since the reference point);
- Removed: the key is only in the reference point (deleted since);
- Changed: the key is on both sides with another size or ETag.
Keys that are the same on both sides are not listed. Only size and ETag are compared; a copy of an object
onto itself, which changes only its last-modified time, is not a change.

Both sides are read in key order and compared as they stream, so points of millions of objects are
compared without loading them into memory. Comparing two points reads only their object tables in the
vault; the bucket is not contacted.

With -Difference live, the reference point is compared with the source of its plan as it is now: the
bucket is listed under the plan's prefix, or, for a plan that reads inventories, its newest inventory is
read (so "now" is the time of that inventory). The plan's include and exclude filters apply to both
sides. This needs the plan to exist, and credentials for it.
'@

    Parameters   = @{
        Reference  = @'
The point to compare from: a point id, a BackupPoint (from Get-BackupHistory), or a BackupJob (its
BackupPointId). Usually the older point.
'@
        Difference = @'
The point to compare with (a point id, a BackupPoint or a BackupJob), or the word live for the plan's
source as it is now. Usually the newer point: Added then means created since the reference point.
'@
        Credential = @'
The access key used with -Difference live, as a PSCredential (user name = access key id, password =
access key secret). When omitted, the plan's ProfileName and then the environment variables are used. Not
stored.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPointDifference'; Description = @'
One row for each key that differs, in key order: Key, Change (Added, Removed or Changed), and the
ReferenceSize/DifferenceSize, ReferenceETag/DifferenceETag and ReferenceLastModified/DifferenceLastModified
of each side (empty on the side that does not have the key).
'@ }
    )

    Examples     = @(
        @{
            Title   = 'What changed between the last two backups'
            Code    = @'
$older, $newer = Get-BackupHistory -Plan nightly -Last 2
Compare-BackupPoint -Reference $older -Difference $newer
'@
            Remarks = 'Lists the keys that were added, removed or changed in the bucket between the two most recent backups of "nightly".'
        }
        @{
            Title   = 'What changed in the bucket since the last backup'
            Code    = 'Compare-BackupPoint -Reference (Get-BackupHistory nightly -Last 1) -Difference live | Group-Object Change -NoElement'
            Remarks = @'
Lists the bucket under the plan's prefix and counts the keys added, removed and changed since the newest
point, for example to see how much the next backup will read.
'@
        }
        @{
            Title   = 'Find what was deleted in the last week, and put it back'
            Code    = @'
$weekAgo = Get-BackupHistory nightly | Where-Object CreatedAt -lt (Get-Date).AddDays(-7) | Select-Object -Last 1
$removed = Compare-BackupPoint -Reference $weekAgo -Difference live | Where-Object Change -eq 'Removed'
$removed | Format-Table Key, ReferenceSize, ReferenceLastModified
Restore-OssObject -BackupPoint $weekAgo -Key $removed.Key -TargetBucket corp-assets -Conflict Skip
'@
            Remarks = @'
Compares the last point older than a week with the bucket now, shows the objects deleted since, and
restores them from that point into the bucket. Each key given to -Key without wildcard characters
restores that one object.
'@
        }
        @{
            Title   = 'A report of the changes between two dates'
            Code    = @'
$points = Get-BackupHistory media
$from = $points | Where-Object CreatedAt -lt '2025-03-01' | Select-Object -Last 1
$to   = $points | Where-Object CreatedAt -lt '2025-04-01' | Select-Object -Last 1
Compare-BackupPoint $from $to | Export-Csv ./media-march-changes.csv
'@
            Remarks = 'Writes every key added, removed or changed during March 2025, with the size and ETag on each side, to a CSV file.'
        }
    )

    Notes        = @'
Errors are terminating; their FullyQualifiedErrorId starts with:
- OssBackup.NotFound: a point id that does not exist, or a vault that is not registered.
- OssBackup.InvalidArgument: -Difference live for a point whose plan has been removed (compare with another
  point instead), or an argument that is neither a point nor a point id.
- OssBackup.CredentialsNotFound, OssBackup.AccessDenied, OssBackup.BucketNotFound,
  OssBackup.EndpointUnreachable, OssBackup.Inventory<kind>: with -Difference live, the source cannot be
  read.
Problems that do not stop the comparison (for example inventory rows that are ignored) are warnings.
'@

    RelatedLinks = @('Get-BackupHistory', 'Get-BackupObject', 'Restore-OssObject', 'about_OssBackup')
}
