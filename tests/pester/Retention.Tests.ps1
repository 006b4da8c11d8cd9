# Retention: applied after each successful backup; deleting points frees only data no other point needs.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'keep'
    $s3.CreateBucket($source)
    $s3.Seed($source, 30, 1, 48MB, 17, '', 8)
    $vaultPath = Join-Path $testHome 'vault'
    New-BackupVault -Name main -Path $vaultPath | Out-Null
    New-BackupPolicy -Name keep2 -Vault main -Interval '1.00:00:00' -StartTime ([DateTimeOffset]::UtcNow.AddDays(30)) -KeepLast 2 | Out-Null
    New-BackupPlan -Name keep -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Policy keep2 -Credential $cred | Out-Null

    function Get-DataBytes { (Get-ChildItem (Join-Path $vaultPath 'data') -Recurse -File | Measure-Object Length -Sum).Sum }

    $first = Start-OssBackup -Plan keep
    $s3.Delete($source, 'large/blob-00.bin')
    $s3.PutText($source, 'small/000/object-00001.txt', 'second', 'text/plain')
    $atSecond = $s3.Snapshot($source)
    $second = Start-OssBackup -Plan keep
    $bytesBeforeRetention = Get-DataBytes
    $s3.PutText($source, 'small/000/object-00002.txt', 'third', 'text/plain')
    $atThird = $s3.Snapshot($source)
    $third = Start-OssBackup -Plan keep
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Retention after a backup' {
    It 'removes the points the policy no longer keeps' {
        @(Get-BackupHistory -Plan keep).Id | Should -Be @($second.BackupPointId, $third.BackupPointId)
        { Get-BackupObject -BackupPoint $first.BackupPointId -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.NotFound,*'
    }

    It 'frees the data only the removed point needed' {
        (Get-DataBytes) | Should -BeLessThan ($bytesBeforeRetention - 16MB) -Because 'the 48 MiB object deleted from the bucket lived only in the first point'
    }

    It 'leaves the remaining points restorable byte for byte' {
        foreach ($case in @(@{ Point = $second; Expected = $atSecond }, @{ Point = $third; Expected = $atThird })) {
            $target = New-TestBucketName 'kept'
            $s3.CreateBucket($target)
            (Restore-OssObject -BackupPoint $case.Point.BackupPointId -TargetBucket $target -Confirm:$false).Status | Should -Be 'Completed'
            Compare-Object @($case.Expected) @($s3.Snapshot($target)) -Property Key, Sha256 | Should -BeNullOrEmpty
        }
    }

    It 'previews the policy with a reason for each point' {
        $decisions = @(Get-BackupRetention -Plan keep)
        $decisions.Count | Should -Be 2
        $decisions | ForEach-Object { $_.Action | Should -Be 'Keep' }
        ($decisions | Where-Object BackupPointId -eq $third.BackupPointId).Reasons -join ',' | Should -BeLike '*last*'
        Set-BackupPolicy keep2 -KeepLast 1 | Out-Null
        $after = @(Get-BackupRetention -Plan keep)
        ($after | Where-Object BackupPointId -eq $second.BackupPointId).Action | Should -Be 'Remove'
        ($after | Where-Object BackupPointId -eq $second.BackupPointId).Reasons | Should -Not -BeNullOrEmpty
        Set-BackupPolicy keep2 -KeepLast 2 | Out-Null
    }
}

Describe 'Remove-BackupPoint' {
    It 'changes nothing with -WhatIf' {
        Get-BackupHistory -Plan keep -Last 1 | Remove-BackupPoint -WhatIf
        @(Get-BackupHistory -Plan keep).Count | Should -Be 2
    }

    It 'deletes an early point by hand and the later one still restores' {
        $removal = Remove-BackupPoint -BackupPoint $second.BackupPointId -Confirm:$false
        $removal.RemovedPoints | Should -Be @($second.BackupPointId)
        @(Get-BackupHistory -Plan keep).Id | Should -Be @($third.BackupPointId)
        $target = New-TestBucketName 'last'
        $s3.CreateBucket($target)
        (Restore-OssObject -BackupPoint $third.BackupPointId -TargetBucket $target -Confirm:$false).Status | Should -Be 'Completed'
        Compare-Object @($atThird) @($s3.Snapshot($target)) -Property Key, Sha256 | Should -BeNullOrEmpty
    }

    It 'refuses an unknown point before deleting anything' {
        { Remove-BackupPoint -BackupPoint 'feedfacefeedface' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.NotFound,*'
        @(Get-BackupHistory -Plan keep).Count | Should -Be 1
    }
}
