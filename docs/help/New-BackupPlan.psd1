@{
    Synopsis     = 'Creates a backup plan: which bucket and prefix to back up, from which endpoint, into which vault, on which schedule.'

    Description  = @'
New-BackupPlan records a backup plan in the catalog. A plan names a source (an endpoint, a bucket and
optionally a key prefix and include/exclude filters) and where its backups go, in one of two ways:
- -Policy: the plan follows a backup policy (New-BackupPolicy). It backs up into the policy's vault, is run
  by Invoke-BackupSchedule at the policy's slots, keeps the points the policy's retention rules keep, and
  reports failures to the policy's alert webhook.
- -Vault only: the plan backs up into this vault and runs only when Start-OssBackup is called; all its
  points are kept.
One of the two is needed. A plan can be given a policy later, or lose it, with Set-BackupPlan -Policy.
Every run, scheduled or not, adds a backup point to the vault.

Before the plan is saved, New-BackupPlan checks that the bucket can be listed with the credentials it
finds. A wrong bucket name, a refused key or an endpoint that cannot be reached fails the command, and no
plan is created.

Credentials are never stored in the plan or the catalog. New-BackupPlan, and later Start-OssBackup, look
for them in this order:
- the -Credential parameter (user name = access key id, password = access key secret);
- the plan's -ProfileName, a profile in the AWS shared credentials file (~/.aws/credentials);
- the environment variables OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET;
- the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.

-Credential on New-BackupPlan is used for the access check only. A plan that must run unattended needs
-ProfileName or the environment variables where it runs.

By default each backup lists the bucket (ScanMethod Traversal). For very large buckets, a plan can read
the bucket's inventory instead (ScanMethod Inventory): give -InventoryBucket and -InventoryId, the bucket an
OSS/S3 inventory rule of the source bucket writes its CSV lists to, and the rule's id. Each backup then uses
the newest complete inventory of that rule; it fails, rather than use an older list, when that inventory is
missing, broken, older than -InventoryMaxAge, or not newer than the one the previous backup used. New-BackupPlan
checks that the inventory bucket can be listed too.

OssBackup talks to the source through the S3 API, so it works with Alibaba Cloud OSS and with any
S3-compatible store (AWS S3, MinIO, Ceph RGW, ...).
'@

    Parameters   = @{
        Name           = @'
The name of the plan. Up to 128 characters, without slashes or control characters. Names are
case-insensitive and must be unique in the catalog.
'@
        SourceBucket   = 'The bucket to back up.'
        SourcePrefix   = @'
Backs up only the keys that start with this string. The match is a plain, case-sensitive string
comparison, not a folder: "photos" also matches "photos-old/a.jpg"; use "photos/" for a folder. By default
the whole bucket is backed up.
'@
        Endpoint       = @'
The http(s) URL of the S3 API endpoint. For Alibaba Cloud OSS, the endpoint of the bucket's region, for
example https://oss-cn-hangzhou.aliyuncs.com (or its S3-style form https://s3.oss-cn-hangzhou.aliyuncs.com).
For other stores, their URL, for example http://minio.internal:9000.
'@
        Region         = @'
The region used to sign requests, for example cn-hangzhou or eu-west-1. When empty, us-east-1 is used,
which most S3-compatible stores accept.
'@
        Credential     = @'
The access key to check access with, as a PSCredential: the user name is the access key id, the password
the access key secret. Used only while the plan is created; it is never stored. See the description for
where later runs find credentials.
'@
        ProfileName    = @'
The name of a profile in the AWS shared credentials file (~/.aws/credentials, or the file named by
$env:AWS_SHARED_CREDENTIALS_FILE) that backups of this plan use. Only the name is stored. When empty, backups use the OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET, then the
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables, unless Start-OssBackup gets -Credential.
'@
        ForcePathStyle = @'
Addresses the bucket in the URL path (https://endpoint/bucket/key) instead of as a host name
(https://bucket.endpoint/key). Needed by most self-hosted stores such as MinIO and Ceph RGW. Do not use it
with Alibaba Cloud OSS, which accepts host-name (virtual-hosted) addressing only.
'@
        Vault          = @'
The name of the vault the backups go to, as registered with New-BackupVault. It must exist. Needed when
-Policy is not given. With -Policy it can be left out: the plan uses the policy's vault (naming another
vault is refused).
'@
        Policy         = @'
The name of the backup policy that schedules the plan, keeps or deletes its points and sends its alerts
(see New-BackupPolicy). It must exist. The plan backs up into the policy's vault. Without -Policy, the
plan runs only with Start-OssBackup and keeps every point.
'@
        Include        = @'
.NET regular expressions; when given, only keys that match at least one of them are backed up. They are
matched against the whole key (including -SourcePrefix) and are not anchored: use ^ and $ to anchor, for
example '\.(jpe?g|png)$'. Matching is case-sensitive; use (?i) to ignore case. An invalid expression fails
the command with OssBackup.InvalidArgument.
'@
        Exclude        = @'
.NET regular expressions; keys that match any of them are not backed up, even when they match -Include.
Same rules as -Include, for example '(^|/)tmp/' or '\.log$'.
'@
        InventoryBucket  = @'
The bucket the source bucket's inventory rule writes to, on the same endpoint and reached with the same
credentials. Give it with -InventoryId: backups of the plan then read the rule's newest inventory instead
of listing the bucket. Give both or neither (OssBackup.InvalidArgument otherwise).
'@
        InventoryId      = 'The id (name) of the inventory rule on the source bucket. Give it with -InventoryBucket.'
        InventoryPrefix  = @'
The destination prefix of the inventory rule, if it has one. Inventories are then found under
<prefix>/<source bucket>/<rule id>/ in -InventoryBucket. Leading and trailing slashes are ignored.
'@
        InventoryMaxAge  = @'
How old the newest inventory may be; an older one fails the backup. Default 7 days. Give a number of days
(2, or 1.5 for 36 hours) or a TimeSpan, for example (New-TimeSpan -Hours 36) or '1.12:00:00'.
'@
        InventoryCleanup = @'
What happens to the inventory a backup used, once its backup point is committed: DoNotDelete (default),
DeleteCurrent (delete that inventory's manifest and data files), or DeleteAll (delete it and every older
inventory of the same rule). A cleanup that fails only writes a warning.
'@
    }

    Inputs       = @()

    Outputs      = @(
        @{ Type = 'OssBackup.BackupPlan'; Description = 'The new plan, as stored in the catalog.' }
    )

    Examples     = @(
        @{
            Title   = 'Back up an OSS bucket, with the key taken from the environment'
            Code    = @'
$env:OSS_ACCESS_KEY_ID = 'LTAI5t...'
$env:OSS_ACCESS_KEY_SECRET = '...'
New-BackupPlan -Name nightly -SourceBucket corp-assets -Endpoint https://oss-cn-hangzhou.aliyuncs.com -Region cn-hangzhou -Vault main
'@
            Remarks = @'
Creates the plan "nightly" for the whole bucket corp-assets in the Hangzhou region, backing up into the
vault "main". The access check uses the key in OSS_ACCESS_KEY_ID/OSS_ACCESS_KEY_SECRET; scheduled runs find
it the same way, so set these variables in the environment of the scheduled task too.
'@
        }
        @{
            Title   = 'A plan backed up every night by the scheduler'
            Code    = @'
New-BackupPolicy -Name nightly -Vault main -Interval 1.00:00:00 -StartTime '2025-03-01 02:00' -KeepDaily 14 -KeepMonthly 12
New-BackupPlan -Name corp-assets -SourceBucket corp-assets -Endpoint https://oss-cn-hangzhou.aliyuncs.com -Region cn-hangzhou -Policy nightly -ProfileName oss-backup
'@
            Remarks = @'
The plan backs up into the vault "main" of the policy "nightly", every day at 02:00 local time, once
Invoke-BackupSchedule is called every minute (see its help for cron, systemd and the Task Scheduler). The
[oss-backup] profile of the user the scheduler runs as supplies the key. After each completed backup, the
newest point of each of the last 14 days and 12 months is kept, and the other points are deleted.
'@
        }
        @{
            Title   = 'One folder of a bucket, with filters and a credentials profile'
            Code    = @'
$plan = @{
    Name         = 'photos'
    SourceBucket = 'corp-assets'
    SourcePrefix = 'photos/'
    Endpoint     = 'https://oss-cn-shanghai.aliyuncs.com'
    Region       = 'cn-shanghai'
    ProfileName  = 'oss-backup'
    Vault        = 'main'
    Include      = '\.(jpe?g|png|heic)$'
    Exclude      = '(^|/)thumbs/', '\.tmp$'
}
New-BackupPlan @plan
'@
            Remarks = @'
Backs up only the images under photos/, skipping any thumbs/ folder and .tmp files. Access is checked, and
later backups run, with the [oss-backup] profile of ~/.aws/credentials; only the profile name is stored.
'@
        }
        @{
            Title   = 'A MinIO bucket, checking access with a key typed in once'
            Code    = @'
New-BackupPlan -Name minio-logs -SourceBucket logs -Endpoint http://minio.internal:9000 -ForcePathStyle -Vault main -Credential (Get-Credential -UserName backup-reader)
'@
            Remarks = @'
Get-Credential prompts for the secret of the access key "backup-reader". The key is used only to check
access: run the backups with Start-OssBackup -Credential, a -ProfileName plan, or the environment variables.
-ForcePathStyle is needed for MinIO.
'@
        }
        @{
            Title   = 'A bucket of many millions of objects, scanned from its daily inventory'
            Code    = @'
$plan = @{
    Name             = 'media'
    SourceBucket     = 'corp-media'
    Endpoint         = 'https://oss-cn-hangzhou.aliyuncs.com'
    Region           = 'cn-hangzhou'
    Vault            = 'main'
    InventoryBucket  = 'corp-inventory'
    InventoryId      = 'daily-csv'
    InventoryPrefix  = 'inventories'
    InventoryMaxAge  = 2
    InventoryCleanup = 'DeleteAll'
}
New-BackupPlan @plan
'@
            Remarks = @'
The inventory rule "daily-csv" of corp-media writes CSV lists to corp-inventory under
inventories/corp-media/daily-csv/. Each backup reads the newest list instead of listing the bucket, fails if
that list is more than two days old, and deletes the lists it no longer needs once the backup point is made.
'@
        }
        @{
            Title   = 'Check the settings without creating the plan'
            Code    = 'New-BackupPlan -Name nightly -SourceBucket corp-assets -Endpoint https://oss-cn-hangzhou.aliyuncs.com -Vault main -WhatIf'
            Remarks = 'Shows what would be created. With -WhatIf neither the catalog nor the bucket is touched.'
        }
    )

    Notes        = @'
New-BackupPlan writes terminating errors. Their FullyQualifiedErrorId starts with:
- OssBackup.AlreadyExists: a plan with this name exists.
- OssBackup.NotFound: the vault named by -Vault is not registered, or the policy named by -Policy does not
  exist.
- OssBackup.InvalidArgument: neither -Policy nor -Vault, a -Vault that is not the policy's vault, an
  invalid name, endpoint URL or -Include/-Exclude expression, only one of -InventoryBucket and -InventoryId,
  or an -InventoryMaxAge that is not positive.
- OssBackup.CredentialsNotFound: no credentials were found, or -ProfileName names no profile.
- OssBackup.AccessDenied: the endpoint refused the key (wrong key id or secret, or no permission).
- OssBackup.BucketNotFound: the bucket (or the inventory bucket) does not exist at this endpoint.
- OssBackup.EndpointUnreachable: the endpoint could not be reached.

Only the access key id and secret are used; session tokens (temporary STS credentials) are not supported.
Change a plan with Set-BackupPlan (prefix, filters, policy, profile, inventory settings; not the bucket,
endpoint or vault), pause its schedule with Suspend-BackupPlan, and remove it with Remove-BackupPlan, which
keeps its points.
'@

    RelatedLinks = @('Start-OssBackup', 'Get-BackupPlan', 'Set-BackupPlan', 'New-BackupPolicy', 'Invoke-BackupSchedule', 'New-BackupVault', 'Get-OssInventory', 'about_OssBackup')
}
