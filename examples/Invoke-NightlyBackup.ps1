#Requires -Version 7.4
<#
.SYNOPSIS
    A runbook: back up plans, report failed objects, prove each backup restores, and exit with a code a
    scheduler understands.
.DESCRIPTION
    For each plan: Start-OssBackup; when objects failed, their list goes to <ReportFolder>/<plan>-<job>-failed.csv;
    then Test-OssBackup restores a random sample of the new point to scratch space and checks every byte.
    Writes one result object per plan. Exit code: 0 all good, 2 some objects failed (PartiallyCompleted),
    1 a plan failed or its restore drill did not pass.
    Credentials come from the environment (OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET) or the plan's profile.
.EXAMPLE
    pwsh -NoProfile -File Invoke-NightlyBackup.ps1 -Plan photos, logs -ReportFolder /var/log/ossbackup
#>
param(
    [Parameter(Mandatory)]
    [string[]] $Plan,

    [string] $ReportFolder = (Get-Location).Path,

    [ValidateRange(1, 100000)]
    [int] $SampleSize = 20,

    # Where the module is, when it is not installed in a module path.
    [string] $ModulePath = 'OssBackup'
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
New-Item -ItemType Directory -Force $ReportFolder | Out-Null
$exitCode = 0

foreach ($name in $Plan) {
    $result = [ordered]@{ Plan = $name; Status = 'Failed'; JobId = $null; BackedUpObjects = 0; FailedObjects = 0; DrillPassed = $false; Report = $null; Message = $null }
    try {
        $job = Start-OssBackup -Plan $name -ErrorAction Stop
        $result.Status = "$($job.Status)"
        $result.JobId = $job.Id
        $result.BackedUpObjects = $job.BackedUpObjects
        $result.FailedObjects = $job.FailedObjects
        if ($job.Status -eq 'PartiallyCompleted') {
            $result.Report = Join-Path $ReportFolder "$name-$($job.Id)-failed.csv"
            Get-BackupJobItem -Job $job -Status Failed | Export-Csv -NoTypeInformation -Path $result.Report
            $exitCode = [Math]::Max($exitCode, 2)
        }
        $drill = Test-OssBackup -Plan $name -SampleSize $SampleSize -ErrorAction SilentlyContinue
        $result.DrillPassed = [bool]$drill.Passed
        if (-not $drill.Passed) {
            $result.Message = "Restore drill failed for $($drill.FailedObjects) of $($drill.SampledObjects) object(s)."
            $exitCode = 1
        }
    }
    catch {
        # Stable error ids make the cause machine-readable: OssBackup.NotFound, BackupFailed.AccessDenied, ...
        $result.Message = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)"
        $exitCode = 1
    }
    [pscustomobject]$result
}
exit $exitCode
