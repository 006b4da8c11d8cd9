# End to end against the real S3 server: back up, change the bucket, back up again, restore, compare bytes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'src'
    $s3.CreateBucket($source)
    $s3.Seed($source, 150, 0, 0, 7, '', 16)
    $large = [byte[]]::new(70MB); [Random]::new(3).NextBytes($large)
    $s3.Put($source, 'large/over-64-MiB.bin', $large, 'application/x-test', $null)

    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name nightly -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null

    $atFull = $s3.Snapshot($source)
    $fullJob = Start-OssBackup -Plan nightly -Parallelism 4

    $s3.PutText($source, 'small/000/object-00001.txt', 'changed once', 'text/plain')
    $s3.PutText($source, 'C++ notes/x+y=z.txt', 'changed twice', 'text/plain')
    $s3.PutText($source, 'new/added file.txt', 'added', 'text/plain')
    $s3.Delete($source, 'small/000/object-00003.txt')
    $atIncremental = $s3.Snapshot($source)
    $incrementalJob = Get-BackupPlan nightly | Start-OssBackup
    $points = @(Get-BackupHistory -Plan nightly)

    function Compare-Restored($expected, $actual) {
        Compare-Object @($expected) @($actual) -Property Key, Size, Sha256, ContentType
    }
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Start-OssBackup' {
    It 'backs up every object on the first run, as a full backup' {
        $fullJob | Should -BeOfType ([OssBackup.BackupJob])
        $fullJob.Status | Should -Be 'Completed'
        $fullJob.Mode | Should -Be 'Full'
        $fullJob.ScannedObjects | Should -Be $atFull.Count
        $fullJob.BackedUpObjects | Should -Be $atFull.Count
        $fullJob.BackedUpBytes | Should -Be ($atFull | Measure-Object Size -Sum).Sum
        $fullJob.WrittenBytes | Should -BeGreaterThan 70MB
        $fullJob.BackupPointId | Should -Be $points[0].Id
    }

    It 'reads only new and changed objects on the next run' {
        $incrementalJob.Status | Should -Be 'Completed'
        $incrementalJob.Mode | Should -Be 'Incremental'
        $incrementalJob.BackedUpObjects | Should -Be 3
        $incrementalJob.UnchangedObjects | Should -Be ($atIncremental.Count - 3)
        $incrementalJob.WrittenBytes | Should -BeLessThan 1MB -Because 'unchanged objects, the 70 MiB one included, are not stored again'
    }

    It 'records what changed on each backup point' {
        $points.Count | Should -Be 2
        $points[1].ObjectCount | Should -Be $atIncremental.Count
        $points[1].NewObjects | Should -Be 1
        $points[1].ChangedObjects | Should -Be 2
        $points[1].DeletedObjects | Should -Be 1
        $points[1].TotalBytes | Should -Be ($atIncremental | Measure-Object Size -Sum).Sum
    }

    It 'keeps a deleted object in older points and leaves it out of the new one' {
        @(Get-BackupObject -BackupPoint $points[0] -Key 'small/000/object-00003.txt').Count | Should -Be 1
        @(Get-BackupObject -BackupPoint $points[1] -Key 'small/000/object-00003.txt').Count | Should -Be 0
    }

    It 'lists a point''s objects with their metadata, filtered by prefix and wildcard' {
        $objects = @(Get-BackupObject -BackupPoint $points[1].Id -Prefix 'small/001/' -Key '*-0010?.txt')
        $objects.Key | Should -Be ('small/001/object-00100.txt', 'small/001/object-00101.txt', 'small/001/object-00102.txt', 'small/001/object-00103.txt',
            'small/001/object-00104.txt', 'small/001/object-00105.txt', 'small/001/object-00106.txt', 'small/001/object-00107.txt',
            'small/001/object-00108.txt', 'small/001/object-00109.txt')
        $objects[0].ContentType | Should -Be 'text/plain'
        $objects[0].BackupPointId | Should -Be $points[1].Id
        $objects[0].Size | Should -Be ($atIncremental | Where-Object Key -eq 'small/001/object-00100.txt').Size
    }
}

Describe 'Restore-OssObject' {
    It 'restores the newest point to another bucket byte for byte, with content type and user metadata' {
        $target = New-TestBucketName 'restore'
        $s3.CreateBucket($target)
        $job = Restore-OssObject -BackupPoint $points[1] -TargetBucket $target -Conflict Overwrite -Confirm:$false
        $job.Status | Should -Be 'Completed'
        $job.RestoredObjects | Should -Be $atIncremental.Count
        $restored = $s3.Snapshot($target)
        Compare-Restored $atIncremental $restored | Should -BeNullOrEmpty
        ($restored | Where-Object Key -eq 'small/002/object-00250.txt') | Should -BeNullOrEmpty
        $sample = $restored | Where-Object Key -eq 'small/001/object-00142.txt'
        $sample.Metadata['origin'] | Should -Be 'seed'
        $sample.Metadata['index'] | Should -Be '142'
    }

    It 'restores an older point, deleted and since-changed objects as they were, under another prefix' {
        $target = New-TestBucketName 'older'
        $s3.CreateBucket($target)
        $job = Restore-OssObject -BackupPoint $points[0] -Prefix 'small/000/' -TargetBucket $target -TargetPrefix 'then/' -Confirm:$false
        $expected = $atFull | Where-Object Key -like 'small/000/*' | ForEach-Object {
            [pscustomobject]@{ Key = 'then/' + $_.Key; Size = $_.Size; Sha256 = $_.Sha256; ContentType = $_.ContentType } }
        $job.RestoredObjects | Should -Be @($expected).Count
        Compare-Restored $expected ($s3.Snapshot($target)) | Should -BeNullOrEmpty
    }

    It 'restores only the objects piped from Get-BackupObject' {
        $target = New-TestBucketName 'piped'
        $s3.CreateBucket($target)
        $job = Get-BackupObject -BackupPoint $points[1] -Key 'C++*' | Restore-OssObject -TargetBucket $target -Confirm:$false
        $job.RestoredObjects | Should -Be 1
        [Text.Encoding]::UTF8.GetString($s3.Get($target, 'C++ notes/x+y=z.txt')) | Should -Be 'changed twice'
        $s3.ListKeys($target, '').Count | Should -Be 1
    }

    It 'skips objects that already exist with -Conflict Skip, and fails them by default' {
        $target = New-TestBucketName 'conflict'
        $s3.CreateBucket($target)
        $s3.PutText($target, 'reports/100%.txt', 'keep me', 'text/plain')
        $skip = Restore-OssObject -BackupPoint $points[1] -Key 'reports/*', 'docs/*' -TargetBucket $target -Conflict Skip -Confirm:$false
        $skip.SkippedObjects | Should -Be 1
        $skip.RestoredObjects | Should -Be 1
        [Text.Encoding]::UTF8.GetString($s3.Get($target, 'reports/100%.txt')) | Should -Be 'keep me'

        $failed = Restore-OssObject -BackupPoint $points[1] -Key 'reports/*' -TargetBucket $target -Confirm:$false -ErrorVariable restoreErrors -ErrorAction SilentlyContinue
        $failed.FailedObjects | Should -Be 1
        $restoreErrors[0].FullyQualifiedErrorId | Should -BeLike 'ObjectFailed.TargetExists*'
        $restoreErrors[0].TargetObject | Should -Be 'reports/100%.txt'
        [Text.Encoding]::UTF8.GetString($s3.Get($target, 'reports/100%.txt')) | Should -Be 'keep me'
    }
}

Describe 'Include and exclude patterns' {
    It 'backs up keys that match an include pattern, except those that also match an exclude pattern' {
        New-BackupPlan -Name filtered -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred `
            -Include '^small/000/', '^docs/' -Exclude '0000[0-4]\.txt$' | Out-Null
        $job = Start-OssBackup -Plan filtered
        $keys = (Get-BackupObject -BackupPoint $job.BackupPointId).Key
        $expected = $atIncremental.Key | Where-Object { ($_ -match '^small/000/' -or $_ -match '^docs/') -and $_ -notmatch '0000[0-4]\.txt$' }
        $keys | Should -Be ($expected | Sort-Object { $_ } -Culture ([cultureinfo]::InvariantCulture))
        $keys | Should -Not -Contain 'small/000/object-00002.txt'
        $keys | Should -Contain 'small/000/object-00005.txt'
    }
}
