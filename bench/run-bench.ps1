#Requires -Version 7.4
<#
.SYNOPSIS
    Benchmarks a full OssBackup backup against the test S3 server's ceiling (raw HTTP GETs).
.DESCRIPTION
    Two measurements, each on its own bucket of the test S3 server (OSSBACKUP_TEST_S3_*, as started by
    tests/s3server/start.sh or `build.ps1 -Task Bench`):
      small : -SmallCount text objects of 1-3 KiB (log-like, zstd-compressible about 3x)
      large : -LargeCount objects of -LargeSizeMiB MiB of random bytes
    For each, every repeat runs, in this order:
      raw HTTP GET    the ceiling: unsigned HttpClient GETs (the bucket gets a public-read policy) of every
                      key, -Parallelism at a time, every byte read and discarded
      AWSSDK GET      diagnostic: signed GetObject with the engine's client settings, bytes discarded
      AWSSDK + CPU    diagnostic: the same plus what the engine computes per byte (its own MD5 per object on
                      top of the SDK's, SHA-256 and a zstd-3 attempt per 8 MiB chunk), nothing written
      (-Experiments)  the raw loop with every GET SigV4-signed by a 50-line signer (auth without AWSSDK),
                      the two SDK loops again reading past the SDK's MD5Stream (its managed MD5 of every body;
                      the CPU loop then has one MD5, ours), and (large set) packs written through a scratch
                      file as today versus straight into the vault
      backup          Start-OssBackup of a fresh plan into a fresh vault (new OSSBACKUP_HOME): full backup
    after one untimed warm-up of each: on the whole small set (so every measurement, the raw loop's too, runs
    code that tiered JIT compilation has finished with, as in a long backup; -ShortWarmup: 100 objects), and
    on one large object. Keys are listed before the raw and SDK loops,
    untimed; the backup's time includes its own listing, catalog and vault commit. Every loop runs in this
    process (the same .NET runtime and GC as the cmdlets). The figure of each measurement is the median
    of -Repeat runs. CPU seconds are taken from /proc for this process (client), the gateway and OSD
    (server) and the rest of the machine (other).

    Prints a Markdown report (also written to -ResultsFile, with the raw runs in a .json beside it) to
    paste into docs/benchmarks.md.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Bench
.EXAMPLE
    dotnet pwsh -Command "./build.ps1 -Task Bench -BenchArguments '-SmallCount','1000','-LargeCount','0'"
.EXAMPLE
    bash tests/s3server/start.sh /tmp/benchs3; set -a; . /tmp/benchs3/env; set +a
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh bench/run-bench.ps1 -Repeat 1
    bash tests/s3server/stop.sh /tmp/benchs3
#>
[CmdletBinding()]
param(
    # Objects of 1-3 KiB in the small set (0 skips it).
    [ValidateRange(0, 1000000)]
    [int] $SmallCount = 5000,

    # Objects in the large set (0 skips it).
    [ValidateRange(0, 10000)]
    [int] $LargeCount = 20,

    # Size of each large object.
    [ValidateRange(1, 4096)]
    [int] $LargeSizeMiB = 32,

    # Runs of each measurement; the report gives the median.
    [ValidateRange(1, 100)]
    [int] $Repeat = 3,

    # Markdown report; the runs go to the same name with .json.
    [string] $ResultsFile = (Join-Path (Split-Path $PSScriptRoot) 'out/bench/results.md'),

    # GETs in flight in the raw and SDK loops, and Start-OssBackup -Parallelism.
    [ValidateRange(1, 256)]
    [int] $Parallelism = 16,

    # Skip the AWSSDK diagnostic loops (raw ceiling and backup only).
    [switch] $NoDiagnostics,

    # Also run the experiments that price single engine choices: AWSSDK's request pipeline (against GETs signed
    # by hand), the SDK's MD5Stream, and pack writes through a scratch file versus directly into the vault.
    [switch] $Experiments,

    # The module to benchmark: the one build.ps1 lays out, unless told otherwise.
    [string] $ModuleManifest = (Join-Path (Split-Path $PSScriptRoot) 'out/OssBackup/OssBackup.psd1'),

    # Warm up on 100 small objects (as before 2026-11-25 10:40 UTC) instead of one untimed pass over the
    # whole small set. The short warm-up leaves the engine's code in JIT tiering during the first repeat.
    [switch] $ShortWarmup,

    # Leave the benchmark buckets on the server.
    [switch] $KeepBuckets,

    [int] $Seed = 1
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version Latest
$root = Split-Path $PSScriptRoot
$culture = [Globalization.CultureInfo]::InvariantCulture

function Require-Env([string] $Name) {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if (-not $value) { throw "$Name is not set: run through 'build.ps1 -Task Bench', or start tests/s3server/start.sh and export its env file." }
    $value
}

function Invoke-Native([string] $What, [scriptblock] $Command) {
    $output = & $Command 2>&1
    if ($LASTEXITCODE -ne 0) { $output | Write-Host; throw "$What failed with exit code $LASTEXITCODE." }
    $output
}

function Format-Number([double] $Value, [int] $Decimals = 1) { $Value.ToString("N$Decimals", $culture) }

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

# --- environment --------------------------------------------------------------------------------------------
$endpoint = Require-Env 'OSSBACKUP_TEST_S3_ENDPOINT'
$accessKey = Require-Env 'OSSBACKUP_TEST_S3_ACCESS_KEY'
$secretKey = Require-Env 'OSSBACKUP_TEST_S3_SECRET_KEY'
$serverKind = if ($env:OSSBACKUP_TEST_S3_SERVER) { $env:OSSBACKUP_TEST_S3_SERVER } else { 'unknown' }
$manifest = $ModuleManifest
if (-not (Test-Path $manifest)) { throw "The module is not built ($manifest is missing): run 'dotnet pwsh ./build.ps1 -Task Build' first." }

# The benchmark helpers (seeding, raw and SDK loops, CPU meter): a small library outside the solution.
$benchOut = Join-Path $root 'out/bench'
Invoke-Native 'dotnet publish bench/OssBackup.Bench' {
    dotnet publish (Join-Path $PSScriptRoot 'OssBackup.Bench/OssBackup.Bench.csproj') -c Release -o $benchOut --nologo -v quiet
} | Out-Null
# AWSSDK goes into PowerShell's default context (as the test kit's does); the module keeps its own isolated copy.
foreach ($assembly in 'AWSSDK.Core', 'AWSSDK.S3', 'ZstdSharp', 'OssBackup.Bench') {
    Add-Type -Path (Join-Path $benchOut "$assembly.dll")
}
Import-Module $manifest -Force

# The engine reads run-time credentials from the environment.
$env:OSS_ACCESS_KEY_ID = $accessKey
$env:OSS_ACCESS_KEY_SECRET = $secretKey
$credential = [pscredential]::new($accessKey, (ConvertTo-SecureString $secretKey -AsPlainText -Force))

$s3 = [OssBackup.Bench.BenchS3]::FromEnvironment()
$server = [OssBackup.Bench.ServerProcesses]::Find($endpoint)
$scratch = Join-Path ([IO.Path]::GetTempPath()) "ossbackup-bench-$PID"
$homeBefore = $env:OSSBACKUP_HOME

# --- machine ------------------------------------------------------------------------------------------------
function Get-MachineInfo {
    $memory = if (Test-Path /proc/meminfo) {
        $kb = [long]((Select-String -Path /proc/meminfo -Pattern '^MemTotal:\s+(\d+)').Matches[0].Groups[1].Value)
        "$(Format-Number ($kb / 1MB) 1) GiB"
    } else { 'unknown' }
    $cpu = if (Test-Path /proc/cpuinfo) { ((Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches[0].Groups[1].Value).Trim() } else { 'unknown' }
    $os = if (Test-Path /etc/os-release) { ((Select-String -Path /etc/os-release -Pattern '^PRETTY_NAME="?([^"]+)"?').Matches[0].Groups[1].Value) } else { [Runtime.InteropServices.RuntimeInformation]::OSDescription }
    $ceph = if ($serverKind -eq 'rgw' -and (Get-Command radosgw -ErrorAction SilentlyContinue)) { ((& radosgw --version 2>$null) -join ' ') -replace '\s*\([0-9a-f]{40}\)', '' } else { $serverKind }
    $load = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' }
    $commit = (& git -C $root rev-parse --short HEAD 2>$null)
    $dirty = if (& git -C $root status --porcelain --untracked-files=no -- src module OssBackup.psd1 2>$null) { ' + uncommitted changes in src/module' } else { '' }
    [ordered]@{
        Date = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-dd HH:mm', $culture) + ' UTC'
        Cpus = [Environment]::ProcessorCount
        CpuModel = $cpu
        Memory = $memory
        Os = $os
        DotnetSdk = ((& dotnet --version) -join '').Trim()
        Runtime = "$([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription), PowerShell $($PSVersionTable.PSVersion)"
        Server = "$ceph ($serverKind at $endpoint; $($server.Description))"
        LoadAverageAtStart = $load
        Commit = "$commit$dirty"
    }
}

# --- one backup ---------------------------------------------------------------------------------------------
function Invoke-Backup([string] $Bucket, [string] $Prefix, [string] $Name) {
    $runHome = Join-Path $scratch ([guid]::NewGuid().ToString('N').Substring(0, 12))
    $vaultPath = Join-Path $runHome 'vault'
    $env:OSSBACKUP_HOME = $runHome
    try {
        New-BackupVault -Name bench -Path $vaultPath | Out-Null
        New-BackupPlan -Name bench -SourceBucket $Bucket -SourcePrefix $Prefix -Endpoint $endpoint -ForcePathStyle -Vault bench -Credential $credential | Out-Null
        $meter = [OssBackup.Bench.Meter]::Start($server)
        $job = Start-OssBackup -Plan bench -Parallelism $Parallelism -ErrorAction Stop
        $m = $meter.Stop($Name, [int]$job.BackedUpObjects, $job.BackedUpBytes)
        if ("$($job.Status)" -ne 'Completed' -or $job.FailedObjects -gt 0) { throw "Backup of $Bucket ended $($job.Status) with $($job.FailedObjects) failed objects: $($job.Message)" }
        $files = @(Get-ChildItem $vaultPath -Recurse -File)
        [pscustomobject]@{
            Measurement = $m
            JobSeconds = $job.Duration.TotalSeconds
            WrittenBytes = $job.WrittenBytes
            VaultFiles = $files.Count
            VaultBytes = ($files | Measure-Object Length -Sum).Sum
            PackFiles = @($files | Where-Object { $_.FullName.Substring($vaultPath.Length).TrimStart('/', '\') -like 'data*' }).Count
        }
    }
    finally {
        $env:OSSBACKUP_HOME = $homeBefore
        if (Test-Path $runHome) { Remove-Item $runHome -Recurse -Force }
    }
}

# --- one set ------------------------------------------------------------------------------------------------
function Measure-Set([string] $Set, [string] $Bucket, [string[]] $Keys, [string] $WarmupPrefix) {
    $runs = [Collections.Generic.List[object]]::new()
    $backupDetails = [Collections.Generic.List[object]]::new()
    $warmKeys = [string[]]@($Keys | Where-Object { $_.StartsWith($WarmupPrefix, [StringComparison]::Ordinal) })
    Write-Host "[$Set] warm-up on $($warmKeys.Count) object(s) under '$WarmupPrefix' (untimed)"
    [OssBackup.Bench.GetLoops]::RawHttp($endpoint, $Bucket, $warmKeys, $Parallelism, $server, 'warm-up') | Out-Null
    if (-not $NoDiagnostics) {
        [OssBackup.Bench.GetLoops]::Sdk($s3, $Bucket, $warmKeys, $Parallelism, 'HashAndCompress', $server, 'warm-up') | Out-Null
    }
    Invoke-Backup $Bucket $WarmupPrefix 'warm-up' | Out-Null

    for ($r = 1; $r -le $Repeat; $r++) {
        $measurements = @([OssBackup.Bench.GetLoops]::RawHttp($endpoint, $Bucket, $Keys, $Parallelism, $server, 'raw HTTP GET (ceiling)'))
        if (-not $NoDiagnostics) {
            $measurements += [OssBackup.Bench.GetLoops]::Sdk($s3, $Bucket, $Keys, $Parallelism, 'Discard', $server, 'AWSSDK GetObject (diagnostic)')
            $measurements += [OssBackup.Bench.GetLoops]::Sdk($s3, $Bucket, $Keys, $Parallelism, 'HashAndCompress', $server, 'AWSSDK GetObject + engine CPU: 2x MD5, SHA-256, zstd-3 (diagnostic)')
        }
        if ($Experiments) {
            $measurements += [OssBackup.Bench.GetLoops]::SignedHttp($s3, $Bucket, $Keys, $Parallelism, $server, 'HTTP GET, SigV4-signed by hand (experiment)')
            $measurements += [OssBackup.Bench.GetLoops]::Sdk($s3, $Bucket, $Keys, $Parallelism, 'Discard', $server, 'AWSSDK GetObject, SDK MD5Stream bypassed (experiment)', $true)
            $measurements += [OssBackup.Bench.GetLoops]::Sdk($s3, $Bucket, $Keys, $Parallelism, 'HashAndCompress', $server, 'AWSSDK GetObject + engine CPU, SDK MD5Stream bypassed: 1x MD5 (experiment)', $true)
            if ($Set -eq 'large') {
                $bytes = [long]$LargeCount * $LargeSizeMiB * 1MB
                foreach ($viaScratch in $true, $false) {
                    $w = [OssBackup.Bench.Experiments]::PackWrite((Join-Path $scratch "packwrite-$r"), $bytes, $viaScratch)
                    $packWrites.Add($w)
                    Write-Host ("[{0}] run {1}/{2} pack write, {3}: {4} s, {5} MB/s" -f $Set, $r, $Repeat, $w.Mode, (Format-Number $w.Seconds 2), (Format-Number $w.MBPerSecond 0))
                }
            }
        }
        $backup = Invoke-Backup $Bucket '' 'OssBackup full backup'
        $backupDetails.Add($backup)
        $measurements += $backup.Measurement
        foreach ($m in $measurements) {
            if ($m.Objects -ne $Keys.Count) { throw "[$Set] $($m.Name) handled $($m.Objects) objects, not $($Keys.Count)." }
            $runs.Add([pscustomobject]@{ Set = $Set; Run = $r; Measurement = $m })
            Write-Host ("[{0}] run {1}/{2} {3,-58} {4,8} s {5,10} obj/s {6,9} MB/s  cpu client {7} s, server {8} s, other {9} s" -f $Set, $r, $Repeat, $m.Name,
                (Format-Number $m.Seconds 2), (Format-Number $m.ObjectsPerSecond 0), (Format-Number $m.MBPerSecond 1),
                (Format-Number $m.ClientCpuSeconds 2), (Format-Number ($m.GatewayCpuSeconds + $m.OsdCpuSeconds) 2), (Format-Number $m.OtherCpuSeconds 2))
        }
        Write-Host ("[{0}] run {1}/{2} vault: {3} files ({4} packs), {5} bytes; job duration {6} s" -f $Set, $r, $Repeat, $backup.VaultFiles, $backup.PackFiles, $backup.VaultBytes, (Format-Number $backup.JobSeconds 2))
    }
    [pscustomobject]@{ Set = $Set; Bucket = $Bucket; Runs = $runs; Backups = $backupDetails }
}

function Get-Summary($Result) {
    $names = @($Result.Runs | ForEach-Object { $_.Measurement.Name } | Select-Object -Unique)
    $rawSeconds = $null
    foreach ($name in $names) {
        $ms = @($Result.Runs | Where-Object { $_.Measurement.Name -eq $name } | ForEach-Object Measurement)
        $seconds = Get-Median ($ms | ForEach-Object Seconds)
        if ($null -eq $rawSeconds) { $rawSeconds = $seconds }
        [pscustomobject]@{
            Set = $Result.Set
            Name = $name
            Objects = $ms[0].Objects
            Bytes = $ms[0].Bytes
            Seconds = $seconds
            ObjectsPerSecond = $ms[0].Objects / $seconds
            MBPerSecond = $ms[0].Bytes / 1e6 / $seconds
            Ratio = $rawSeconds / $seconds
            ClientCpu = Get-Median ($ms | ForEach-Object ClientCpuSeconds)
            ServerCpu = Get-Median ($ms | ForEach-Object { $_.GatewayCpuSeconds + $_.OsdCpuSeconds })
            OtherCpu = Get-Median ($ms | ForEach-Object OtherCpuSeconds)
            AllSeconds = @($ms | ForEach-Object Seconds)
        }
    }
}

# --- run ----------------------------------------------------------------------------------------------------
$machine = Get-MachineInfo
$argumentText = ($PSBoundParameters.GetEnumerator() | Where-Object Key -notin 'ResultsFile', 'ModuleManifest' | ForEach-Object {
        if ($_.Value -is [switch]) { if ($_.Value) { "-$($_.Key)" } } else { "-$($_.Key) $($_.Value)" }
    }) -join ' '
Write-Host "OssBackup benchmark: $argumentText"
$machine.GetEnumerator() | ForEach-Object { Write-Host ("  {0,-20} {1}" -f $_.Key, $_.Value) }

# What the rest of the machine does without us: the CPU every measurement competes with.
$idleMeter = [OssBackup.Bench.Meter]::Start($server)
Start-Sleep -Seconds 3
$idle = $idleMeter.Stop('idle', 0, 0)
Write-Host ("Idle baseline: other processes busy {0} cores, server {1} cores" -f (Format-Number ($idle.OtherCpuSeconds / $idle.Seconds) 2), (Format-Number (($idle.GatewayCpuSeconds + $idle.OsdCpuSeconds) / $idle.Seconds) 2))

$results = [Collections.Generic.List[object]]::new()
$packWrites = [Collections.Generic.List[object]]::new()
$buckets = [Collections.Generic.List[string]]::new()
$suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
try {
    if ($SmallCount -gt 0) {
        $bucket = "bench-small-$suffix"
        $s3.CreateBucket($bucket); $buckets.Add($bucket)
        $seeded = $s3.SeedSmall($bucket, $SmallCount, 1024, 3072, $Seed, 16)
        Write-Host "[small] seeded $($seeded.Objects) objects, $($seeded.Bytes) bytes in $(Format-Number $seeded.Seconds 1) s"
        $s3.MakePublicRead($bucket, [OssBackup.Bench.BenchS3]::SmallKey(0))
        $listing = $s3.List($bucket, '')
        Write-Host "[small] signed listing of $($listing.Keys.Count) keys: $(Format-Number $listing.Seconds 2) s"
        $result = Measure-Set 'small' $bucket ([string[]]$listing.Keys) ($ShortWarmup ? 'small/000/' : '')
        $result | Add-Member ListSeconds $listing.Seconds
        $results.Add($result)
    }
    if ($LargeCount -gt 0) {
        $bucket = "bench-large-$suffix"
        $s3.CreateBucket($bucket); $buckets.Add($bucket)
        $seeded = $s3.SeedLarge($bucket, $LargeCount, $LargeSizeMiB * 1MB, $Seed, 4)
        Write-Host "[large] seeded $($seeded.Objects) objects, $($seeded.Bytes) bytes in $(Format-Number $seeded.Seconds 1) s"
        $s3.MakePublicRead($bucket, [OssBackup.Bench.BenchS3]::LargeKey(0))
        $listing = $s3.List($bucket, '')
        $result = Measure-Set 'large' $bucket ([string[]]$listing.Keys) ([OssBackup.Bench.BenchS3]::LargeKey(0))
        $result | Add-Member ListSeconds $listing.Seconds
        $results.Add($result)
    }
    $primitives = [OssBackup.Bench.Primitives]::Measure(1.0)
}
finally {
    if (-not $KeepBuckets) {
        foreach ($bucket in $buckets) {
            try { $s3.DeleteBucket($bucket) } catch { Write-Warning "Could not delete bucket ${bucket}: $_" }
        }
    }
    if (Test-Path $scratch) { Remove-Item $scratch -Recurse -Force }
    $s3.Dispose()
}
$machine['LoadAverageAtEnd'] = if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' }

# --- report -------------------------------------------------------------------------------------------------
$summaries = @($results | ForEach-Object { Get-Summary $_ })
$md = [Text.StringBuilder]::new()
$null = $md.AppendLine("### Run of $($machine.Date)")
$null = $md.AppendLine()
$viaBuild = try { "$((Get-Process -Id $PID).Parent.CommandLine)" -match 'build\.ps1' } catch { $false }
$quotedArguments = ($argumentText -split ' ' | Where-Object { $_ } | ForEach-Object { "'$_'" }) -join ','
$command = if (-not $viaBuild) { (@('dotnet pwsh bench/run-bench.ps1', $argumentText) + @(if ($PSBoundParameters.ContainsKey('ModuleManifest')) { "-ModuleManifest $ModuleManifest" }) | Where-Object { $_ }) -join ' ' }
    elseif ($argumentText) { "dotnet pwsh -Command ""./build.ps1 -Task Bench -BenchArguments $quotedArguments""" }
    else { 'dotnet pwsh ./build.ps1 -Task Bench' }
$null = $md.AppendLine("- Command: ``$command``$(if (-not $viaBuild) { ' (against a test server already running)' })")
$null = $md.AppendLine("- Machine: $($machine.Cpus) CPUs ($($machine.CpuModel)), $($machine.Memory) RAM, $($machine.Os); .NET SDK $($machine.DotnetSdk); $($machine.Runtime)")
$null = $md.AppendLine("- Server: $($machine.Server)")
$null = $md.AppendLine("- Commit: $($machine.Commit); load average at start $($machine.LoadAverageAtStart), at end $($machine.LoadAverageAtEnd)")
$null = $md.AppendLine("- Background: before the runs, with the server idle, the rest of the machine kept $(Format-Number ($idle.OtherCpuSeconds / $idle.Seconds) 2) of the $($machine.Cpus) cores busy")
$null = $md.AppendLine("- Parallelism $Parallelism; median of $Repeat runs after a warm-up; MB = 10^6 bytes; CPU in CPU-seconds per run (client = this pwsh, server = radosgw + ceph-osd, other = rest of the machine)")
$null = $md.AppendLine()
$null = $md.AppendLine('| Set | Measurement | Objects | MB | Time (s) | Objects/s | MB/s | vs raw | CPU client | CPU server | CPU other | Runs (s) |')
$null = $md.AppendLine('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |')
foreach ($s in $summaries) {
    $null = $md.AppendLine(('| {0} | {1} | {2} | {3} | {4} | {5} | {6} | {7} | {8} | {9} | {10} | {11} |' -f $s.Set, $s.Name, $s.Objects, (Format-Number ($s.Bytes / 1e6) 1),
            (Format-Number $s.Seconds 2), (Format-Number $s.ObjectsPerSecond 0), (Format-Number $s.MBPerSecond 1), ('{0}x' -f (Format-Number $s.Ratio 2)),
            (Format-Number $s.ClientCpu 2), (Format-Number $s.ServerCpu 2), (Format-Number $s.OtherCpu 2), (($s.AllSeconds | ForEach-Object { Format-Number $_ 2 }) -join ', ')))
}
$null = $md.AppendLine()
$null = $md.AppendLine('Targets:')
foreach ($set in 'small', 'large') {
    $backup = $summaries | Where-Object { $_.Set -eq $set -and $_.Name -eq 'OssBackup full backup' }
    if ($backup) {
        $verdict = if ($backup.Ratio -ge 0.8) { 'met' } else { 'NOT met' }
        $null = $md.AppendLine("- $set objects: full backup at $(Format-Number $backup.Ratio 2)x the raw GET ceiling (target >= 0.8x): **$verdict**")
    }
}
$small = $results | Where-Object Set -eq 'small'
if ($small) {
    $files = Get-Median ($small.Backups | ForEach-Object VaultFiles)
    $packs = Get-Median ($small.Backups | ForEach-Object PackFiles)
    $perHundred = $files / ($SmallCount / 100)
    $verdict = if ($perHundred -le 1) { 'met' } else { 'NOT met' }
    $null = $md.AppendLine("- vault files: $files files ($packs packs) for $SmallCount small objects = $(Format-Number $perHundred 3) per 100 objects (target <= 1): **$verdict**")
}
$null = $md.AppendLine()
$null = $md.AppendLine('Context (not targets):')
foreach ($r in $results) {
    $b = $r.Backups
    $null = $md.AppendLine("- $($r.Set): signed listing of the bucket (before the loops, untimed in them, included in the backup) took $(Format-Number $r.ListSeconds 2) s; the backup wrote $(Format-Number ((Get-Median ($b | ForEach-Object WrittenBytes)) / 1e6) 1) MB of packs, vault $(Format-Number ((Get-Median ($b | ForEach-Object VaultBytes)) / 1e6) 1) MB in $(Get-Median ($b | ForEach-Object VaultFiles)) files; job Duration $(Format-Number (Get-Median ($b | ForEach-Object JobSeconds)) 2) s")
}
foreach ($mode in @($packWrites | ForEach-Object Mode | Select-Object -Unique)) {
    $w = @($packWrites | Where-Object Mode -eq $mode)
    $null = $md.AppendLine("- Experiment, $($w[0].Packs) packs ($(Format-Number ($w[0].Bytes / 1e6) 0) MB) written $($mode): $(Format-Number (Get-Median ($w | ForEach-Object Seconds)) 2) s = $(Format-Number ($w[0].Bytes / 1e6 / (Get-Median ($w | ForEach-Object Seconds))) 0) MB/s (median of $($w.Count))")
}
$null = $md.AppendLine("- Single-thread speed of the engine's per-byte work on this machine (MB/s): " + (($primitives | ForEach-Object { "$($_.Operation) on $($_.Input) $(Format-Number $_.MBPerSecond 0)" }) -join '; '))
$report = $md.ToString()

$resultsFolder = Split-Path $ResultsFile
if ($resultsFolder) { New-Item -ItemType Directory -Force $resultsFolder | Out-Null }
Set-Content -Path $ResultsFile -Value $report -Encoding utf8NoBOM
$jsonFile = [IO.Path]::ChangeExtension($ResultsFile, '.json')
[ordered]@{
    Machine = $machine
    IdleBaseline = $idle
    Parameters = [ordered]@{ SmallCount = $SmallCount; LargeCount = $LargeCount; LargeSizeMiB = $LargeSizeMiB; Repeat = $Repeat; Parallelism = $Parallelism; Seed = $Seed; Diagnostics = -not $NoDiagnostics }
    Summary = $summaries
    Runs = @($results | ForEach-Object { $_.Runs | ForEach-Object { [ordered]@{ Set = $_.Set; Run = $_.Run; Measurement = $_.Measurement } } })
    Backups = @($results | ForEach-Object { $set = $_.Set; $_.Backups | ForEach-Object { [ordered]@{ Set = $set; JobSeconds = $_.JobSeconds; WrittenBytes = $_.WrittenBytes; VaultFiles = $_.VaultFiles; VaultBytes = $_.VaultBytes; PackFiles = $_.PackFiles } } })
    Primitives = $primitives
    PackWrites = $packWrites
} | ConvertTo-Json -Depth 6 | Set-Content -Path $jsonFile -Encoding utf8NoBOM

Write-Host ''
Write-Host $report
Write-Host "Written to $ResultsFile and $jsonFile"
