#Requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks Restore-OssObject to a bucket against `rclone copy` of the same data from a local folder (issue #5).
.DESCRIPTION
    Target: restore throughput at least 1.0x rclone's, for small and for large objects, at the same parallelism.

    For each set (small: -SmallCount objects of 1-3 KiB; large: -LargeCount objects of -LargeSizeMiB MiB of random
    bytes), on the test S3 server (OSSBACKUP_TEST_S3_*):
      1. seed a source bucket, back it up with Start-OssBackup into a fresh vault (fresh OSSBACKUP_HOME);
      2. restore the backup point to a local folder (Restore-OssObject -TargetPath) and prove the folder equals the
         source bucket (every file's size and MD5 against the object's ETag): this folder is rclone's source;
      3. untimed warm-up of both on a few objects;
      4. per repeat, into fresh, empty buckets created beforehand (untimed), in alternating order:
           rclone copy <folder> benchs3:<bucket> --transfers P --checkers P
           Restore-OssObject -BackupPoint <id> -TargetBucket <bucket> -Parallelism P
         then prove each target bucket equals the source bucket (VerifyCopy: keys, sizes, ETag = MD5 for single PUTs,
         every multipart object read back and its MD5 compared), count the requests each side sent from the gateway's
         access log, and delete the buckets.
    -Parallelism sets both sides: rclone's --transfers/--checkers and Restore-OssObject -Parallelism.
    Figures are medians of -Repeat runs; the ratio is rclone's median time over ours (above 1.0 = we are faster).
    Prints a Markdown report, also written to -ResultsFile (runs in a .json beside it).
.EXAMPLE
    dotnet pwsh -Command "./build.ps1 -Task Bench -BenchSuite Restore"
.EXAMPLE
    bash tests/s3server/start.sh /tmp/benchs3; set -a; . /tmp/benchs3/env; set +a
    dotnet pwsh ./build.ps1 -Task Build
    flock /tmp/ossbackup-bench.lock dotnet pwsh bench/run-restore-bench.ps1 -SmallCount 1000 -LargeCount 4 -Repeat 1
    bash tests/s3server/stop.sh /tmp/benchs3
#>
[CmdletBinding()]
param(
    # Objects of 1-3 KiB in the small set (0 skips it).
    [ValidateRange(0, 1000000)]
    [int] $SmallCount = 10000,

    # Objects in the large set (0 skips it).
    [ValidateRange(0, 10000)]
    [int] $LargeCount = 20,

    [ValidateRange(1, 4096)]
    [int] $LargeSizeMiB = 32,

    [ValidateRange(1, 100)]
    [int] $Repeat = 3,

    # Restore-OssObject -Parallelism and rclone's --transfers and --checkers.
    [ValidateRange(1, 256)]
    [int] $Parallelism = 16,

    [string] $ResultsFile = (Join-Path (Split-Path $PSScriptRoot) 'out/bench/restore-results.md'),

    [string] $ModuleManifest = (Join-Path (Split-Path $PSScriptRoot) 'out/OssBackup/OssBackup.psd1'),

    [switch] $KeepBuckets,

    [int] $Seed = 1
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'BenchCommon.ps1')

$endpoint = Get-RequiredEnvironment 'OSSBACKUP_TEST_S3_ENDPOINT'
$accessKey = Get-RequiredEnvironment 'OSSBACKUP_TEST_S3_ACCESS_KEY'
$secretKey = Get-RequiredEnvironment 'OSSBACKUP_TEST_S3_SECRET_KEY'
$region = if ($env:OSSBACKUP_TEST_S3_REGION) { $env:OSSBACKUP_TEST_S3_REGION } else { 'us-east-1' }
$serverKind = if ($env:OSSBACKUP_TEST_S3_SERVER) { $env:OSSBACKUP_TEST_S3_SERVER } else { 'unknown' }
if (-not (Test-Path $ModuleManifest)) { throw "The module is not built ($ModuleManifest is missing): run 'dotnet pwsh ./build.ps1 -Task Build' first." }

Import-BenchLibrary
Import-Module $ModuleManifest -Force
$env:OSS_ACCESS_KEY_ID = $accessKey
$env:OSS_ACCESS_KEY_SECRET = $secretKey

$scratch = Join-Path ([IO.Path]::GetTempPath()) "ossbackup-restore-bench-$PID"
New-Item -ItemType Directory -Force $scratch | Out-Null
$s3 = [OssBackup.Bench.BenchS3]::FromEnvironment()
$rclone = [OssBackup.Bench.Rclone]::new((Get-Rclone), $endpoint, $accessKey, $secretKey, $region, (Join-Path $scratch 'rclone.conf'))
$accessLog = [OssBackup.Bench.GatewayAccessLog]::Find($endpoint)
$server = [OssBackup.Bench.ServerProcesses]::Find($endpoint)
if (-not $accessLog) { Write-Warning 'No RGW access log found: requests per object will not be counted.' }
$homeBefore = $env:OSSBACKUP_HOME
$machine = Get-MachineDescription $serverKind $endpoint
$machine['Rclone'] = $rclone.Version()
$command = Get-ReproducingCommand 'run-restore-bench.ps1' $PSBoundParameters
Write-Host "OssBackup restore benchmark: $command"
$machine.GetEnumerator() | ForEach-Object { Write-Host ("  {0,-20} {1}" -f $_.Key, $_.Value) }

$suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
$buckets = [Collections.Generic.List[string]]::new()
$runs = [Collections.Generic.List[object]]::new()
$sets = [Collections.Generic.List[object]]::new()

function New-Bucket([string] $Name) { $s3.CreateBucket($Name); $buckets.Add($Name); $Name }

function Remove-Bucket([string] $Name) {
    if (-not $KeepBuckets) { $s3.DeleteBucket($Name); $null = $buckets.Remove($Name) }
}

function Get-RequestCounts([string] $Bucket, [long] $Mark) { if ($accessLog) { $accessLog.Count($Bucket, $Mark) } }

function Invoke-RcloneCopy([string] $Folder, [string] $Bucket) {
    $rclone.Run([string[]]@('copy', $Folder, "$([OssBackup.Bench.Rclone]::Remote):$Bucket", '--transfers', "$Parallelism", '--checkers', "$Parallelism", '--log-level', 'ERROR'))
}

function Invoke-Restore([string] $PointId, [string] $Bucket, [string] $Prefix) {
    $arguments = @{ BackupPoint = $PointId; TargetBucket = $Bucket; Parallelism = $Parallelism; ErrorAction = 'Stop' }
    if ($Prefix) { $arguments.Prefix = $Prefix }
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $job = Restore-OssObject @arguments
    $seconds = $clock.Elapsed.TotalSeconds
    if ("$($job.Status)" -ne 'Completed' -or $job.FailedObjects -gt 0) { throw "Restore to $Bucket ended $($job.Status) with $($job.FailedObjects) failed objects: $($job.Message)" }
    [pscustomobject]@{ Seconds = $seconds; Job = $job }
}

function Measure-Set([string] $Set, [scriptblock] $SeedSource, [string] $WarmupPrefix) {
    $source = New-Bucket "rb-$Set-src-$suffix"
    $seeded = & $SeedSource $source
    Write-Host "[$Set] seeded $($seeded.Objects) objects, $($seeded.Bytes) bytes in $(Format-Number $seeded.Seconds 1) s"

    $env:OSSBACKUP_HOME = Join-Path $scratch "home-$Set"
    New-BackupVault -Name bench -Path (Join-Path $env:OSSBACKUP_HOME 'vault') | Out-Null
    New-BackupPlan -Name $Set -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault bench | Out-Null
    $backup = Start-OssBackup -Plan $Set -ErrorAction Stop
    if ("$($backup.Status)" -ne 'Completed' -or $backup.BackedUpObjects -ne $seeded.Objects) { throw "[$Set] backup ended $($backup.Status) with $($backup.BackedUpObjects) of $($seeded.Objects) objects: $($backup.Message)" }
    $point = $backup.BackupPointId
    Write-Host "[$Set] backed up into point $point in $(Format-Number $backup.Duration.TotalSeconds 1) s"

    # rclone's source: the same bytes on local disk, written by our restore to a folder and proven equal to the bucket.
    $folder = Join-Path $scratch "folder-$Set"
    $toFolder = Restore-OssObject -BackupPoint $point -TargetPath $folder -ErrorAction Stop
    if ("$($toFolder.Status)" -ne 'Completed') { throw "[$Set] restore to $folder ended $($toFolder.Status): $($toFolder.Message)" }
    $folderCheck = $s3.VerifyFolder($source, $folder)
    if (-not ($folderCheck.Problems.Count -eq 0 -and $folderCheck.VerifiedByReading -eq $seeded.Objects)) { throw "[$Set] the local folder does not match the bucket: $($folderCheck.Problems -join '; ')" }
    Write-Host "[$Set] local copy for rclone in $folder verified: $($folderCheck.VerifiedByReading) files"

    # Warm-up (untimed): JIT, connection setup and rclone's first start, on a few objects only.
    $warmFolder = Join-Path $scratch "warm-$Set"
    Copy-Item -Path (Join-Path $folder $WarmupPrefix) -Destination (Join-Path $warmFolder $WarmupPrefix) -Recurse
    foreach ($side in 'rclone', 'restore') {
        $bucket = New-Bucket "rb-$Set-warm-$side-$suffix"
        if ($side -eq 'rclone') { Invoke-RcloneCopy $warmFolder $bucket | Out-Null } else { Invoke-Restore $point $bucket $WarmupPrefix | Out-Null }
        Remove-Bucket $bucket
    }

    for ($r = 1; $r -le $Repeat; $r++) {
        # Alternate who goes first, so neither always meets the server's leftovers (RGW's gc of the last run's deletes).
        $order = if ($r % 2) { 'rclone', 'restore' } else { 'restore', 'rclone' }
        foreach ($side in $order) {
            $bucket = New-Bucket "rb-$Set-$side-$r-$suffix"
            $mark = if ($accessLog) { $accessLog.Mark() } else { 0 }
            $loadBefore = Get-LoadAverage
            $cpuBefore = if ($side -eq 'rclone') { [OssBackup.Bench.ClientCpu]::ChildrenSeconds() } else { [OssBackup.Bench.ClientCpu]::SelfSeconds() }
            $serverMeter = [OssBackup.Bench.Meter]::Start($server)
            if ($side -eq 'rclone') {
                $seconds = (Invoke-RcloneCopy $folder $bucket).Seconds
                $name = "rclone copy (--transfers $Parallelism --checkers $Parallelism)"
            }
            else {
                $seconds = (Invoke-Restore $point $bucket $null).Seconds
                $name = "Restore-OssObject -TargetBucket -Parallelism $Parallelism"
            }
            $serverCpu = $serverMeter.Stop($name, 0, 0)
            $clientCpu = $(if ($side -eq 'rclone') { [OssBackup.Bench.ClientCpu]::ChildrenSeconds() } else { [OssBackup.Bench.ClientCpu]::SelfSeconds() }) - $cpuBefore
            $requests = Get-RequestCounts $bucket $mark
            $check = $s3.VerifyCopy($source, $bucket, $Parallelism)
            if (-not $check.IsExact) { throw "[$Set] $name left $bucket different from $($source): $($check.Problems -join '; ')" }
            Write-Host ("[{0}] run {1}/{2} {3,-52} {4,7} s {5,8} obj/s {6,7} MB/s; CPU-s client {7}, server {8}; verified {9} by ETag + {10} read back; requests: {11}" -f $Set, $r, $Repeat, $name,
                (Format-Number $seconds 2), (Format-Number ($seeded.Objects / $seconds) 0), (Format-Number ($seeded.Bytes / 1e6 / $seconds) 1),
                (Format-Number $clientCpu 2), (Format-Number ($serverCpu.GatewayCpuSeconds + $serverCpu.OsdCpuSeconds) 2), $check.VerifiedByETag, $check.VerifiedByReading, $requests)
            $runs.Add([pscustomobject]@{ Set = $Set; Run = $r; Side = $side; Name = $name; Objects = $seeded.Objects; Bytes = $seeded.Bytes; Seconds = $seconds
                    ClientCpuSeconds = $clientCpu; ServerCpuSeconds = $serverCpu.GatewayCpuSeconds + $serverCpu.OsdCpuSeconds; OtherCpuSeconds = $serverCpu.OtherCpuSeconds
                    Requests = $requests; VerifiedByETag = $check.VerifiedByETag; VerifiedByReading = $check.VerifiedByReading; LoadAverageBefore = $loadBefore })
            Remove-Bucket $bucket
        }
    }
    $sets.Add([pscustomobject]@{ Set = $Set; Objects = $seeded.Objects; Bytes = $seeded.Bytes; BackupSeconds = $backup.Duration.TotalSeconds; Point = $point })
    Remove-ScratchFolder $folder
    Remove-ScratchFolder $warmFolder
    $env:OSSBACKUP_HOME = $homeBefore
}

try {
    if ($SmallCount -gt 0) {
        Measure-Set 'small' { param($bucket) $s3.SeedSmall($bucket, $SmallCount, 1024, 3072, $Seed, 16) } 'small/000/'
    }
    if ($LargeCount -gt 0) {
        Measure-Set 'large' { param($bucket) $s3.SeedLarge($bucket, $LargeCount, $LargeSizeMiB * 1MB, $Seed, 4) } 'large/'
    }
}
finally {
    $env:OSSBACKUP_HOME = $homeBefore
    foreach ($bucket in @($buckets)) {
        if (-not $KeepBuckets) { try { $s3.DeleteBucket($bucket) } catch { Write-Warning "Could not delete bucket ${bucket}: $_" } }
    }
    Remove-ScratchFolder $scratch
    $s3.Dispose()
}
$machine['LoadAverageAtEnd'] = Get-LoadAverage

# --- report -------------------------------------------------------------------------------------------------
$md = [Text.StringBuilder]::new()
$null = $md.AppendLine("### Run of $($machine.Date)")
$null = $md.AppendLine()
$null = $md.AppendLine("- Command: ``$command`` (against a running test server)")
$null = $md.AppendLine("- Machine: $($machine.Machine)")
$null = $md.AppendLine("- Server: $($machine.Server); $($machine.Rclone)")
$null = $md.AppendLine("- Commit: $($machine.Commit); load average at start $($machine.LoadAverageAtStart), at end $($machine.LoadAverageAtEnd)")
$null = $md.AppendLine("- Parallelism $Parallelism on both sides; median of $Repeat runs after a warm-up; MB = 10^6 bytes; ratio = rclone's median time / ours (>= 1.0 means at least rclone's throughput); CPU-s client = the rclone process, or this pwsh for the restore; server = radosgw + ceph-osd")
$null = $md.AppendLine()
$null = $md.AppendLine('| Set | Side | Objects | MB | Time (s) | Objects/s | MB/s | Ratio ours/rclone | CPU-s client | CPU-s server | Requests per run (gateway log) | Runs (s) |')
$null = $md.AppendLine('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
$verdicts = [Collections.Generic.List[string]]::new()
foreach ($set in $sets) {
    $median = @{}
    foreach ($side in 'rclone', 'restore') {
        $median[$side] = Get-Median @($runs | Where-Object { $_.Set -eq $set.Set -and $_.Side -eq $side } | ForEach-Object Seconds)
    }
    $ratio = $median['rclone'] / $median['restore']
    foreach ($side in 'rclone', 'restore') {
        $sideRuns = @($runs | Where-Object { $_.Set -eq $set.Set -and $_.Side -eq $side })
        $seconds = $median[$side]
        $null = $md.AppendLine(('| {0} | {1} | {2} | {3} | {4} | {5} | {6} | {7} | {8} | {9} | {10} | {11} |' -f $set.Set, $sideRuns[0].Name, $set.Objects, (Format-Number ($set.Bytes / 1e6) 1),
                (Format-Number $seconds 2), (Format-Number ($set.Objects / $seconds) 0), (Format-Number ($set.Bytes / 1e6 / $seconds) 1),
                $(if ($side -eq 'restore') { "**$(Format-Number $ratio 2)x**" } else { '1.00x' }),
                (Format-Number (Get-Median @($sideRuns | ForEach-Object ClientCpuSeconds)) 2), (Format-Number (Get-Median @($sideRuns | ForEach-Object ServerCpuSeconds)) 2),
                "$($sideRuns[-1].Requests)", (($sideRuns | ForEach-Object { Format-Number $_.Seconds 2 }) -join ', ')))
    }
    $verdicts.Add("- $($set.Set) objects: restore at $(Format-Number $ratio 2)x rclone's throughput (target >= 1.0x): **$(if ($ratio -ge 1.0) { 'met' } else { 'NOT met' })**")
}
$null = $md.AppendLine()
$null = $md.AppendLine('Targets:')
$verdicts | ForEach-Object { $null = $md.AppendLine($_) }
$null = $md.AppendLine()
$null = $md.AppendLine('Every run was verified afterwards: all keys present, sizes equal, single-PUT objects by ETag = source MD5, multipart objects read back and their MD5 compared with the source.')
$report = $md.ToString()

$resultsFolder = Split-Path $ResultsFile
if ($resultsFolder) { New-Item -ItemType Directory -Force $resultsFolder | Out-Null }
Set-Content -Path $ResultsFile -Value $report -Encoding utf8NoBOM
[ordered]@{ Machine = $machine; Sets = $sets; Runs = $runs } | ConvertTo-Json -Depth 5 | Set-Content -Path ([IO.Path]::ChangeExtension($ResultsFile, '.json')) -Encoding utf8NoBOM
Write-Host ''
Write-Host $report
Write-Host "Written to $ResultsFile"
