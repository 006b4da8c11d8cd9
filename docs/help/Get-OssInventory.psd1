@{
    Synopsis     = 'Lists the inventory lists an OSS/S3 inventory rule has written, and whether a backup could use each one.'

    Description  = @'
Get-OssInventory looks in the bucket an inventory rule writes to and returns one object per inventory
run found there, newest first: its folder, its time, the number and size of its data files, its columns,
and whether a backup could use it (IsUsable, with the reason in Problem when it cannot, for example a run
that is still being written or whose checksum does not match).

Use it to set up an inventory plan (are the lists there, with the columns OssBackup needs?) and to find out
why a backup of an inventory plan failed. Without -CountObjects only the small manifest files are read.

Give a plan made with -InventoryBucket and -InventoryId (by name or as a BackupPlan), or describe the
inventory rule yourself with -InventoryBucket, -InventoryId, -SourceBucket and -Endpoint, before any plan
exists.

Whether a backup takes a usable list also depends on the plan's InventoryMaxAge and on the list the
previous backup used: a backup uses the newest complete list only, and only when it is young enough and
newer than the previous one. See New-BackupPlan.
'@

    Parameters   = @{
        Plan            = @'
The inventory plan whose inventory to look at: a plan name or a BackupPlan (also from the pipeline). The
plan's endpoint, region, addressing style and credentials are used. A plan that lists its bucket instead
writes an OssBackup.InvalidArgument error.
'@
        InventoryBucket = 'The bucket the inventory rule writes to.'
        InventoryId     = 'The id (name) of the inventory rule.'
        SourceBucket    = 'The bucket the inventory rule lists. Its name is part of the folder the lists are written to.'
        InventoryPrefix = @'
The destination prefix of the inventory rule, if it has one. Lists are looked for under
<prefix>/<source bucket>/<rule id>/ in -InventoryBucket. Leading and trailing slashes are ignored.
'@
        Endpoint        = 'The http(s) URL of the endpoint of the inventory bucket, for example https://oss-cn-hangzhou.aliyuncs.com.'
        Region          = 'The region used to sign requests, for example cn-hangzhou. When empty, us-east-1 is used.'
        ForcePathStyle  = 'Addresses the bucket in the URL path instead of as a host name; for stores such as MinIO and Ceph RGW, not for OSS.'
        Credential      = @'
The access key to read the inventory bucket with, as a PSCredential (user name = access key id, password =
access key secret). Without it, the plan's ProfileName (with -Plan) and then the OSS_ACCESS_KEY_ID/
OSS_ACCESS_KEY_SECRET and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables are used.
'@
        CountObjects    = @'
Also counts the objects each usable list holds (ObjectCount), by reading all of its data files. This can
take long for large buckets; without it, ObjectCount is empty.
'@
    }

    Inputs       = @(
        @{ Type = 'System.String'; Description = 'A plan name.' }
        @{ Type = 'OssBackup.BackupPlan'; Description = 'An inventory plan from Get-BackupPlan.' }
    )

    Outputs      = @(
        @{ Type = 'OssBackup.BucketInventory'; Description = @'
One object per inventory run, newest first: InventoryBucket, Folder, Timestamp (from the folder name),
CreationTime (from the manifest), DataFiles, DataBytes, Schema (the columns), ObjectCount (with
-CountObjects), IsUsable and Problem.
'@ }
    )

    Examples     = @(
        @{
            Title   = 'See the inventory lists of an inventory plan'
            Code    = 'Get-OssInventory -Plan media'
            Remarks = 'Lists the runs of the inventory rule of the plan "media", newest first, and says which ones a backup could use.'
        }
        @{
            Title   = 'Check an inventory rule before creating a plan'
            Code    = @'
Get-OssInventory -InventoryBucket corp-inventory -InventoryId daily-csv -InventoryPrefix inventories -SourceBucket corp-media -Endpoint https://oss-cn-hangzhou.aliyuncs.com -Region cn-hangzhou |
    Select-Object -First 1 | Format-List Folder, CreationTime, IsUsable, Problem, Schema
'@
            Remarks = @'
Shows the newest list the rule "daily-csv" of corp-media has written, whether it is complete and usable, and
its columns. When the rule has not written any list yet, nothing is returned.
'@
        }
        @{
            Title   = 'Why did the last backup of an inventory plan fail?'
            Code    = @'
Get-BackupJob -Plan media -Last 1 | Format-List Status, Message, Inventory
Get-OssInventory media | Where-Object { -not $_.IsUsable } | Format-Table Folder, Problem -Wrap
'@
            Remarks = 'Shows the reason the last backup gave, then the inventory runs that cannot be used and why.'
        }
        @{
            Title   = 'Count the objects in the newest list'
            Code    = 'Get-BackupPlan media | Get-OssInventory -CountObjects | Select-Object -First 1 Timestamp, ObjectCount, DataFiles'
            Remarks = 'Reads every data file of each usable list to count its objects, then shows the newest one.'
        }
    )

    Notes        = @'
Error ids (the start of $_.FullyQualifiedErrorId), all non-terminating:
- OssBackup.NotFound: no plan with this name.
- OssBackup.InvalidArgument: the plan lists its bucket and has no inventory.
- OssBackup.AccessDenied, OssBackup.BucketNotFound, OssBackup.EndpointUnreachable,
  OssBackup.CredentialsNotFound: the inventory bucket cannot be read.

When no inventory list is found, Get-OssInventory returns nothing, without an error; a backup of the plan
would fail with BackupFailed.InventoryNotFound. Get-OssInventory never deletes anything. Inventory lists are deleted only by backups of a plan whose
InventoryCleanup is DeleteCurrent or DeleteAll.
'@

    RelatedLinks = @('New-BackupPlan', 'Start-OssBackup', 'Get-BackupJob', 'about_OssBackup')
}
