# Browsing and comparing points, restoring a chosen version, and -Conflict IfChanged.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'browse'
    $s3.CreateBucket($source)
    $s3.Seed($source, 250, 1, 9MB, 13, '', 16)
    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name browse -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null
    $first = Start-OssBackup -Plan browse
    $s3.PutText($source, 'docs/My Report final.pdf', 'version two', 'application/pdf')
    $s3.PutText($source, 'added.txt', 'new', 'text/plain')
    $s3.Delete($source, 'small/000/object-00000.txt')
    $second = Start-OssBackup -Plan browse
    $s3.PutText($source, 'docs/My Report final.pdf', 'version three, live only', 'application/pdf')
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Get-BackupObject' {
    It 'shows a folder view with -Delimiter, with counts and sizes of sub-prefixes' {
        $rows = @(Get-BackupObject -BackupPoint $second.BackupPointId -Prefix 'small/' -Delimiter '/')
        $rows.Key | Should -Be @('small/000/', 'small/001/', 'small/002/')
        $rows | ForEach-Object { $_.IsFolder | Should -BeTrue }
        $rows[0].ObjectCount | Should -Be 99 -Because 'object-00000 was deleted before the second point'
        $rows[1].Size | Should -Be ((Get-BackupObject -BackupPoint $second.BackupPointId -Prefix 'small/001/' | Measure-Object Size -Sum).Sum)
        $top = @(Get-BackupObject -BackupPoint $second.BackupPointId -Delimiter '/')
        ($top | Where-Object { -not $_.IsFolder }).Key | Should -Contain 'added.txt'
        ($top | Where-Object IsFolder).Key | Should -Contain 'large/'
    }

    It 'filters with -Include and -Exclude like a plan does' {
        $keys = (Get-BackupObject -BackupPoint $second.BackupPointId -Include '^small/001/' -Exclude '5\.txt$').Key
        $keys.Count | Should -Be 90
        $keys | Where-Object { $_ -match '5\.txt$' } | Should -BeNullOrEmpty
    }

    It 'returns a key''s version in every point with -AllVersions, and restores the one chosen' {
        $versions = @(Get-BackupObject -Plan browse -Key 'docs/My Report final.pdf' -AllVersions)
        $versions.Count | Should -Be 2
        $versions.BackupPointId | Should -Be @($first.BackupPointId, $second.BackupPointId)
        $versions[0].ETag | Should -Not -Be $versions[1].ETag
        $target = New-TestBucketName 'version'
        $s3.CreateBucket($target)
        $job = $versions[0] | Restore-OssObject -TargetBucket $target -Confirm:$false
        $job.RestoredObjects | Should -Be 1
        [Text.Encoding]::UTF8.GetString($s3.Get($target, 'docs/My Report final.pdf')) | Should -Be 'content of docs/My Report final.pdf'
    }
}

Describe 'Compare-BackupPoint' {
    It 'lists what was added, removed and changed between two points' {
        $diff = @(Compare-BackupPoint -Reference $first.BackupPointId -Difference $second.BackupPointId)
        ($diff | Where-Object Change -eq 'Added').Key | Should -Be @('added.txt')
        ($diff | Where-Object Change -eq 'Removed').Key | Should -Be @('small/000/object-00000.txt')
        ($diff | Where-Object Change -eq 'Changed').Key | Should -Be @('docs/My Report final.pdf')
        $diff.Count | Should -Be 3
    }

    It 'compares a point with the live bucket' {
        $diff = @(Compare-BackupPoint -Reference $second.BackupPointId -Difference live)
        $diff.Count | Should -Be 1
        $diff[0].Key | Should -Be 'docs/My Report final.pdf'
        $diff[0].Change | Should -Be 'Changed'
        $diff[0].DifferenceSize | Should -Be ([Text.Encoding]::UTF8.GetByteCount('version three, live only'))
    }
}

Describe 'Restore-OssObject -Conflict IfChanged' {
    It 'skips identical objects and rewrites changed ones in a bucket' {
        $target = New-TestBucketName 'ifchanged'
        $s3.CreateBucket($target)
        Restore-OssObject -BackupPoint $second.BackupPointId -Prefix 'small/002/' -TargetBucket $target -Confirm:$false | Out-Null
        $s3.PutText($target, 'small/002/object-00200.txt', 'tampered', 'text/plain')
        $job = Restore-OssObject -BackupPoint $second.BackupPointId -Prefix 'small/002/' -TargetBucket $target -Conflict IfChanged -Confirm:$false
        $job.RestoredObjects | Should -Be 1
        $job.SkippedObjects | Should -Be 49
        [Text.Encoding]::UTF8.GetString($s3.Get($target, 'small/002/object-00200.txt')) | Should -BeLike 'object 200*'
    }

    It 'skips identical files and rewrites changed ones in a folder, large files included' {
        $folder = Join-Path $testHome 'ifchanged'
        Restore-OssObject -BackupPoint $second.BackupPointId -Prefix 'large/' -TargetPath $folder | Out-Null
        Restore-OssObject -BackupPoint $second.BackupPointId -Prefix 'small/001/' -TargetPath $folder | Out-Null
        Set-Content -LiteralPath (Join-Path $folder 'small/001/object-00150.txt') -Value 'tampered' -NoNewline
        $job = Restore-OssObject -BackupPoint $second.BackupPointId -Prefix 'small/001/' -TargetPath $folder -Conflict IfChanged
        $job.RestoredObjects | Should -Be 1
        $job.SkippedObjects | Should -Be 99
        $large = Restore-OssObject -BackupPoint $second.BackupPointId -Prefix 'large/' -TargetPath $folder -Conflict IfChanged
        $large.SkippedObjects | Should -Be 1
        $large.RestoredObjects | Should -Be 0
    }

    It 'keeps every restore in Get-RestoreJob' {
        $jobs = @(Get-RestoreJob)
        $jobs.Count | Should -BeGreaterOrEqual 5
        $jobs[-1] | Should -BeOfType ([OssBackup.RestoreJob])
        (Get-RestoreJob -Id $jobs[-1].Id).Target | Should -Be $jobs[-1].Target
    }
}
