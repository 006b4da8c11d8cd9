# Restoring to a local folder: nothing escapes the folder, unsafe keys are reported one by one,
# and no partial file ever sits under a final name.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'hostile'
    $s3.CreateBucket($source)
    $safe = @{
        'docs/report.txt'          = 'report'
        'C++ notes/x+y=z.txt'      = 'plus'
        '数据/报告 2024.xlsx'        = 'cjk'
        'a'                        = 'I am a file'
        'a-sibling.txt'            = 'between a and a/'
        'logs/'                    = ''
        'colon:inside.txt'         = 'colon'
    }
    $unsafe = @{
        '../escape.txt'            = 'UnsafeKey.DotSegment'
        'sub/../../escape2.txt'    = 'UnsafeKey.DotSegment'
        './dot.txt'                = 'UnsafeKey.DotSegment'
        "$([char]0xFF0E)$([char]0xFF0E)/fullwidth.txt" = 'UnsafeKey.DotSegment'
        'double//slash.txt'        = 'UnsafeKey.EmptySegment'
        'back\slash.txt'           = 'UnsafeKey.Backslash'
        'C:/drive.txt'             = 'UnsafeKey.DriveLetter'
        "bell$([char]7).txt"       = 'UnsafeKey.ControlCharacter'
        ('n' * 300 + '.txt')       = 'UnsafeKey.NameTooLong'
        'a/b.txt'                  = 'FileFolderConflict'
    }
    foreach ($key in $safe.Keys) { $s3.PutText($source, $key, $safe[$key], 'text/plain') }
    foreach ($key in $unsafe.Keys) { $s3.PutText($source, $key, 'hostile', 'text/plain') }
    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name hostile -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null
    $backup = Start-OssBackup -Plan hostile
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Restore-OssObject -TargetPath' {
    BeforeAll {
        $sandbox = Join-Path $testHome 'sandbox'
        $target = Join-Path $sandbox 'restore'
        New-Item -ItemType Directory $sandbox | Out-Null
        $job = Restore-OssObject -BackupPoint $backup.BackupPointId -TargetPath $target -ErrorVariable problems -ErrorAction SilentlyContinue
    }

    It 'backs up every key, hostile or not' {
        $backup.Status | Should -Be 'Completed'
        $backup.BackedUpObjects | Should -Be ($safe.Count + $unsafe.Count)
    }

    It 'writes the safe keys with their bytes' {
        $job.RestoredObjects | Should -Be $safe.Count
        foreach ($key in $safe.Keys | Where-Object { -not $_.EndsWith('/') }) {
            Get-Content -Raw -LiteralPath (Join-Path $target $key) | Should -Be $safe[$key] -Because $key
        }
        Test-Path -LiteralPath (Join-Path $target 'logs') -PathType Container | Should -BeTrue
    }

    It 'writes nothing outside the target folder' {
        @(Get-ChildItem -LiteralPath $sandbox -Force).Name | Should -Be @('restore')
        Test-Path (Join-Path $testHome 'escape.txt') | Should -BeFalse
    }

    It 'reports each unsafe key with its own error id and the key as target' {
        $job.FailedObjects | Should -Be $unsafe.Count
        foreach ($key in $unsafe.Keys) {
            $error = $problems | Where-Object { $_.TargetObject -eq $key }
            $error | Should -Not -BeNullOrEmpty -Because "'$key' must be reported"
            $error.FullyQualifiedErrorId | Should -BeLike "ObjectFailed.$($unsafe[$key])*" -Because $key
        }
        @(Get-BackupJobItem -Job $job -Status Failed).Count | Should -Be $unsafe.Count
    }

    It 'leaves no temporary files behind' {
        Get-ChildItem -LiteralPath $target -Recurse -Force -Filter '*.ossbackup-partial' | Should -BeNullOrEmpty
    }
}

Describe 'An interrupted restore to a folder' {
    It 'leaves no partial file under a final name, and a re-run completes' {
        $big = New-TestBucketName 'bigrestore'
        $s3.CreateBucket($big)
        $s3.Seed($big, 0, 10, 24MB, 9, '', 8)
        New-BackupPlan -Name big -SourceBucket $big -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null
        $point = (Start-OssBackup -Plan big).BackupPointId
        $expected = @{}
        foreach ($object in $s3.Snapshot($big) | Where-Object { -not $_.Key.EndsWith('/') }) { $expected[$object.Key] = $object.Sha256 }
        $target = Join-Path $testHome 'interrupted'

        $runspace = [powershell]::Create()
        $null = $runspace.AddScript("`$env:OSSBACKUP_HOME = '$testHome'; Import-Module '$(Get-BuiltModulePath)'; Restore-OssObject -BackupPoint $point -TargetPath '$target'")
        $null = $runspace.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Get-ChildItem -LiteralPath $target -Recurse -File -Force -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $runspace.Stop()
        $runspace.Dispose()

        $finals = @(Get-ChildItem -LiteralPath $target -Recurse -File -Force | Where-Object Name -notlike '*.ossbackup-partial')
        $finals.Count | Should -BeLessThan $expected.Count -Because 'the restore was stopped midway'
        foreach ($file in $finals) {
            $key = [IO.Path]::GetRelativePath($target, $file.FullName).Replace('\', '/')
            (Get-FileHash -Algorithm SHA256 -LiteralPath $file.FullName).Hash.ToLowerInvariant() | Should -Be $expected[$key] -Because "a file under its final name is complete ($key)"
        }
        Get-ChildItem -LiteralPath $target -Recurse -Force -Filter '*.ossbackup-partial' | Should -BeNullOrEmpty

        $rerun = Restore-OssObject -BackupPoint $point -TargetPath $target -Conflict Skip
        $rerun.Status | Should -Be 'Completed'
        ($rerun.RestoredObjects + $rerun.SkippedObjects) | Should -Be ($expected.Count + 1) -Because 'the folder placeholder logs/ counts too'
        foreach ($key in $expected.Keys) {
            (Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $target $key)).Hash.ToLowerInvariant() | Should -Be $expected[$key]
        }
    }
}
