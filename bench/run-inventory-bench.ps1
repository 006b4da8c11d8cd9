#Requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks an incremental backup from the bucket's inventory against one by traversal and against
    `rclone sync` to a local folder (issue #3), end to end on the test S3 server.
.DESCRIPTION
    Target: with -Objects objects of which -ChangedPercent % changed, the incremental backup by inventory is at
    least 10x faster than the one by traversal and than rclone sync, and issues GETs only for the changed objects.

    Setup (untimed, figures reported for context):
      1. seed a source bucket with -Objects text objects of 1-3 KiB (parallel PUTs);
      2. write inventory run 0 of it in the OSS layout (TestKit's InventoryWriter lists the bucket and writes
         manifest.json, manifest.checksum and -InventoryFiles csv.gz data files into an inventory bucket);
      3. in one fresh OSSBACKUP_HOME: a plan by inventory and a plan by traversal, each with its own vault, each
         with a full backup; an initial `rclone sync` of the bucket to a local folder, verified.
    Per repeat r:
      4. rewrite -ChangedPercent % of the objects (a seeded random choice; new content, so new ETags), then write
         inventory run r (untimed: in production OSS delivers it), each run's folder one minute after the last;
      5. time, in this order:
           (a) Start-OssBackup of the inventory plan (incremental)
           (b) Start-OssBackup of the traversal plan (incremental)
           (c) rclone sync benchs3:<bucket> <folder> --transfers P --checkers P --fast-list --use-server-modtime
      6. prove each did the work: (a) and (b) backed up exactly the changed objects (BackedUpObjects = ChangedObjects =
         changed, all others unchanged) and (a) sent exactly that many object GETs to the source bucket, counted in the
         gateway's access log (every request RGW serves is logged there; the inventory bucket's reads are counted
         apart); (c) the folder equals the bucket afterwards (every file's size and MD5 against the object's ETag).
    Times are wall-clock around the cmdlet or the rclone process; figures are medians of -Repeat runs; ratios are
    the other side's median time over the inventory backup's.
.EXAMPLE
    dotnet pwsh -Command "./build.ps1 -Task Bench -BenchSuite Inventory"
.EXAMPLE
    bash tests/s3server/start.sh /tmp/benchs3; set -a; . /tmp/benchs3/env; set +a
    dotnet pwsh ./build.ps1 -Task Build
    flock /tmp/ossbackup-bench.lock dotnet pwsh bench/run-inventory-bench.ps1 -Objects 2000 -Repeat 1
    bash tests/s3server/stop.sh /tmp/benchs3
#>
[CmdletBinding()]
param(
    # Objects in the bucket.
    [ValidateRange(100, 10000000)]
    [int] $Objects = 100000,

    # Share of the objects changed before each incremental backup.
    [ValidateRange(0.01, 100)]
    [double] $ChangedPercent = 1,

    # Data files the inventory is split into.
    [ValidateRange(1, 1000)]
    [int] $InventoryFiles = 1,

    [ValidateRange(1, 100)]
    [int] $Repeat = 3,

    # Start-OssBackup -Parallelism for both backups, and rclone's --transfers and --checkers.
    [ValidateRange(1, 256)]
    [int] $Parallelism = 16,

    [string] $ResultsFile = (Join-Path (Split-Path $PSScriptRoot) 'out/bench/inventory-results.md'),

    [string] $ModuleManifest = (Join-Path (Split-Path $PSScriptRoot) 'out/OssBackup/OssBackup.psd1'),

    [switch] $KeepBuckets,

    # Analysis only: record run 1's inventory backup with `perf record -g` into this file (start the pwsh with
    # DOTNET_PerfMapEnabled=1 so perf can name JIT-compiled frames). Perf slows that run: quote no figures from it.
    [string] $PerfRecordFile,

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

$scratch = Join-Path ([IO.Path]::GetTempPath()) "ossbackup-inventory-bench-$PID"
New-Item -ItemType Directory -Force $scratch | Out-Null
$s3 = [OssBackup.Bench.BenchS3]::FromEnvironment()
$testS3 = [OssBackup.TestKit.TestS3]::FromEnvironment()
$inventoryWriter = [OssBackup.TestKit.InventoryWriter]::new($testS3)
$rclone = [OssBackup.Bench.Rclone]::new((Get-Rclone), $endpoint, $accessKey, $secretKey, $region, (Join-Path $scratch 'rclone.conf'))
$accessLog = [OssBackup.Bench.GatewayAccessLog]::Find($endpoint)
if (-not $accessLog) { throw 'No RGW access log found: the GETs of the inventory backup cannot be counted. Run against Ceph RGW (tests/s3server/start.sh).' }
$homeBefore = $env:OSSBACKUP_HOME
$machine = Get-MachineDescription $serverKind $endpoint
$machine['Rclone'] = $rclone.Version()
$command = Get-ReproducingCommand 'run-inventory-bench.ps1' $PSBoundParameters
Write-Host "OssBackup inventory benchmark: $command"
$machine.GetEnumerator() | ForEach-Object { Write-Host ("  {0,-20} {1}" -f $_.Key, $_.Value) }

$suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
$source = "ib-src-$suffix"
$inventoryBucket = "ib-inv-$suffix"
$folder = Join-Path $scratch 'rclone-folder'
$changedCount = [int][Math]::Max(1, [Math]::Round($Objects * $ChangedPercent / 100))
$rcloneArguments = @('--transfers', "$Parallelism", '--checkers', "$Parallelism", '--fast-list', '--use-server-modtime', '--log-level', 'ERROR')
$rcloneCommand = "rclone sync $([OssBackup.Bench.Rclone]::Remote):<bucket> <folder> $($rcloneArguments -join ' ')"
# Run folders are named by the minute: give each run its own minute, all in the recent past.
$inventoryBase = [datetime]::new([datetime]::UtcNow.Ticks - [datetime]::UtcNow.Ticks % [TimeSpan]::TicksPerMinute, [DateTimeKind]::Utc).AddMinutes(-($Repeat + 2))
$setup = [ordered]@{}
$runs = [Collections.Generic.List[object]]::new()

function Write-Inventory([int] $Run) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $options = [OssBackup.TestKit.InventoryOptions]@{
        DestinationBucket = $inventoryBucket; DestinationPrefix = 'reports'; InventoryId = 'daily'
        RunTime = $inventoryBase.AddMinutes($Run); FilesCount = $InventoryFiles
    }
    $written = $inventoryWriter.WriteBucket($source, $options)
    Write-Host "inventory run $Run written to $($written.RunFolder) in $(Format-Number $clock.Elapsed.TotalSeconds 1) s (untimed)"
}

function Invoke-Backup([string] $Plan) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $job = Start-OssBackup -Plan $Plan -Parallelism $Parallelism -ErrorAction Stop
    $seconds = $clock.Elapsed.TotalSeconds
    if ("$($job.Status)" -ne 'Completed' -or $job.FailedObjects -gt 0) { throw "Backup of plan $Plan ended $($job.Status) with $($job.FailedObjects) failed objects: $($job.Message)" }
    [pscustomobject]@{ Seconds = $seconds; Job = $job }
}

function Invoke-RcloneSync {
    $rclone.Run([string[]](@('sync', "$([OssBackup.Bench.Rclone]::Remote):$source", $folder) + $rcloneArguments))
}

function Assert-FolderMirrorsBucket([string] $When) {
    $check = $s3.VerifyFolder($source, $folder)
    if ($check.Problems.Count -gt 0 -or $check.VerifiedByReading -ne $Objects -or $check.Present -ne $Objects) {
        throw "After $When the rclone folder does not mirror the bucket ($($check.VerifiedByReading) of $Objects files verified): $($check.Problems -join '; ')"
    }
}

try {
    # --- setup (untimed) ------------------------------------------------------------------------------------
    $s3.CreateBucket($source)
    $s3.CreateBucket($inventoryBucket)
    $seeded = $s3.SeedSmall($source, $Objects, 1024, 3072, $Seed, 16)
    $setup['Seeding'] = "$($seeded.Objects) objects, $(Format-Number ($seeded.Bytes / 1e6) 1) MB in $(Format-Number $seeded.Seconds 1) s"
    Write-Host "seeded $($setup['Seeding'])"
    Write-Inventory 0

    $env:OSSBACKUP_HOME = Join-Path $scratch 'home'
    New-BackupVault -Name byinventory -Path (Join-Path $env:OSSBACKUP_HOME 'vault-inventory') | Out-Null
    New-BackupVault -Name bytraversal -Path (Join-Path $env:OSSBACKUP_HOME 'vault-traversal') | Out-Null
    New-BackupPlan -Name byinventory -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault byinventory `
        -InventoryBucket $inventoryBucket -InventoryId daily -InventoryPrefix reports | Out-Null
    New-BackupPlan -Name bytraversal -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault bytraversal | Out-Null
    foreach ($plan in 'byinventory', 'bytraversal') {
        $full = Invoke-Backup $plan
        if ($full.Job.BackedUpObjects -ne $Objects) { throw "The full backup of plan $plan backed up $($full.Job.BackedUpObjects) of $Objects objects." }
        $setup["Full backup, $plan"] = "$(Format-Number $full.Seconds 1) s"
        Write-Host "full backup of plan ${plan}: $(Format-Number $full.Seconds 1) s"
    }
    $initial = Invoke-RcloneSync
    Assert-FolderMirrorsBucket 'the initial sync'
    $setup['Initial rclone sync'] = "$(Format-Number $initial.Seconds 1) s"
    Write-Host "initial rclone sync: $(Format-Number $initial.Seconds 1) s, folder verified"

    # --- repeats --------------------------------------------------------------------------------------------
    for ($r = 1; $r -le $Repeat; $r++) {
        $random = [Random]::new($Seed * 7919 + $r)
        $chosen = [Collections.Generic.HashSet[int]]::new()
        while ($chosen.Count -lt $changedCount) { $null = $chosen.Add($random.Next($Objects)) }
        $indices = [int[]]@($chosen)
        $rewritten = $s3.RewriteSmall($source, $indices, 1024, 3072, $Seed + 1000 * $r, 16)
        Write-Host "run ${r}: changed $($rewritten.Objects) objects in $(Format-Number $rewritten.Seconds 1) s (untimed)"
        Write-Inventory $r

        $mark = $accessLog.Mark()
        $loadBefore = Get-LoadAverage
        $perf = if ($PerfRecordFile -and $r -eq 1) {
            Start-Process perf -ArgumentList 'record', '-F', '999', '-g', '-p', "$PID", '-o', $PerfRecordFile -PassThru -RedirectStandardError (Join-Path $scratch 'perf.log')
            Start-Sleep -Seconds 2
        }
        $byInventory = Invoke-Backup 'byinventory'
        if ($perf) { & /bin/kill -INT $perf.Id; $perf.WaitForExit(); Write-Host "perf data of run 1's inventory backup: $PerfRecordFile" }
        $sourceRequests = $accessLog.Count($source, $mark)
        $inventoryRequests = $accessLog.Count($inventoryBucket, $mark)
        $job = $byInventory.Job
        if ($job.BackedUpObjects -ne $changedCount -or $job.UnchangedObjects -ne $Objects - $changedCount) {
            throw "Run ${r}: the inventory backup backed up $($job.BackedUpObjects) objects and kept $($job.UnchangedObjects) unchanged; expected $changedCount and $($Objects - $changedCount)."
        }
        if ($sourceRequests.ObjectGets -ne $changedCount) {
            throw "Run ${r}: the inventory backup sent $($sourceRequests.ObjectGets) GETs to the source bucket for $changedCount changed objects ($sourceRequests)."
        }
        $runs.Add([pscustomobject]@{ Run = $r; Side = 'inventory'; Seconds = $byInventory.Seconds; JobSeconds = $job.Duration.TotalSeconds; BackedUp = $job.BackedUpObjects
                SourceRequests = "$sourceRequests"; SourceGets = $sourceRequests.ObjectGets; InventoryRequests = "$inventoryRequests"; LoadAverageBefore = $loadBefore })

        $mark = $accessLog.Mark()
        $loadBefore = Get-LoadAverage
        $byTraversal = Invoke-Backup 'bytraversal'
        $sourceRequests = $accessLog.Count($source, $mark)
        $job = $byTraversal.Job
        if ($job.BackedUpObjects -ne $changedCount) { throw "Run ${r}: the traversal backup backed up $($job.BackedUpObjects) objects, not $changedCount." }
        $runs.Add([pscustomobject]@{ Run = $r; Side = 'traversal'; Seconds = $byTraversal.Seconds; JobSeconds = $job.Duration.TotalSeconds; BackedUp = $job.BackedUpObjects
                SourceRequests = "$sourceRequests"; SourceGets = $sourceRequests.ObjectGets; InventoryRequests = ''; LoadAverageBefore = $loadBefore })

        $mark = $accessLog.Mark()
        $loadBefore = Get-LoadAverage
        $sync = Invoke-RcloneSync
        $sourceRequests = $accessLog.Count($source, $mark)
        Assert-FolderMirrorsBucket "run $r's sync"
        $runs.Add([pscustomobject]@{ Run = $r; Side = 'rclone'; Seconds = $sync.Seconds; JobSeconds = $null; BackedUp = $sourceRequests.ObjectGets
                SourceRequests = "$sourceRequests"; SourceGets = $sourceRequests.ObjectGets; InventoryRequests = ''; LoadAverageBefore = $loadBefore })

        foreach ($run in $runs | Where-Object Run -eq $r) {
            Write-Host ("run {0}/{1} {2,-9} {3,8} s  (job {4} s)  source bucket: {5}{6}" -f $r, $Repeat, $run.Side, (Format-Number $run.Seconds 2),
                $(if ($null -ne $run.JobSeconds) { Format-Number $run.JobSeconds 2 } else { '-' }), $run.SourceRequests,
                $(if ($run.InventoryRequests) { "; inventory bucket: $($run.InventoryRequests)" } else { '' }))
        }
    }
}
finally {
    $env:OSSBACKUP_HOME = $homeBefore
    if (-not $KeepBuckets) {
        foreach ($bucket in $source, $inventoryBucket) {
            try { $s3.DeleteBucket($bucket) } catch { Write-Warning "Could not delete bucket ${bucket}: $_" }
        }
    }
    Remove-ScratchFolder $scratch
    $s3.Dispose()
    $testS3.Dispose()
}
$machine['LoadAverageAtEnd'] = Get-LoadAverage

# --- report -------------------------------------------------------------------------------------------------
$median = @{}
foreach ($side in 'inventory', 'traversal', 'rclone') { $median[$side] = Get-Median @($runs | Where-Object Side -eq $side | ForEach-Object Seconds) }
$names = @{
    inventory = '(a) Start-OssBackup, inventory plan, incremental'
    traversal = '(b) Start-OssBackup, traversal plan, incremental'
    rclone = "(c) $rcloneCommand"
}
$md = [Text.StringBuilder]::new()
$null = $md.AppendLine("### Run of $($machine.Date)")
$null = $md.AppendLine()
$null = $md.AppendLine("- Command: ``$command`` (against a running test server)")
$null = $md.AppendLine("- Machine: $($machine.Machine)")
$null = $md.AppendLine("- Server: $($machine.Server); $($machine.Rclone)")
$null = $md.AppendLine("- Commit: $($machine.Commit); load average at start $($machine.LoadAverageAtStart), at end $($machine.LoadAverageAtEnd)")
$null = $md.AppendLine("- $Objects objects of 1-3 KiB, $changedCount ($ChangedPercent %) rewritten before each run; inventory in $InventoryFiles data file(s); median of $Repeat runs; parallelism $Parallelism (Start-OssBackup -Parallelism, rclone --transfers/--checkers)")
$null = $md.AppendLine("- Setup (untimed): $(($setup.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join '; ')")
$null = $md.AppendLine()
$null = $md.AppendLine('| Measurement | Time (s) | vs inventory | Job Duration (s) | Requests to the source bucket (last run, gateway log) | Runs (s) |')
$null = $md.AppendLine('| --- | ---: | ---: | ---: | --- | --- |')
foreach ($side in 'inventory', 'traversal', 'rclone') {
    $sideRuns = @($runs | Where-Object Side -eq $side)
    $jobSeconds = if ($side -ne 'rclone') { Format-Number (Get-Median @($sideRuns | ForEach-Object JobSeconds)) 2 } else { '-' }
    $null = $md.AppendLine(('| {0} | {1} | {2} | {3} | {4} | {5} |' -f $names[$side], (Format-Number $median[$side] 2), ('{0}x' -f (Format-Number ($median[$side] / $median['inventory']) 1)),
            $jobSeconds, $sideRuns[-1].SourceRequests, (($sideRuns | ForEach-Object { Format-Number $_.Seconds 2 }) -join ', ')))
}
$inventoryRuns = @($runs | Where-Object Side -eq 'inventory')
$null = $md.AppendLine()
$null = $md.AppendLine("The inventory backup's reads of the inventory bucket (last run): $($inventoryRuns[-1].InventoryRequests).")
$null = $md.AppendLine()
$null = $md.AppendLine('Targets:')
foreach ($other in 'traversal', 'rclone') {
    $ratio = $median[$other] / $median['inventory']
    $null = $md.AppendLine("- inventory incremental vs $($other): $(Format-Number $ratio 1)x faster (target >= 10x): **$(if ($ratio -ge 10) { 'met' } else { 'NOT met' })**")
}
$gets = ($inventoryRuns | ForEach-Object { $_.SourceGets }) -join ', '
$null = $md.AppendLine("- GETs to the source bucket by the inventory backup: $gets for $changedCount changed objects per run (target: only the changed objects): **met** (the harness stops on any other count)")
$report = $md.ToString()

$resultsFolder = Split-Path $ResultsFile
if ($resultsFolder) { New-Item -ItemType Directory -Force $resultsFolder | Out-Null }
Set-Content -Path $ResultsFile -Value $report -Encoding utf8NoBOM
[ordered]@{ Machine = $machine; Setup = $setup; Runs = $runs } | ConvertTo-Json -Depth 5 | Set-Content -Path ([IO.Path]::ChangeExtension($ResultsFile, '.json')) -Encoding utf8NoBOM
Write-Host ''
Write-Host $report
Write-Host "Written to $ResultsFile"
