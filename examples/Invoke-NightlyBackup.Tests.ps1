# The example runbook, run as a scheduler would: a fresh pwsh, its exit code and its output.
BeforeAll {
    . (Join-Path $PSScriptRoot '../tests/pester/TestSession.ps1')
    $source = New-TestBucketName 'runbook'
    $s3.CreateBucket($source)
    $s3.Seed($source, 60, 0, 0, 31, '', 8)
    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name nightly -SourceBucket $source -Endpoint $env:OSSBACKUP_TEST_S3_ENDPOINT -ForcePathStyle -Vault main -Credential $cred | Out-Null
    $reports = Join-Path $testHome 'reports'

    function Invoke-Runbook([string[]] $Plans, [hashtable] $Environment = @{}) {
        $assignments = ($Environment.GetEnumerator() | ForEach-Object { "`$env:$($_.Key) = '$($_.Value)';" }) -join ' '
        $script = "$assignments `$env:OSSBACKUP_HOME = '$testHome'; & '$(Join-Path $PSScriptRoot 'Invoke-NightlyBackup.ps1')' -Plan $($Plans -join ',') -ReportFolder '$reports' -ModulePath '$(Get-BuiltModulePath)' -SampleSize 10 | ConvertTo-Json -Compress; exit `$LASTEXITCODE"
        $run = Invoke-FreshPwsh $script
        $json = ($run.Output -split "`n" | Where-Object { $_.TrimStart().StartsWith('{') -or $_.TrimStart().StartsWith('[') }) | Select-Object -Last 1
        [pscustomobject]@{ ExitCode = $run.ExitCode; Results = @($json | ConvertFrom-Json); Output = $run.Output }
    }
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Invoke-NightlyBackup.ps1' {
    It 'backs up, passes its restore drill and exits 0' {
        $run = Invoke-Runbook @('nightly')
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Results[0].Plan | Should -Be 'nightly'
        $run.Results[0].Status | Should -Be 'Completed'
        $run.Results[0].BackedUpObjects | Should -Be $s3.ListKeys($source, '').Count
        $run.Results[0].DrillPassed | Should -BeTrue
        (Get-BackupJob -Plan nightly -Last 1).Status | Should -Be 'Completed'
    }

    It 'exits 1 and names the cause when a plan cannot be backed up, and still runs the others' {
        $run = Invoke-Runbook @('nosuchplan', 'nightly')
        $run.ExitCode | Should -Be 1
        $run.Results[0].Plan | Should -Be 'nosuchplan'
        $run.Results[0].Message | Should -BeLike 'OssBackup.NotFound*'
        $run.Results[1].Status | Should -Be 'Completed'
    }

    It 'exits 1 with the error id when the credentials are refused' {
        $run = Invoke-Runbook @('nightly') @{ OSS_ACCESS_KEY_SECRET = 'wrong' }
        $run.ExitCode | Should -Be 1
        $run.Results[0].Message | Should -BeLike 'BackupFailed.AccessDenied*'
        $run.Output | Should -Not -BeLike '*wrong*refused*wrong*'
    }
}

Describe 'Test-OssBackup' {
    It 'restores a sample to scratch space, verifies it and cleans up' {
        $result = Test-OssBackup -Plan nightly -SampleSize 25
        $result | Should -BeOfType ([OssBackup.BackupTestResult])
        $result.SampledObjects | Should -Be 25
        $result.PassedObjects | Should -Be 25
        $result.Passed | Should -BeTrue
        $result.VerifiedBytes | Should -BeGreaterThan 0
        Get-ChildItem (Join-Path $testHome 'tmp') -Directory -ErrorAction SilentlyContinue | Where-Object Name -like 'drill-*' | Should -BeNullOrEmpty
    }

    It 'fails the drill when the vault holds damaged data' {
        # Damage object data only: the table segments (where the snapshot says they are) stay readable.
        $point = Get-BackupHistory -Plan nightly -Last 1
        $snapshot = Get-Content -Raw (Join-Path $testHome "vault/snapshots/$($point.Id)") | ConvertFrom-Json
        $pack = Get-ChildItem (Join-Path $testHome 'vault/data') -Recurse -File | Sort-Object Length -Descending | Select-Object -First 1
        $segmentStarts = @($snapshot.table | Where-Object pack -eq $pack.Name | ForEach-Object offset)
        $end = if ($segmentStarts) { ($segmentStarts | Measure-Object -Minimum).Minimum } else { $pack.Length - 4096 }
        $bytes = [IO.File]::ReadAllBytes($pack.FullName)
        for ($i = 0; $i -lt $end; $i += 97) { $bytes[$i] = $bytes[$i] -bxor 0xFF }
        [IO.File]::WriteAllBytes($pack.FullName, $bytes)
        $result = Test-OssBackup -Plan nightly -SamplePercent 100 -ErrorVariable drillErrors -ErrorAction SilentlyContinue
        $result.Passed | Should -BeFalse
        $result.FailedObjects | Should -BeGreaterThan 0
        ($drillErrors | Where-Object FullyQualifiedErrorId -like 'OssBackup.DrillFailed*') | Should -Not -BeNullOrEmpty
        ($drillErrors | Where-Object FullyQualifiedErrorId -like 'ObjectFailed.IntegrityCheckFailed*').TargetObject | Should -Contain $result.FailedKeys[0]
    }
}
