@{
    Synopsis     = 'Restores objects of a backup point to their bucket, another bucket or a local folder.'

    Description  = @'
Restore-OssObject writes objects from a backup point back to a bucket or a local folder: all of the point,
the keys under one or more prefixes, the keys that match wildcard patterns, those accepted by -Include and
-Exclude regexes, or exactly the objects piped in from Get-BackupObject. It returns a restore job for each
point it restored from.

Without -TargetBucket and -TargetPath, objects go back to the bucket the point was taken from, under their
original keys. That writes over the live objects, so it is a high-impact action: it asks for confirmation
unless -Force or -Confirm:$false is given (or $ConfirmPreference is None). So does -Rollback.

The target bucket must exist. By default it is on the endpoint of the plan that made the point, reached
with the plan's region, addressing style and credentials; -Endpoint names another endpoint. Before anything
is written, access to the target bucket is checked.

Keys are restored as they were, unless -TargetPrefix is given: then the plan's source prefix is replaced
by -TargetPrefix. With a plan of "photos/", the object photos/2024/a.jpg is restored as
restored/2024/a.jpg with -TargetPrefix restored/, and as 2024/a.jpg with -TargetPrefix ''.

Each object is restored with its content, Content-Type, Cache-Control, Content-Disposition,
Content-Encoding, Expires and user-defined metadata, in the storage class it was backed up in (OSS names are
translated: Standard is written as STANDARD, IA as STANDARD_IA) unless -StorageClass says otherwise. ACLs
and tags are not restored; the restored objects get new last-modified times. Every upload carries a Content-MD5, and objects larger than one chunk (8 MiB) are uploaded in
parts, so the target never holds a partly written object.

When an object already exists in the target, -Conflict decides: Fail (the default) reports it as an
ObjectFailed.TargetExists error and leaves it as it is, Skip leaves it without an error (SkippedObjects),
Overwrite replaces it, IfChanged replaces it only when it differs from the backed-up version. Objects that cannot be restored are reported one by one as non-terminating errors
and the restore goes on with the others.

With -Rollback, once every selected object is restored, the objects in the target that fall within the
selection but are not in the point are deleted, so the target matches the point exactly (like restic's
restore --delete). Each deleted key is recorded as a job item with the outcome Deleted, and counted in
DeletedObjects. If any object failed to restore, nothing is deleted and the job's message says so. With
-WhatIf, each object -Rollback would delete is listed (this lists the target bucket).

Credentials are looked for in this order: -Credential, the plan's ProfileName, the OSS_ACCESS_KEY_ID and
OSS_ACCESS_KEY_SECRET environment variables, then AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
'@

    Parameters   = @{
        BackupPoint  = @'
The backup point to restore from: a point id, a BackupPoint (from Get-BackupHistory), or a BackupJob (its
BackupPointId). Without -Key or -Prefix, every object of the point is restored. This parameter does not take
pipeline input; pipe objects from Get-BackupObject instead.
'@
        Key          = @'
Restores only the keys that match one of these wildcard patterns: * (any characters, including /),
? (one character), [abc] (one of the characters). A pattern must match the whole key and is
case-sensitive; a key without wildcards restores that one object. Keys are the full source keys, including
the plan's source prefix.
'@
        Prefix       = 'Restores only the keys that start with one of these strings (case-sensitive). Can be combined with -Key, -Include and -Exclude.'
        Include      = @'
Restores only keys that match at least one of these .NET regular expressions (case-sensitive, unanchored:
use ^ and $ to match a whole key). Keys are the full source keys.
'@
        Exclude      = @'
Leaves out keys that match any of these .NET regular expressions, even when they match -Include (as in a
plan's filters).
'@
        StorageClass = @'
The storage class to write the restored objects in, for example STANDARD or STANDARD_IA (sent as
x-amz-storage-class). By default each object is written in the class it was backed up in.
BucketDefault writes them in the target bucket's default class (no storage class header). A class the
target does not support fails each object with its error code (for example InvalidStorageClass or
InvalidArgument). Bucket targets only.
'@
        Rollback     = @'
After restoring, deletes the objects in the target that lie within the selection (the target prefix, or
the mapped -Prefix ranges, filtered by -Key, -Include and -Exclude) but are not in the point. Nothing is
deleted when any object failed to restore. High impact: asks for confirmation unless -Force or
-Confirm:$false. Bucket targets only; not with objects piped from Get-BackupObject.
'@
        Parallelism  = @'
How many objects are restored at once (1-256; default 16). More helps with many small objects on a fast
endpoint; fewer limits the load on a busy target. An object of up to 100 MiB is uploaded as one PUT,
streamed from the vault; a larger one part after part. Either way one worker holds at most one 8 MiB
chunk in memory.
'@
        Force        = 'Skips the confirmation asked before restoring over the source objects or deleting with -Rollback.'
        InputObject  = @'
The objects to restore, from Get-BackupObject (usually piped). Each object is restored from the point it
came from (its BackupPointId). The objects are collected first; the restore starts when the pipeline
input ends, with one restore job for each point.
'@
        TargetBucket = @'
The bucket to restore to. It must exist. It can be the source bucket itself or another bucket. Without
-TargetBucket and -TargetPath, the bucket the point was taken from is the target. Give -TargetBucket or
-TargetPath, not both.
'@
        TargetPath   = @'
A local folder to restore to instead of a bucket (created if needed; a relative path is resolved against
the current PowerShell location). Each key becomes a file under it, "/" separating folders. Keys that
cannot be written safely as a path (for example with a ".." segment, a backslash or a control character)
are not written and are reported as ObjectFailed.UnsafeKey.<reason> errors. Give -TargetBucket or
-TargetPath, not both.
'@
        TargetPrefix = @'
Replaces the plan's source prefix in every restored key. When omitted, keys are restored unchanged. An empty
string removes the source prefix. For example, with a source prefix of "photos/" and -TargetPrefix
"restore-2025-03-01/photos/", photos/a.jpg is restored as restore-2025-03-01/photos/a.jpg.
'@
        Endpoint     = @'
The http(s) URL of the endpoint of the target bucket, when it is not the plan's endpoint. The plan's region
and addressing style are still used. Required when the plan that made the point no longer exists; the
target is then addressed path-style, without a region.
'@
        Credential   = @'
The access key for the target, as a PSCredential: the user name is the access key id, the password the
access key secret. It needs permission to list and write the target bucket (and to read object metadata
unless -Conflict is Overwrite). Not stored.
'@
        Conflict     = @'
What to do when an object already exists in the target: Fail (default) reports an ObjectFailed.TargetExists
error for it and does not write it; Skip leaves it without an error and counts it in SkippedObjects;
Overwrite replaces it; IfChanged replaces it only when its size or content differs from the backed-up
version, and otherwise leaves it and counts it in SkippedObjects (content is compared by ETag in a bucket,
by SHA-256 of each chunk in a folder, which reads the file). Fail, Skip and IfChanged check each key in the
target before writing it.
'@
    }

    Inputs       = @(
        @{ Type = 'OssBackup.BackupObject[]'; Description = 'Objects from Get-BackupObject, bound to -InputObject.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.RestoreJob'; Description = @'
One restore job for each point restored from, with Status (Completed, PartiallyCompleted, Failed or
Cancelled), Target, RestoredObjects, RestoredBytes, SkippedObjects, FailedObjects, DeletedObjects (by
-Rollback), BytesPerSecond and Message.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'Restore a folder from the newest point into another bucket'
            Code    = @'
$point = Get-BackupHistory -Plan nightly -Last 1
Restore-OssObject -BackupPoint $point -Prefix photos/2024/ -TargetBucket corp-assets-restore
'@
            Remarks = @'
Restores the objects under photos/2024/, with their keys unchanged, into the bucket corp-assets-restore on
the plan's endpoint. Objects that already exist there are reported as errors and left unchanged.
'@
        }
        @{
            Title   = 'Restore the objects picked with Get-BackupObject'
            Code    = @'
Get-BackupHistory -Plan nightly -Last 1 | Get-BackupObject -Prefix photos/ -Key '*.raw' |
    Restore-OssObject -TargetBucket corp-assets-restore -TargetPrefix raw-restore/
'@
            Remarks = @'
Restores the .raw files under photos/ of the newest point. The plan's source prefix is replaced by
raw-restore/; for a plan of the whole bucket (empty prefix), photos/x.raw is restored as
raw-restore/photos/x.raw.
'@
        }
        @{
            Title   = 'Put back files deleted by mistake, without touching the others'
            Code    = @'
Restore-OssObject -BackupPoint 3f9a1c07d2e45b86 -Key 'contracts/*' -TargetBucket corp-assets -Conflict Skip
'@
            Remarks = @'
Restores into the original bucket the objects under contracts/ that are missing there now; the objects
that still exist are skipped, so current versions are not overwritten.
'@
        }
        @{
            Title   = 'Restore a whole point through another endpoint, with another key'
            Code    = @'
$cred = Get-Credential -UserName LTAI5tRestoreKeyId
Restore-OssObject -BackupPoint (Get-BackupHistory nightly -Last 1) -TargetBucket corp-assets-dr -Endpoint https://oss-cn-hangzhou-internal.aliyuncs.com -Credential $cred -Conflict Overwrite
'@
            Remarks = @'
Restores every object of the newest point of "nightly" into the bucket corp-assets-dr, through the internal
endpoint of the region (from a server inside it), with an access key that may write there, replacing
objects that already exist. The plan's region and addressing style are still used.
'@
        }
        @{
            Title   = 'Preview a restore'
            Code    = 'Restore-OssObject -BackupPoint 3f9a1c07d2e45b86 -Prefix reports/ -TargetBucket corp-assets -WhatIf'
            Remarks = 'Says what would be restored where, and with which conflict action, without contacting the bucket.'
        }
        @{
            Title   = 'Roll a prefix back to last night''s point'
            Code    = @'
$point = Get-BackupHistory -Plan nightly -Last 1
Restore-OssObject -BackupPoint $point -Prefix site/ -Conflict IfChanged -Rollback -WhatIf
Restore-OssObject -BackupPoint $point -Prefix site/ -Conflict IfChanged -Rollback -Force
'@
            Remarks = @'
The first command lists the objects under site/ that would be deleted because they were created after the
point. The second restores site/ in the original bucket as it was in the point: changed objects are
rewritten, identical ones left alone, and objects the point does not hold are deleted.
'@
        }
        @{
            Title   = 'Restore images, not thumbnails, in the infrequent-access class'
            Code    = @'
Restore-OssObject -BackupPoint $point -Prefix media/ -Include '\.(jpe?g|png)$' -Exclude '/thumbs/' -TargetBucket archive-copy -StorageClass STANDARD_IA
'@
            Remarks = 'Filters with regexes like a plan does, and writes the copies in STANDARD_IA whatever their class was.'
        }
        @{
            Title   = 'Check the outcome in a script'
            Code    = @'
$job = Restore-OssObject -BackupPoint $point -TargetBucket corp-assets-restore -Conflict Skip -ErrorVariable problems
if ($job.Status -ne 'Completed') {
    $problems | ForEach-Object { '{0}: {1}' -f $_.TargetObject, $_.FullyQualifiedErrorId }
}
'@
            Remarks = 'Lists each object that could not be restored (the error target is the key) with its error id.'
        }
    )

    Notes        = @'
Error ids (the start of $_.FullyQualifiedErrorId):
- OssBackup.NotFound: no backup point with this id, or its vault is not registered (terminating).
- OssBackup.AccessDenied, OssBackup.BucketNotFound, OssBackup.EndpointUnreachable: the target bucket
  cannot be used; nothing was restored (terminating).
- OssBackup.CredentialsNotFound: no credentials for the target (terminating).
- OssBackup.InvalidArgument: for example the plan no longer exists and -Endpoint was not given.
- ObjectFailed.TargetExists: the object exists in the target and -Conflict is Fail (non-terminating).
- ObjectFailed.<code>: another per-object failure; TargetObject is the key (non-terminating).
- RestoreFailed: the restore job failed as a whole; TargetObject is the RestoreJob (non-terminating).

Restore jobs are recorded in the catalog: Get-RestoreJob lists them, and Get-BackupJobItem lists the
objects each one skipped or could not restore.
'@

    RelatedLinks = @('Get-BackupObject', 'Get-BackupHistory', 'Get-RestoreJob', 'Get-BackupJobItem', 'Start-OssBackup', 'about_OssBackup')
}
