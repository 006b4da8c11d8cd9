# Bad input gets a specific error and changes nothing.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'bad'
    $s3.CreateBucket($source)
    $s3.Seed($source, 20, 0, 0, 5, '', 8)
    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name good -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null
    $firstJob = Start-OssBackup -Plan good
    $wrong = [pscredential]::new($env:OSSBACKUP_TEST_S3_ACCESS_KEY, (ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force))

    function New-Plan([string] $Name, [hashtable] $Overrides) {
        $parameters = @{ Name = $Name; SourceBucket = $source; Endpoint = $endpoint; ForcePathStyle = $true; Vault = 'main'; Credential = $cred; ErrorAction = 'Stop' }
        foreach ($key in $Overrides.Keys) { $parameters[$key] = $Overrides[$key] }
        New-BackupPlan @parameters
    }
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'New-BackupPlan refuses' {
    It 'an unknown vault' {
        { New-Plan 'p1' @{ Vault = 'nope' } } | Should -Throw -ErrorId 'OssBackup.NotFound,*' -ExpectedMessage "*vault named 'nope'*"
        Get-BackupPlan 'p1' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'wrong credentials, checked by the server' {
        { New-Plan 'p2' @{ Credential = $wrong } } | Should -Throw -ErrorId 'OssBackup.AccessDenied,*' -ExpectedMessage '*refused*'
        Get-BackupPlan 'p2' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'a bucket that does not exist' {
        { New-Plan 'p3' @{ SourceBucket = 'no-such-bucket-here' } } | Should -Throw -ErrorId 'OssBackup.BucketNotFound,*' -ExpectedMessage '*no-such-bucket-here*does not exist*'
    }

    It 'an unreachable endpoint' {
        { New-Plan 'p4' @{ Endpoint = 'http://127.0.0.1:1' } } | Should -Throw -ErrorId 'OssBackup.EndpointUnreachable,*' -ExpectedMessage '*cannot be reached*'
    }

    It 'an invalid regular expression, naming the pattern' {
        { New-Plan 'p5' @{ Include = @('ok', '([unclosed') } } | Should -Throw -ErrorId 'OssBackup.InvalidArgument,*' -ExpectedMessage "*-Include pattern '(*unclosed'*"
    }

    It 'a plan name that is taken' {
        { New-Plan 'good' @{} } | Should -Throw -ErrorId 'OssBackup.AlreadyExists,*'
    }
}

Describe 'New-BackupVault refuses' {
    It 'a path that is a file' {
        $file = Join-Path $testHome 'a-file'
        Set-Content $file 'x'
        { New-BackupVault -Name filevault -Path $file -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.InvalidArgument,*' -ExpectedMessage '*is a file*'
        Get-BackupVault 'filevault' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Content $file | Should -Be 'x'
    }

    It 'a folder holding something that is not a vault' {
        $folder = Join-Path $testHome 'busy'
        New-Item -ItemType Directory $folder | Out-Null
        Set-Content (Join-Path $folder 'important.txt') 'data'
        { New-BackupVault -Name busy -Path $folder -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.InvalidArgument,*' -ExpectedMessage '*not empty*'
        Get-Content (Join-Path $folder 'important.txt') | Should -Be 'data'
    }
}

Describe 'Start-OssBackup' {
    It 'reports an unknown plan as a non-terminating error that -ErrorAction Stop makes terminating' {
        Start-OssBackup -Plan 'nope' -ErrorAction SilentlyContinue -ErrorVariable problems | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OssBackup.NotFound,*'
        { Start-OssBackup -Plan 'nope' -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.NotFound,*'
    }

    It 'records a failed job and leaves earlier points untouched when the credentials are wrong' {
        $pointsBefore = @(Get-BackupHistory -Plan good)
        { Start-OssBackup -Plan good -Credential $wrong -ErrorAction Stop } | Should -Throw -ErrorId 'BackupFailed.AccessDenied,*'
        $failed = Get-BackupJob -Plan good -Last 1
        $failed.Status | Should -Be 'Failed'
        $failed.Message | Should -BeLike '*refused*'
        @(Get-BackupHistory -Plan good).Id | Should -Be $pointsBefore.Id
        (Get-BackupObject -BackupPoint $firstJob.BackupPointId).Count | Should -Be $firstJob.BackedUpObjects
    }

    It 'never shows the secret in errors or job messages' {
        Start-OssBackup -Plan good -Credential $wrong -ErrorAction SilentlyContinue -ErrorVariable problems
        ($problems | Out-String) | Should -Not -BeLike "*not-the-secret*"
        (Get-BackupJob -Plan good | Out-String) | Should -Not -BeLike "*$($env:OSSBACKUP_TEST_S3_SECRET_KEY)*"
    }
}
