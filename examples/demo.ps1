#Requires -Version 7.4
<#
.SYNOPSIS
    The main job end to end: back up a bucket, change it, back up incrementally, browse, restore, verify.
.DESCRIPTION
    Run by `build.ps1 -Task Demo`, which starts the local S3 server (Ceph RGW) and stops it afterwards.
    Uses a scratch OSSBACKUP_HOME so your own catalog is untouched, and deletes it at the end.
#>
param(
    [int] $SmallObjects = 3000,
    [int] $LargeObjects = 3,
    [int] $LargeSizeMiB = 24
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
$env:OSSBACKUP_HOME = Join-Path ([IO.Path]::GetTempPath()) "ossbackup-demo-$PID"
Add-Type -Path (Join-Path $root 'out/testkit/OssBackup.TestKit.dll')
Import-Module (Join-Path $root 'out/OssBackup/OssBackup.psd1')

function Show([string] $Title) { Write-Host "`n=== $Title ===" -ForegroundColor Cyan }

try {
    $s3 = [OssBackup.TestKit.TestS3]::FromEnvironment()
    # Unique names, so the demo can run again against a server that is still up.
    $suffix = [guid]::NewGuid().ToString('N').Substring(0, 6)
    $sourceBucket = "photos-prod-$suffix"
    $restoreBucket = "photos-restored-$suffix"
    $endpoint = $env:OSSBACKUP_TEST_S3_ENDPOINT
    # Scheduled runs take credentials from the environment (or a profile); nothing secret is stored.
    $env:OSS_ACCESS_KEY_ID = $env:OSSBACKUP_TEST_S3_ACCESS_KEY
    $env:OSS_ACCESS_KEY_SECRET = $env:OSSBACKUP_TEST_S3_SECRET_KEY
    $credential = [pscredential]::new($env:OSS_ACCESS_KEY_ID, (ConvertTo-SecureString $env:OSS_ACCESS_KEY_SECRET -AsPlainText -Force))

    Show "Seeding bucket '$sourceBucket' with $SmallObjects small objects, awkward keys and $LargeObjects x $LargeSizeMiB MiB objects"
    $s3.CreateBucket($sourceBucket)
    $s3.CreateBucket($restoreBucket)
    $s3.Seed($sourceBucket, $SmallObjects, $LargeObjects, $LargeSizeMiB * 1MB, 42, '', 16)
    Write-Host ("{0} objects, including: {1}" -f $s3.ListKeys($sourceBucket, '').Count, ([OssBackup.TestKit.TestS3]::AwkwardKeys -join ' | '))

    Show 'New-BackupVault and New-BackupPlan'
    New-BackupVault -Name local -Path (Join-Path $env:OSSBACKUP_HOME 'vaults/local') | Format-Table | Out-Host
    New-BackupPlan -Name photos -SourceBucket $sourceBucket -Endpoint $endpoint -ForcePathStyle -Vault local -Credential $credential |
        Format-Table | Out-Host

    Show 'Start-OssBackup (first run: full)'
    $full = Start-OssBackup -Plan photos
    $full | Format-List Id, Plan, Status, Mode, ScannedObjects, ScannedBytes, BackedUpObjects, BackedUpBytes, UnchangedObjects, WrittenBytes, BytesPerSecond, Duration, BackupPointId | Out-Host

    Show 'Changing the bucket: 25 changed, 10 added, 5 deleted'
    foreach ($i in 0..24) { $s3.PutText($sourceBucket, ('small/{0:D3}/object-{1:D5}.txt' -f [int][math]::Floor($i * 7 / 100), ($i * 7)), "changed $i", 'text/plain') }
    foreach ($i in 0..9) { $s3.PutText($sourceBucket, "new/added $i.txt", "added $i", 'text/plain') }
    foreach ($i in 0..4) { $s3.Delete($sourceBucket, ('small/{0:D3}/object-{1:D5}.txt' -f [int][math]::Floor((1000 + $i) / 100), (1000 + $i))) }

    Show 'Start-OssBackup (second run: incremental, reads only what changed)'
    $incremental = Get-BackupPlan photos | Start-OssBackup
    $incremental | Format-List Id, Plan, Status, Mode, ScannedObjects, BackedUpObjects, UnchangedObjects, WrittenBytes, Duration, BackupPointId | Out-Host
    if ($incremental.BackedUpObjects -ne 35) { throw "Expected 35 objects read by the incremental run, got $($incremental.BackedUpObjects)." }

    Show 'Get-BackupHistory'
    Get-BackupHistory -Plan photos | Format-Table | Out-Host

    Show "Get-BackupObject: browsing the newest point under 'docs/' and keys like 'C++*'"
    $point = Get-BackupHistory -Plan photos -Last 1
    Get-BackupObject -BackupPoint $point -Prefix 'docs/' | Format-Table | Out-Host
    Get-BackupObject -BackupPoint $point -Key 'C++*' | Format-Table | Out-Host

    Show "Restore-OssObject: prefix 'small/00' of the newest point into bucket '$restoreBucket'"
    $restore = Restore-OssObject -BackupPoint $point -Prefix 'small/00' -TargetBucket $restoreBucket -Confirm:$false
    $restore | Format-List | Out-Host

    Show 'Proof: every restored object hashes the same as its source'
    $expected = $s3.Snapshot($sourceBucket, 'small/00')
    $actual = $s3.Snapshot($restoreBucket, 'small/00')
    $differences = Compare-Object @($expected) @($actual) -Property Key, Size, Sha256, ContentType
    if ($differences -or $expected.Count -ne $restore.RestoredObjects) {
        $differences | Format-Table | Out-Host
        throw 'Restored objects differ from the source.'
    }
    Write-Host ("{0} objects restored, {1:N0} bytes, all SHA-256 identical to the source." -f $actual.Count, ($actual | Measure-Object Size -Sum).Sum) -ForegroundColor Green

    Show 'The vault on disk'
    $vaultFiles = Get-ChildItem -Recurse -File (Join-Path $env:OSSBACKUP_HOME 'vaults/local')
    $vaultFiles | Group-Object { ($_.FullName -split '[\\/]vaults[\\/]local[\\/]')[1].Split('/')[0] } |
        Select-Object @{ n = 'Folder'; e = { $_.Name } }, Count, @{ n = 'MiB'; e = { [math]::Round(($_.Group | Measure-Object Length -Sum).Sum / 1MB, 1) } } |
        Format-Table | Out-Host
    Get-BackupJob -Plan photos | Format-Table | Out-Host
}
finally {
    Remove-Module OssBackup -ErrorAction SilentlyContinue
    Remove-Item $env:OSSBACKUP_HOME -Recurse -Force -ErrorAction SilentlyContinue
}
