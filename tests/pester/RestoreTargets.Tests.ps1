# Restore targets and selections end to end against the real S3 server: the source bucket itself (with its
# confirmation), -Rollback, -StorageClass, another endpoint and account, several prefixes with regex filters.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'web'
    $s3.CreateBucket($source)
    $pageHeaders = @{
        'Content-Type' = 'text/html'; 'Cache-Control' = 'max-age=300, public'; 'Content-Disposition' = 'inline; filename="index.html"'
        'Content-Encoding' = 'identity'; 'Expires' = 'Wed, 21 Oct 2037 07:28:00 GMT'; 'owner' = 'web team'
    }
    $s3.PutWithHeaders($source, 'site/index.html', [Text.Encoding]::UTF8.GetBytes('<h1>v1</h1>'), $pageHeaders, $null)
    $s3.PutText($source, 'site/style.css', 'body { color: black }', 'text/css')
    $s3.PutText($source, 'docs/readme.txt', 'read me', 'text/plain')
    $s3.PutText($source, 'docs/empty.txt', '', 'text/plain')
    $s3.PutWithHeaders($source, 'cold/ledger-2019.csv', [Text.Encoding]::UTF8.GetBytes('year,total'), @{ 'Content-Type' = 'text/csv' }, 'STANDARD_IA')
    foreach ($key in 'media/a.jpg', 'media/b.png', 'media/thumbs/a.jpg', 'media/c.gif', 'other/d.jpg') {
        $s3.PutText($source, $key, "image $key", 'image/x-test')
    }
    $atBackup = $s3.Snapshot($source)
    # As the server keeps them (Ceph RGW reorders Cache-Control's directives): what a restore must give back.
    $pageHeadersAtBackup = $s3.Head($source, 'site/index.html')

    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name web -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null
    $null = Start-OssBackup -Plan web
    $point = Get-BackupHistory -Plan web -Last 1

    function Get-Text($bucket, $key) { [Text.Encoding]::UTF8.GetString($s3.Get($bucket, $key)) }
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Restore-OssObject to the bucket the point was taken from' {
    BeforeAll {
        $s3.PutText($source, 'site/index.html', '<h1>defaced</h1>', 'text/html')
        $s3.Delete($source, 'docs/readme.txt')
        $s3.PutText($source, 'site/added-later.html', 'not in the point', 'text/html')
    }

    It 'asks before writing over the source, and a non-interactive session without -Force changes nothing' {
        $run = Invoke-FreshPwsh @"
`$env:OSSBACKUP_HOME = '$testHome'
Import-Module '$(Get-BuiltModulePath)'
Restore-OssObject -BackupPoint $($point.Id) -Conflict Overwrite
"@
        $run.ExitCode | Should -Not -Be 0 -Because $run.Output
        $run.Output | Should -Match 'NonInteractive|prompt'
        Get-Text $source 'site/index.html' | Should -Be '<h1>defaced</h1>'
        $s3.ListKeys($source, 'docs/') | Should -Not -Contain 'docs/readme.txt'
    }

    It 'lists with -Rollback -WhatIf the objects it would delete, and changes nothing' {
        $run = Invoke-FreshPwsh @"
`$env:OSSBACKUP_HOME = '$testHome'
Import-Module '$(Get-BuiltModulePath)'
Restore-OssObject -BackupPoint $($point.Id) -Prefix site/ -Conflict IfChanged -Rollback -WhatIf
"@
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $said = $run.Output -replace '\s+', ' '
        $said | Should -Match "What if: [^.]*Delete \(not in point $($point.Id)\)[^.]*site/added-later\.html"
        $said | Should -Not -Match 'Delete \(not in point [0-9a-f]+\)" on target "[^"]*site/(index\.html|style\.css)'

        $s3.ListKeys($source, 'site/') | Should -Contain 'site/added-later.html'
        Get-Text $source 'site/index.html' | Should -Be '<h1>defaced</h1>'
    }

    It 'puts the objects back under their keys with -Force, leaving identical ones alone, with every header as it was' {
        $job = Restore-OssObject -BackupPoint $point -Conflict IfChanged -Force
        $job.Status | Should -Be 'Completed'
        $job.RestoredObjects | Should -Be 2
        $job.SkippedObjects | Should -Be ($atBackup.Count - 2)
        $job.DeletedObjects | Should -Be 0
        Get-Text $source 'site/index.html' | Should -Be '<h1>v1</h1>'
        Get-Text $source 'docs/readme.txt' | Should -Be 'read me'
        $s3.ListKeys($source, 'site/') | Should -Contain 'site/added-later.html'
        $head = $s3.Head($source, 'site/index.html')
        foreach ($name in $pageHeaders.Keys) {
            $pageHeadersAtBackup[$name] | Should -Not -BeNullOrEmpty -Because "the source object has $name"
            $head[$name] | Should -Be $pageHeadersAtBackup[$name] -Because $name
        }
    }

    It 'rolls a prefix back with -Rollback: deletes what the point does not hold there, nothing elsewhere' {
        $s3.PutText($source, 'docs/added-later.txt', 'outside the selection', 'text/plain')
        $job = Restore-OssObject -BackupPoint $point -Prefix site/ -Conflict IfChanged -Rollback -Confirm:$false
        $job.Status | Should -Be 'Completed'
        $job.DeletedObjects | Should -Be 1
        $s3.ListKeys($source, 'site/') | Sort-Object | Should -Be @('site/index.html', 'site/style.css')
        $s3.ListKeys($source, 'docs/') | Should -Contain 'docs/added-later.txt'
        $item = Get-BackupJobItem -Job $job -Status Deleted
        $item.Key | Should -Be 'site/added-later.html'
        (Get-RestoreJob -Id $job.Id).DeletedObjects | Should -Be 1
    }

    It 'refuses -Rollback for a folder target or piped objects, naming why' {
        { Restore-OssObject -BackupPoint $point -TargetPath (Join-Path $testHome 'r') -Rollback -Force -ErrorAction Stop } |
            Should -Throw '*bucket targets*'
        { Get-BackupObject -BackupPoint $point -Key 'site/*' | Restore-OssObject -TargetBucket $source -Rollback -Force -ErrorAction Stop } |
            Should -Throw '*Rollback*'
    }
}

Describe 'Restore-OssObject -StorageClass' {
    It 'writes each object in its backed-up class by default, and in the class given with -StorageClass' {
        $kept = New-TestBucketName 'kept'
        $ia = New-TestBucketName 'ia'
        $s3.CreateBucket($kept); $s3.CreateBucket($ia)
        (Restore-OssObject -BackupPoint $point -TargetBucket $kept -Confirm:$false).Status | Should -Be 'Completed'
        (Restore-OssObject -BackupPoint $point -TargetBucket $ia -StorageClass STANDARD_IA -Confirm:$false).Status | Should -Be 'Completed'
        $s3.Head($kept, 'cold/ledger-2019.csv')['StorageClass'] | Should -Be 'STANDARD_IA'
        $s3.Head($kept, 'site/style.css')['StorageClass'] | Should -Be 'STANDARD'
        $s3.Head($ia, 'site/style.css')['StorageClass'] | Should -Be 'STANDARD_IA'
        $s3.Head($ia, 'cold/ledger-2019.csv')['StorageClass'] | Should -Be 'STANDARD_IA'
        Get-Text $ia 'cold/ledger-2019.csv' | Should -Be 'year,total'
    }

    It 'fails each object with the server''s code when the target does not know the class' {
        $target = New-TestBucketName 'badclass'
        $s3.CreateBucket($target)
        # An empty object: Ceph RGW answers 400 before reading a PUT's body and then parses the unread body
        # as the next request on the connection, failing whichever request comes next (see docs/architecture.md).
        $job = Restore-OssObject -BackupPoint $point -Key docs/empty.txt -TargetBucket $target -StorageClass NO_SUCH_CLASS -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        $job.Status | Should -Be 'Failed'
        $job.FailedObjects | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'ObjectFailed.Invalid*'
        $s3.ListKeys($target, '') | Should -BeNullOrEmpty
    }
}

Describe 'Restore-OssObject to another endpoint and account' {
    BeforeAll {
        $other = [OssBackup.TestKit.TestS3]::OtherAccountFromEnvironment()
        $otherCred = [pscredential]::new($env:OSSBACKUP_TEST_S3_OTHER_ACCESS_KEY, (ConvertTo-SecureString $env:OSSBACKUP_TEST_S3_OTHER_SECRET_KEY -AsPlainText -Force))
        # The same gateway under another name: the restore must go where -Endpoint says, with -Credential's keys.
        $otherEndpoint = $endpoint -replace '127\.0\.0\.1', 'localhost'
        $otherBucket = New-TestBucketName 'account2'
        $other.CreateBucket($otherBucket)
    }

    It 'needs the other account''s credentials: the plan''s own are refused there' {
        { Restore-OssObject -BackupPoint $point -TargetBucket $otherBucket -Endpoint $otherEndpoint -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'OssBackup.AccessDenied*'
        $other.ListKeys($otherBucket, '') | Should -BeNullOrEmpty
    }

    It 'restores byte for byte, with headers, into a bucket only the other account can reach' {
        $job = Restore-OssObject -BackupPoint $point -TargetBucket $otherBucket -TargetPrefix 'copy/' -Endpoint $otherEndpoint -Credential $otherCred -Confirm:$false
        $job.Status | Should -Be 'Completed'
        $job.Target | Should -BeLike "$otherEndpoint/$otherBucket*"
        $restored = $other.Snapshot($otherBucket, 'copy/')
        $expected = $atBackup | ForEach-Object { [pscustomobject]@{ Key = 'copy/' + $_.Key; Sha256 = $_.Sha256; ContentType = $_.ContentType } }
        Compare-Object @($expected) @($restored) -Property Key, Sha256, ContentType | Should -BeNullOrEmpty
        $other.Head($otherBucket, 'copy/site/index.html')['Cache-Control'] | Should -Be $pageHeadersAtBackup['Cache-Control']
    }

    It 'fails clearly when the endpoint cannot be reached' {
        { Restore-OssObject -BackupPoint $point -TargetBucket $otherBucket -Endpoint 'http://127.0.0.1:9' -Credential $otherCred -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'OssBackup.EndpointUnreachable*'
    }
}

Describe 'Restore-OssObject selections' {
    It 'restores the keys under any of several prefixes that pass -Include and not -Exclude' {
        $target = New-TestBucketName 'select'
        $s3.CreateBucket($target)
        $job = Restore-OssObject -BackupPoint $point -Prefix 'media/', 'site/' -Include '\.(jpg|png|css)$' -Exclude '/thumbs/' -TargetBucket $target -Parallelism 2 -Confirm:$false
        $job.RestoredObjects | Should -Be 3
        $s3.ListKeys($target, '') | Sort-Object | Should -Be @('media/a.jpg', 'media/b.png', 'site/style.css')
        Get-Text $target 'media/b.png' | Should -Be 'image media/b.png'
    }

    It 'replaces an existing, different object with -Conflict Overwrite, bytes and headers' {
        $target = New-TestBucketName 'overwrite'
        $s3.CreateBucket($target)
        $s3.PutText($target, 'site/index.html', 'someone else''s page', 'text/plain')
        $job = Restore-OssObject -BackupPoint $point -Key 'site/index.html' -TargetBucket $target -Conflict Overwrite -Confirm:$false
        $job.RestoredObjects | Should -Be 1
        Get-Text $target 'site/index.html' | Should -Be '<h1>v1</h1>'
        $s3.Head($target, 'site/index.html')['Content-Type'] | Should -Be 'text/html'
        $s3.Head($target, 'site/index.html')['owner'] | Should -Be 'web team'
    }

    It 'refuses a parallelism outside 1-256' {
        { Restore-OssObject -BackupPoint $point -TargetBucket $source -Parallelism 0 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'names an invalid regex and restores nothing' {
        $target = New-TestBucketName 'badregex'
        $s3.CreateBucket($target)
        $err = { Restore-OssObject -BackupPoint $point -Include '([' -TargetBucket $target -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'OssBackup.InvalidArgument*' -PassThru
        $err.Exception.Message | Should -Match "-Include pattern '\(\['"
        $s3.ListKeys($target, '') | Should -BeNullOrEmpty
    }
}
