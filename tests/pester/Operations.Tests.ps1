# The operator's workflow: policies, plan lifecycle, the scheduler, job items, alerts, -WhatIf, cancellation.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'ops'
    $s3.CreateBucket($source)
    $s3.Seed($source, 40, 0, 0, 21, '', 8)
    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    # A start time in the future, so -Now can walk the schedule from before its first slot.
    $start = [DateTimeOffset]::new([DateTime]::UtcNow.Date.AddDays(2), [TimeSpan]::Zero)
    New-BackupPolicy -Name hourly -Vault main -Interval '01:00:00' -StartTime $start -KeepLast 3 | Out-Null

    function New-ScheduledPlan([string] $Name) {
        New-BackupPlan -Name $Name -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Policy hourly -Credential $cred
    }
}

AfterAll {
    Exit-TestHome $testHome
}

Describe 'Backup policies' {
    It 'round-trips a policy and changes only the settings given to Set-BackupPolicy' {
        $policy = Get-BackupPolicy hourly
        $policy | Should -BeOfType ([OssBackup.BackupPolicy])
        $policy.Interval | Should -Be ([TimeSpan]'01:00:00')
        $policy.KeepLast | Should -Be 3
        $changed = Set-BackupPolicy hourly -KeepDaily 7
        $changed.KeepDaily | Should -Be 7
        $changed.KeepLast | Should -Be 3
        $changed.StartTime | Should -Be $start
    }

    It 'refuses bad settings with the parameter named' {
        { New-BackupPolicy -Name bad -Vault main -Interval '00:00:10' -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.InvalidArgument,*' -ExpectedMessage '*-Interval*'
        { New-BackupPolicy -Name bad -Vault main -Interval '01:00:00' -TimeZone 'Mars/Olympus' -ErrorAction Stop } | Should -Throw -ExpectedMessage "*-TimeZone 'Mars/Olympus'*"
        { New-BackupPolicy -Name bad -Vault nope -Interval '01:00:00' -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.NotFound,*'
        Get-BackupPolicy bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses to remove a policy that plans use, naming them' {
        New-ScheduledPlan 'uses-hourly' | Out-Null
        { Remove-BackupPolicy hourly -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.InUse,*' -ExpectedMessage "*'uses-hourly'*"
        Get-BackupPolicy hourly | Should -Not -BeNullOrEmpty
    }

    It 'gives a plan its policy''s vault and its next run time' {
        $plan = Get-BackupPlan 'uses-hourly'
        $plan.Vault | Should -Be 'main'
        $plan.Policy | Should -Be 'hourly'
        $plan.NextRunTime | Should -Be $start
    }
}

Describe 'Invoke-BackupSchedule' {
    BeforeAll {
        New-ScheduledPlan 'sched' | Out-Null
        New-ScheduledPlan 'paused' | Out-Null
        Suspend-BackupPlan 'paused' | Out-Null
        Remove-BackupPlan 'uses-hourly' -Confirm:$false
    }

    It 'runs nothing before the first slot' {
        @(Invoke-BackupSchedule -Now $start.AddMinutes(-1)).Count | Should -Be 0
    }

    It 'runs each due, active plan once and skips suspended ones' {
        $jobs = @(Invoke-BackupSchedule -Now $start.AddMinutes(5))
        $jobs.Plan | Should -Be @('sched')
        $jobs[0].Status | Should -Be 'Completed'
        (Get-BackupPlan 'paused').Suspended | Should -BeTrue
        (Get-BackupPlan 'paused').NextRunTime | Should -BeNullOrEmpty
    }

    It 'does not run a plan again within the same slot' {
        @(Invoke-BackupSchedule -Now $start.AddMinutes(10)).Count | Should -Be 0
        (Get-BackupPlan 'sched').NextRunTime | Should -Be $start.AddHours(1)
    }

    It 'coalesces missed slots into one run' {
        $jobs = @(Invoke-BackupSchedule -Now $start.AddHours(3).AddMinutes(1))
        $jobs.Plan | Should -Be @('sched')
        @(Invoke-BackupSchedule -Now $start.AddHours(3).AddMinutes(2)).Count | Should -Be 0
    }

    It 'runs a suspended plan once with Start-OssBackup without resuming its schedule' {
        (Start-OssBackup -Plan 'paused').Status | Should -Be 'Completed'
        (Get-BackupPlan 'paused').Suspended | Should -BeTrue
        $resumed = Resume-BackupPlan 'paused'
        $resumed.Suspended | Should -BeFalse
        $resumed.NextRunTime | Should -Not -BeNullOrEmpty
    }
}

Describe 'Set-BackupPlan and Remove-BackupPlan' {
    It 'changes a plan''s prefix and filters, and refuses an invalid pattern' {
        $plan = Set-BackupPlan 'sched' -SourcePrefix 'small/' -Exclude '7\.txt$'
        $plan.SourcePrefix | Should -Be 'small/'
        $plan.Exclude | Should -Be @('7\.txt$')
        { Set-BackupPlan 'sched' -Include '(' -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.InvalidArgument,*'
        (Get-BackupPlan 'sched').Include | Should -BeNullOrEmpty
    }

    It 'removes a plan but keeps its points browsable and restorable' {
        $point = Get-BackupHistory -Plan 'paused' -Last 1
        Remove-BackupPlan 'paused' -Confirm:$false
        Get-BackupPlan 'paused' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $objects = @(Get-BackupObject -BackupPoint $point.Id)
        $objects.Count | Should -Be $point.ObjectCount
        $target = New-TestBucketName 'orphan'
        $s3.CreateBucket($target)
        $job = Restore-OssObject -BackupPoint $point.Id -Prefix 'small/000/' -TargetBucket $target -Endpoint $endpoint -Confirm:$false
        $job.Status | Should -Be 'Completed'
        $job.RestoredObjects | Should -Be @($objects | Where-Object Key -like 'small/000/*').Count
    }
}

Describe '-WhatIf' {
    It 'changes nothing on any state-changing cmdlet' {
        $before = @{ Plans = @(Get-BackupPlan).Name; Policies = @(Get-BackupPolicy).Name; Vaults = @(Get-BackupVault).Name; Jobs = @(Get-BackupJob).Count }
        New-BackupVault -Name ghost -Path (Join-Path $testHome 'ghost') -WhatIf
        New-BackupPolicy -Name ghost -Vault main -Interval '01:00:00' -WhatIf
        New-BackupPlan -Name ghost -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred -WhatIf
        Set-BackupPolicy hourly -KeepLast 99 -WhatIf
        Set-BackupPlan sched -SourcePrefix 'nothing/' -WhatIf
        Suspend-BackupPlan sched -WhatIf
        Remove-BackupPlan sched -WhatIf
        Remove-BackupPolicy hourly -WhatIf
        Start-OssBackup -Plan sched -WhatIf
        Invoke-BackupSchedule -Now $start.AddHours(10) -WhatIf
        Restore-OssObject -BackupPoint (Get-BackupHistory -Plan sched -Last 1) -TargetBucket $source -Conflict Overwrite -WhatIf
        Test-Path (Join-Path $testHome 'ghost') | Should -BeFalse
        @(Get-BackupPlan).Name | Should -Be $before.Plans
        @(Get-BackupPolicy).Name | Should -Be $before.Policies
        @(Get-BackupVault).Name | Should -Be $before.Vaults
        @(Get-BackupJob).Count | Should -Be $before.Jobs
        (Get-BackupPolicy hourly).KeepLast | Should -Be 3
        (Get-BackupPlan sched).SourcePrefix | Should -Be 'small/'
        (Get-BackupPlan sched).Suspended | Should -BeFalse
    }
}

Describe 'Job items' {
    It 'lists each failed object of a job with its error code, ready for Export-Csv' {
        $target = New-TestBucketName 'items'
        $s3.CreateBucket($target)
        $s3.PutText($target, 'small/000/object-00001.txt', 'already here', 'text/plain')
        $job = Restore-OssObject -BackupPoint (Get-BackupHistory -Plan sched -Last 1) -Key 'small/000/object-0000[12].txt' -TargetBucket $target -Confirm:$false -ErrorAction SilentlyContinue
        $items = @(Get-BackupJobItem -Job $job -Status Failed)
        $items.Count | Should -Be 1
        $items[0].Key | Should -Be 'small/000/object-00001.txt'
        $items[0].Code | Should -Be 'TargetExists'
        $csv = Join-Path $testHome 'items.csv'
        $items | Export-Csv $csv
        (Import-Csv $csv).Key | Should -Be 'small/000/object-00001.txt'
    }
}

Describe 'Alerts' {
    BeforeAll {
        $listener = [OssBackup.TestKit.AlertListener]::new(200)
        New-BackupPolicy -Name alerting -Vault main -Interval '01:00:00' -StartTime $start -AlertWebhook $listener.Url | Out-Null
        New-BackupPlan -Name watched -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Policy alerting -Credential $cred | Out-Null
        $wrong = [pscredential]::new($env:OSSBACKUP_TEST_S3_ACCESS_KEY, (ConvertTo-SecureString 'wrong-secret' -AsPlainText -Force))
    }
    AfterAll {
        $listener.Dispose()
    }

    It 'posts exactly one well-formed event for a failed job' {
        Start-OssBackup -Plan watched -Credential $wrong -ErrorAction SilentlyContinue
        $failed = Get-BackupJob -Plan watched -Last 1
        $failed.Status | Should -Be 'Failed'
        $events = @($listener.Bodies | ConvertFrom-Json)
        $events.Count | Should -Be 1
        $events[0].event | Should -Be 'JobFailed'
        $events[0].plan | Should -Be 'watched'
        $events[0].jobId | Should -Be $failed.Id
        $events[0].status | Should -Be 'Failed'
        $events[0].message | Should -BeLike '*refused*'
        $listener.Bodies -join '' | Should -Not -BeLike '*wrong-secret*'
    }

    It 'posts nothing for a successful job' {
        $count = $listener.Bodies.Count
        (Start-OssBackup -Plan watched).Status | Should -Be 'Completed'
        $listener.Bodies.Count | Should -Be $count
    }

    It 'turns an undeliverable alert into a warning, not a job failure' {
        $listener.Status = 500
        Start-OssBackup -Plan watched -Credential $wrong -ErrorAction SilentlyContinue -WarningVariable warnings
        $warnings -join "`n" | Should -BeLike '*Could not deliver the JobFailed alert*'
        (Get-BackupJob -Plan watched -Last 1).Status | Should -Be 'Failed'
        $listener.Status = 200
    }

    It 'alerts once when a plan has had no successful backup for more than two intervals' {
        $listener.Status = 200
        $count = $listener.Bodies.Count
        # No run is due at this -Now (the slot is covered), but the last success is far behind it.
        Set-BackupPolicy alerting -StartTime ([DateTimeOffset]::UtcNow.AddDays(-1)) | Out-Null
        $now = [DateTimeOffset]::UtcNow.AddHours(5)
        Invoke-BackupSchedule -Now $now -Credential $wrong -ErrorAction SilentlyContinue | Out-Null
        Invoke-BackupSchedule -Now $now.AddMinutes(1) -Credential $wrong -ErrorAction SilentlyContinue | Out-Null
        $stale = @($listener.Bodies | Select-Object -Skip $count | ConvertFrom-Json | Where-Object event -eq 'PlanStale')
        $stale.Count | Should -Be 1
        $stale[0].plan | Should -Be 'watched'
    }
}

Describe 'Cancellation' {
    It 'stops a running backup, records it Cancelled, refuses a second run meanwhile, and the next run completes and reuses the data' {
        $big = New-TestBucketName 'big'
        $s3.CreateBucket($big)
        $s3.Seed($big, 1500, 12, 12MB, 5, '', 16)
        New-BackupPlan -Name big -SourceBucket $big -Endpoint $endpoint -ForcePathStyle -Vault main -Credential $cred | Out-Null
        $runspace = [powershell]::Create()
        $null = $runspace.AddScript("`$env:OSSBACKUP_HOME = '$testHome'; Import-Module '$(Get-BuiltModulePath)'; Start-OssBackup -Plan big")
        $async = $runspace.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Get-BackupJob -Plan big -Last 1).Status -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Milliseconds 1500
        { Start-OssBackup -Plan big -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.PlanBusy,*'
        $stopwatch = [Diagnostics.Stopwatch]::StartNew()
        $runspace.Stop()
        $stopwatch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $runspace.Dispose()
        $cancelled = Get-BackupJob -Plan big | Where-Object Status -ne 'Completed' | Select-Object -First 1
        $cancelled.Status | Should -Be 'Cancelled'
        @(Get-BackupHistory -Plan big).Count | Should -Be 0

        $second = Start-OssBackup -Plan big
        $second.Status | Should -Be 'Completed'
        $total = ($s3.Snapshot($big) | Measure-Object Size -Sum).Sum
        $second.WrittenBytes | Should -BeLessThan ($total * 0.9) -Because 'what the cancelled run wrote was indexed and is reused'
        $target = New-TestBucketName 'afterstop'
        $s3.CreateBucket($target)
        (Restore-OssObject -BackupPoint $second.BackupPointId -TargetBucket $target -Confirm:$false).Status | Should -Be 'Completed'
        Compare-Object @($s3.Snapshot($big)) @($s3.Snapshot($target)) -Property Key, Sha256 | Should -BeNullOrEmpty
    }
}
