# Inventory plans end to end: the bucket is never listed; its inventory (written by the test kit in the
# OSS layout, since neither test server makes inventories) says what exists.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'invsrc'
    $inventoryBucket = New-TestBucketName 'inv'
    $s3.CreateBucket($source)
    $s3.CreateBucket($inventoryBucket)
    $s3.Seed($source, 120, 1, 9MB, 11, '', 16)
    $writer = [OssBackup.TestKit.InventoryWriter]::new($s3)
    $archived = @{ 'small/000/object-00010.txt' = 'Archive'; 'small/000/object-00011.txt' = 'ColdArchive'; 'small/000/object-00012.txt' = 'DeepColdArchive' }

    $classOverrides = [Collections.Generic.Dictionary[string, string]]::new()
    foreach ($key in $archived.Keys) { $classOverrides[$key] = $archived[$key] }

    function Write-Inventory([datetime] $RunTime, [hashtable] $Extra = @{}) {
        $options = @{
            DestinationBucket = $inventoryBucket; DestinationPrefix = 'reports'; InventoryId = 'daily'; RunTime = $RunTime
            FilesCount = 3; Shuffle = $true
            StorageClassOverrides = $classOverrides
        }
        foreach ($key in $Extra.Keys) { $options[$key] = $Extra[$key] }
        $writer.WriteBucket($source, [OssBackup.TestKit.InventoryOptions]$options)
    }

    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    New-BackupPlan -Name byinventory -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred `
        -InventoryBucket $inventoryBucket -InventoryId daily -InventoryPrefix reports | Out-Null

    $firstRun = Write-Inventory ([datetime]::UtcNow.AddHours(-3))
    $atFull = $s3.Snapshot($source)
    $fullJob = Start-OssBackup -Plan byinventory -WarningVariable fullWarnings
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'A backup from an inventory' {
    It 'backs up the readable objects the inventory lists and records which inventory it used' {
        $fullJob.Status | Should -Be 'Completed'
        $fullJob.ScanMethod | Should -Be 'Inventory'
        $fullJob.Inventory | Should -BeLike "$($firstRun.RunFolder)*"
        $fullJob.ScannedObjects | Should -Be $atFull.Count
        $fullJob.BackedUpObjects | Should -Be ($atFull.Count - 3)
    }

    It 'skips Archive, ColdArchive and DeepColdArchive objects and counts them per class' {
        $fullJob.SkippedObjects | Should -Be 3
        $fullJob.SkippedByReason['Archive'] | Should -Be 1
        $fullJob.SkippedByReason['ColdArchive'] | Should -Be 1
        $fullJob.SkippedByReason['DeepColdArchive'] | Should -Be 1
        @(Get-BackupObject -BackupPoint $fullJob.BackupPointId -Key 'small/000/object-0001[012].txt').Count | Should -Be 0
    }

    It 'round-trips awkward keys byte for byte' {
        $target = New-TestBucketName 'invrestore'
        $s3.CreateBucket($target)
        $job = Restore-OssObject -BackupPoint $fullJob.BackupPointId -TargetBucket $target -Confirm:$false
        $job.Status | Should -Be 'Completed'
        $expected = $atFull | Where-Object Key -notin $archived.Keys
        $restored = $s3.Snapshot($target)
        Compare-Object @($expected) @($restored) -Property Key, Sha256, ContentType | Should -BeNullOrEmpty
        $restored.Key | Should -Contain 'C++ notes/x+y=z.txt'
        $restored.Key | Should -Contain 'reports/100%.txt'
        $restored.Key | Should -Contain '数据/报告 2024.xlsx'
        $restored.Key | Should -Contain 'media/emoji-😀 clip.txt'
    }
}

Describe 'The inventory rules' {
    It 'fails clearly when the inventory was not updated since the last backup, and keeps the points' {
        $pointsBefore = @(Get-BackupHistory -Plan byinventory).Id
        { Start-OssBackup -Plan byinventory -ErrorAction Stop } | Should -Throw -ErrorId 'BackupFailed.InventoryNotUpdated,*' -ExpectedMessage '*not updated since the last backup*'
        (Get-BackupJob -Plan byinventory -Last 1).Status | Should -Be 'Failed'
        @(Get-BackupHistory -Plan byinventory).Id | Should -Be $pointsBefore
    }

    It 'fails clearly when there is no inventory under the rule''s path' {
        New-BackupPlan -Name noinventory -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred `
            -InventoryBucket $inventoryBucket -InventoryId nosuchrule | Out-Null
        { Start-OssBackup -Plan noinventory -ErrorAction Stop } | Should -Throw -ErrorId 'BackupFailed.InventoryNotFound,*' -ExpectedMessage "*No inventory list is available under*nosuchrule*"
        @(Get-BackupHistory -Plan noinventory).Count | Should -Be 0
    }

    It 'fails clearly when the newest inventory is older than the plan allows' {
        New-BackupPlan -Name strict -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred `
            -InventoryBucket $inventoryBucket -InventoryId daily -InventoryPrefix reports -InventoryMaxAge '01:00:00' | Out-Null
        { Start-OssBackup -Plan strict -ErrorAction Stop } | Should -Throw -ErrorId 'BackupFailed.InventoryTooOld,*' -ExpectedMessage '*older than*'
    }
}

Describe 'An incremental backup from a newer inventory' {
    BeforeAll {
        $s3.PutText($source, 'small/001/object-00100.txt', 'changed', 'text/plain')
        $s3.PutText($source, 'small/001/object-00101.txt', 'changed too', 'text/plain')
        $s3.PutText($source, 'new/from-inventory.txt', 'new', 'text/plain')
        $s3.Delete($source, 'small/001/object-00102.txt')
        $secondRun = Write-Inventory ([datetime]::UtcNow.AddHours(-2)) @{ ManifestStyle = 'S3'; Quoting = 'S3'; DateFormat = 'Iso'; SlashEncoding = 'Literal'; SpaceEncoding = 'Percent20' }
        # Changed and deleted after the inventory was taken: the GET sees the truth.
        $s3.PutText($source, 'small/001/object-00103.txt', 'changed after the inventory', 'text/plain')
        $s3.Delete($source, 'small/001/object-00104.txt')
        $incremental = Start-OssBackup -Plan byinventory
    }

    It 'reads only the objects the inventory shows as new or changed' {
        $incremental.Status | Should -Be 'Completed'
        $incremental.Mode | Should -Be 'Incremental'
        $incremental.Inventory | Should -BeLike "$($secondRun.RunFolder)*"
        $incremental.BackedUpObjects | Should -Be 3
        (Get-BackupHistory -Plan byinventory -Last 1).DeletedObjects | Should -Be 1
    }

    It 'leaves objects changed after the inventory for the next one and counts none as failed' {
        $incremental.FailedObjects | Should -Be 0
        $incremental.GoneSinceScanObjects | Should -Be 0 -Because 'the deleted object was unchanged in the inventory, so it was not read'
        $text = Get-BackupObject -BackupPoint $incremental.BackupPointId -Key 'small/001/object-00103.txt'
        $text.Size | Should -Be ($atFull | Where-Object Key -eq 'small/001/object-00103.txt').Size
    }

    It 'counts objects changed or deleted between the inventory and the read, as read and not as failures' {
        $s3.PutText($source, 'small/002/object-00200.txt', 'changed before the inventory', 'text/plain')
        $s3.PutText($source, 'new/short-lived.txt', 'here for the inventory only', 'text/plain')
        $script:fourthRun = Write-Inventory ([datetime]::UtcNow.AddMinutes(-30))
        $s3.PutText($source, 'small/002/object-00200.txt', 'changed again after the inventory', 'text/plain')
        $s3.Delete($source, 'new/short-lived.txt')

        $job = Start-OssBackup -Plan byinventory
        $job.Status | Should -Be 'Completed'
        $job.FailedObjects | Should -Be 0
        $job.ChangedSinceScanObjects | Should -Be 1
        $job.GoneSinceScanObjects | Should -Be 1
        @(Get-BackupObject -BackupPoint $job.BackupPointId -Key 'new/short-lived.txt').Count | Should -Be 0
        (Get-BackupObject -BackupPoint $job.BackupPointId -Key 'small/002/object-00200.txt').Size | Should -Be ([Text.Encoding]::UTF8.GetByteCount('changed again after the inventory'))
    }
}

Describe 'Get-OssInventory' {
    It 'lists the rule''s inventories newest first and says which are usable' {
        $broken = Write-Inventory ([datetime]::UtcNow.AddMinutes(-5)) @{ WrongChecksum = $true }
        $inventories = @(Get-OssInventory -Plan byinventory)
        $inventories.Count | Should -BeGreaterOrEqual 4
        $inventories[0].Folder | Should -Be $broken.RunFolder
        $inventories[0].IsUsable | Should -BeFalse
        $inventories[0].Problem | Should -BeLike '*checksum*'
        $inventories[1].IsUsable | Should -BeTrue
        $inventories[1].DataFiles | Should -BeGreaterThan 0
        $inventories[1].Schema | Should -Contain 'ETag'
        ($inventories.Timestamp | Sort-Object -Descending) | Should -Be $inventories.Timestamp
        foreach ($key in $broken.Keys) { $s3.Delete($inventoryBucket, $key) }
    }

    It 'counts the objects of usable inventories on request' {
        $counted = Get-OssInventory -Plan byinventory -CountObjects | Where-Object IsUsable | Select-Object -First 1
        $counted.Folder | Should -Be $fourthRun.RunFolder
        $counted.ObjectCount | Should -Be ($fourthRun.DataFiles | Measure-Object Rows -Sum).Sum
    }
}

Describe 'Inventory cleanup' {
    It 'deletes the used inventory and every older one after a successful backup with DeleteAll' {
        New-BackupPlan -Name cleaning -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred `
            -InventoryBucket $inventoryBucket -InventoryId daily -InventoryPrefix reports -InventoryCleanup DeleteAll | Out-Null
        $newest = Write-Inventory ([datetime]::UtcNow.AddMinutes(-1))
        $job = Start-OssBackup -Plan cleaning
        $job.Status | Should -Be 'Completed'
        $left = $s3.ListKeys($inventoryBucket, "reports/$source/daily/")
        $left | Should -Not -Contain $newest.ManifestKey
        $left | Where-Object { $_ -like '*manifest.json' } | Should -BeNullOrEmpty
        $left | Where-Object { $_ -like '*.csv.gz' } | Should -BeNullOrEmpty
    }
}
