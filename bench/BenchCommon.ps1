# Shared by bench/run-restore-bench.ps1 and bench/run-inventory-bench.ps1 (dot-sourced): the test server's
# settings, the helper library, rclone, number formatting and the machine description every report starts with.

$script:culture = [Globalization.CultureInfo]::InvariantCulture
$script:repositoryRoot = Split-Path $PSScriptRoot

function Get-RequiredEnvironment([string] $Name) {
    $value = [Environment]::GetEnvironmentVariable($Name)
    if (-not $value) { throw "$Name is not set: run through 'build.ps1 -Task Bench', or start tests/s3server/start.sh and export its env file." }
    $value
}

function Format-Number([double] $Value, [int] $Decimals = 1) { $Value.ToString("N$Decimals", $script:culture) }

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

# Publishes bench/OssBackup.Bench (with the test kit it references) and loads it. AWSSDK goes into PowerShell's
# default context, as the test kit's does in Pester; the module keeps its own isolated copy.
function Import-BenchLibrary {
    $benchOut = Join-Path $script:repositoryRoot 'out/bench'
    $output = & dotnet publish (Join-Path $PSScriptRoot 'OssBackup.Bench/OssBackup.Bench.csproj') -c Release -o $benchOut --nologo -v quiet 2>&1
    if ($LASTEXITCODE -ne 0) { $output | Write-Host; throw "dotnet publish bench/OssBackup.Bench failed with exit code $LASTEXITCODE." }
    foreach ($assembly in 'AWSSDK.Core', 'AWSSDK.S3', 'ZstdSharp', 'OssBackup.TestKit', 'OssBackup.Bench') {
        Add-Type -Path (Join-Path $benchOut "$assembly.dll")
    }
}

# Debian's rclone, installed by bench/ensure-rclone.sh when missing; returns its path.
function Get-Rclone {
    $lines = @(& bash (Join-Path $PSScriptRoot 'ensure-rclone.sh'))
    if ($LASTEXITCODE -ne 0) { throw "bench/ensure-rclone.sh failed with exit code $LASTEXITCODE." }
    $lines[-1]
}

function Get-LoadAverage { if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'unknown' } }

function Get-MachineDescription([string] $ServerKind, [string] $Endpoint) {
    $memory = if (Test-Path /proc/meminfo) {
        $kb = [long]((Select-String -Path /proc/meminfo -Pattern '^MemTotal:\s+(\d+)').Matches[0].Groups[1].Value)
        "$(Format-Number ($kb / 1MB) 1) GiB RAM"
    } else { 'RAM unknown' }
    $cpu = if (Test-Path /proc/cpuinfo) { ((Select-String -Path /proc/cpuinfo -Pattern '^model name\s*:\s*(.+)$' | Select-Object -First 1).Matches[0].Groups[1].Value).Trim() } else { 'unknown' }
    $os = if (Test-Path /etc/os-release) { (Select-String -Path /etc/os-release -Pattern '^PRETTY_NAME="?([^"]+)"?').Matches[0].Groups[1].Value } else { [Runtime.InteropServices.RuntimeInformation]::OSDescription }
    $server = if ($ServerKind -eq 'rgw' -and (Get-Command radosgw -ErrorAction SilentlyContinue)) { ((& radosgw --version 2>$null) -join ' ') -replace '\s*\([0-9a-f]{40}\)', '' } else { $ServerKind }
    $commit = (& git -C $script:repositoryRoot rev-parse --short HEAD 2>$null)
    $dirty = if (& git -C $script:repositoryRoot status --porcelain --untracked-files=no -- src module OssBackup.psd1 2>$null) { ' + uncommitted changes in src/module' } else { '' }
    [ordered]@{
        Date = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-dd HH:mm', $script:culture) + ' UTC'
        Machine = "$([Environment]::ProcessorCount) CPUs ($cpu), $memory, $os; .NET SDK $(((& dotnet --version) -join '').Trim()); $([Runtime.InteropServices.RuntimeInformation]::FrameworkDescription), PowerShell $($PSVersionTable.PSVersion)"
        Server = "$server ($ServerKind at $Endpoint)"
        Commit = "$commit$dirty"
        LoadAverageAtStart = Get-LoadAverage
    }
}

# The command line that reproduces this run, for the report.
function Get-ReproducingCommand([string] $Script, [hashtable] $BoundParameters) {
    $arguments = ($BoundParameters.GetEnumerator() | Where-Object Key -notin 'ResultsFile', 'ModuleManifest' | Sort-Object Key | ForEach-Object {
            if ($_.Value -is [switch]) { if ($_.Value) { "-$($_.Key)" } } else { "-$($_.Key) $($_.Value -join ',')" }
        }) -join ' '
    (@("dotnet pwsh bench/$Script", $arguments) | Where-Object { $_ }) -join ' '
}

# Deletes a scratch folder. Remove-Item -Recurse goes through the provider item by item (minutes for 100,000 files on
# a busy machine, holding the benchmark lock all that time); Directory.Delete does the same in seconds.
function Remove-ScratchFolder([string] $Path) {
    if (Test-Path -LiteralPath $Path) { [IO.Directory]::Delete($Path, $true) }
}
