#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks OssBackup.
.DESCRIPTION
    Build : compiles the solution and lays out out/OssBackup/, the exact module folder a user installs.
    Test  : Build, starts the test S3 server (Ceph RGW, tests/s3server/start.sh), runs the xunit engine
            tests and the Pester tests of the built module in a fresh pwsh, stops the server.
    Demo  : Build, starts the server, runs examples/demo.ps1 end to end, stops the server.
    Bench : Build, starts the server, runs the benchmarks in bench/ and writes their results: -BenchSuite chooses
            Backup (bench/run-bench.ps1), Restore (bench/run-restore-bench.ps1) and Inventory
            (bench/run-inventory-bench.ps1), all three by default. Restore and Inventory install Debian's rclone
            (bench/ensure-rclone.sh) when it is missing.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Extra arguments for the benchmark harness (e.g. '-SmallCount', '1000'); with several suites, each gets them all.
    [string[]] $BenchArguments = @(),

    # Which benchmarks -Task Bench runs.
    [ValidateSet('Backup', 'Restore', 'Inventory')]
    [string[]] $BenchSuite = @('Backup', 'Restore', 'Inventory')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$moduleOut = Join-Path $root 'out/OssBackup'
$pesterVersion = '5.7.1'

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code $LASTEXITCODE." }
}

# A fresh pwsh like this one (under `dotnet pwsh` the process itself is the dotnet host).
function Invoke-Pwsh {
    $self = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { & $self (Join-Path $PSHOME 'pwsh.dll') @args } else { & $self @args }
}

function Invoke-Build {
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $root 'OssBackup.sln') -c $Configuration --nologo -v quiet }
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    $bin = Join-Path $moduleOut 'bin'
    Invoke-Native 'dotnet publish' {
        dotnet publish (Join-Path $root 'src/OssBackup.Commands/OssBackup.Commands.csproj') -c $Configuration -o $bin --nologo -v quiet
    }
    # Native SQLite ships for every RID; keep the platforms pwsh 7.4+ runs on.
    $keep = 'linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64', 'win-x86'
    Get-ChildItem (Join-Path $bin 'runtimes') -Directory -ErrorAction SilentlyContinue |
        Where-Object Name -notin $keep | Remove-Item -Recurse -Force
    Get-ChildItem $bin -Filter *.pdb | Remove-Item -Force
    Invoke-Native 'test kit publish' {
        dotnet publish (Join-Path $root 'tests/OssBackup.TestKit/OssBackup.TestKit.csproj') -c $Configuration -o (Join-Path $root 'out/testkit') --nologo -v quiet
    }
    Copy-Item (Join-Path $root 'OssBackup.psd1') $moduleOut
    Copy-Item (Join-Path $root 'module/*') $moduleOut -Recurse
    # Cmdlet help: built from docs/help/*.psd1 and the cmdlets just published, so it matches the code that ships.
    & (Join-Path $root 'docs/help/New-MamlHelp.ps1') -SourceFolder (Join-Path $root 'docs/help') -Strict `
        -ModulePath (Join-Path $moduleOut 'OssBackup.psd1') -OutputFile (Join-Path $moduleOut 'en-US/OssBackup.Commands.dll-Help.xml')
    $committedHelp = Join-Path $root 'module/en-US/OssBackup.Commands.dll-Help.xml'
    if ((Get-FileHash $committedHelp).Hash -ne (Get-FileHash (Join-Path $moduleOut 'en-US/OssBackup.Commands.dll-Help.xml')).Hash) {
        Write-Warning "module/en-US/OssBackup.Commands.dll-Help.xml is out of date; refresh it with: ./docs/help/New-MamlHelp.ps1 -SourceFolder docs/help -OutputFile module/en-US/OssBackup.Commands.dll-Help.xml"
    }
    Write-Host "Module laid out in $moduleOut"
}

function Start-TestS3Server {
    if ($env:OSSBACKUP_TEST_S3_ENDPOINT) {
        Write-Host "Using the S3 server already running at $env:OSSBACKUP_TEST_S3_ENDPOINT"
        return $null
    }
    $state = Join-Path ([IO.Path]::GetTempPath()) "ossbackup-s3-$PID"
    # start.sh prints the endpoint; keep it off this function's output, which must be the state folder alone.
    Invoke-Native 's3 server start' { bash (Join-Path $root 'tests/s3server/start.sh') $state | Out-Host }
    foreach ($line in Get-Content (Join-Path $state 'env')) {
        if ($line -match '^\s*([A-Z0-9_]+)=(.*)$') { Set-Item "env:$($Matches[1])" $Matches[2].Trim('"', "'") }
    }
    return $state
}

function Stop-TestS3Server($state) {
    if ($state) {
        bash (Join-Path $root 'tests/s3server/stop.sh') $state
        Get-ChildItem env:OSSBACKUP_TEST_S3_* | ForEach-Object { Remove-Item "env:$($_.Name)" }
    }
}

function Get-PesterModulePath {
    Invoke-Native 'Pester download' { dotnet restore (Join-Path $root 'tests/pester/PesterPackage.csproj') --nologo -v quiet }
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $path = Join-Path $packages "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $pesterVersion was not found at $path after restore." }
    return $path
}

function Invoke-Tests {
    Invoke-Build
    $pester = Get-PesterModulePath
    $state = Start-TestS3Server
    $results = Join-Path $root 'out/test-results'
    New-Item -ItemType Directory -Force $results | Out-Null
    $xunitPassed = 0; $xunitFailed = 0; $pesterPassed = 0; $pesterFailed = 0
    try {
        $trx = Join-Path $results 'engine.trx'
        dotnet test (Join-Path $root 'tests/OssBackup.Engine.Tests') -c $Configuration --no-build --nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
        if (Test-Path $trx) {
            $counters = ([xml](Get-Content $trx)).TestRun.ResultSummary.Counters
            $xunitPassed = [int]$counters.passed; $xunitFailed = [int]$counters.failed + [int]$counters.error
        }
        else { $xunitFailed = 1 }

        $summary = Join-Path $results 'pester.json'
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester'
`$config = New-PesterConfiguration
`$config.Run.Path = @('$(Join-Path $root 'tests/pester')', '$(Join-Path $root 'examples')')
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Detailed'
`$result = Invoke-Pester -Configuration `$config
@{ Passed = `$result.PassedCount; Failed = `$result.FailedCount + `$result.FailedBlocksCount + `$result.FailedContainersCount } | ConvertTo-Json | Set-Content '$summary'
"@
        # A fresh pwsh: the tests see the built module exactly as a user's session would.
        Invoke-Pwsh -NoProfile -NonInteractive -Command $script
        if (Test-Path $summary) {
            $counts = Get-Content $summary | ConvertFrom-Json
            $pesterPassed = $counts.Passed; $pesterFailed = $counts.Failed
        }
        else { $pesterFailed = 1 }
    }
    finally {
        Stop-TestS3Server $state
    }
    Write-Host "xunit: $xunitPassed passed, $xunitFailed failed"
    Write-Host "pester: $pesterPassed passed, $pesterFailed failed"
    Write-Host "$($xunitPassed + $pesterPassed) passed, $($xunitFailed + $pesterFailed) failed"
    if ($xunitFailed + $pesterFailed -gt 0 -or $xunitPassed -eq 0 -or $pesterPassed -eq 0) { exit 1 }
}

function Invoke-WithServer([string[]] $Scripts, [string[]] $Arguments = @()) {
    Invoke-Build
    $state = Start-TestS3Server
    try {
        foreach ($scriptPath in $Scripts) {
            Invoke-Pwsh -NoProfile -NonInteractive -File $scriptPath @Arguments
            if ($LASTEXITCODE -ne 0) { throw "$scriptPath failed with exit code $LASTEXITCODE." }
        }
    }
    finally {
        Stop-TestS3Server $state
    }
}

$benchScripts = @{ Backup = 'bench/run-bench.ps1'; Restore = 'bench/run-restore-bench.ps1'; Inventory = 'bench/run-inventory-bench.ps1' }

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Tests }
    'Demo' { Invoke-WithServer (Join-Path $root 'examples/demo.ps1') }
    'Bench' { Invoke-WithServer @($BenchSuite | ForEach-Object { Join-Path $root $benchScripts[$_] }) $BenchArguments }
}
