# Scheduled restore drills: policy settings, one drill per drill slot, history, and alerts on a damaged vault.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSession.ps1')
    $source = New-TestBucketName 'drills'
    $s3.CreateBucket($source)
    $s3.Seed($source, 40, 0, 0, 41, '', 8)
    $listener = [OssBackup.TestKit.AlertListener]::new(200)
    New-BackupVault -Name main -Path (Join-Path $testHome 'vault') | Out-Null
    # Both schedules start in the future, so -Now walks them from before their first slots.
    $start = [DateTimeOffset]::new([DateTime]::UtcNow.Date.AddDays(2), [TimeSpan]::Zero)
    $freshStart = $start.AddDays(-1)
    New-BackupPolicy -Name drilled -Vault main -Interval 1 -StartTime $start -DrillInterval '04:00:00' -DrillSampleSize 10 -AlertWebhook $listener.Url | Out-Null
    New-BackupPolicy -Name fresh -Vault main -Interval 1 -StartTime $freshStart -DrillInterval 1 -AlertWebhook $listener.Url | Out-Null
    foreach ($name in 'drilled', 'paused') {
        New-BackupPlan -Name $name -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Policy drilled -Credential $cred | Out-Null
    }
    Suspend-BackupPlan paused | Out-Null

    function Invoke-Schedule([DateTimeOffset] $Now) {
        # The errors go to the caller's $scheduleErrors; the output is split by type.
        $output = @(Invoke-BackupSchedule -Now $Now -ErrorVariable +script:scheduleErrors -ErrorAction SilentlyContinue)
        [pscustomobject]@{
            All    = $output
            Jobs   = @($output | Where-Object { $_ -is [OssBackup.BackupJob] })
            Drills = @($output | Where-Object { $_ -is [OssBackup.BackupTestResult] })
        }
    }

    function Get-AlertEvent([string] $Plan) {
        @($listener.Bodies | ConvertFrom-Json | Where-Object { $_.event -eq 'DrillFailed' -and $_.plan -eq $Plan })
    }
}

AfterAll {
    $listener.Dispose()
    Exit-TestHome $testHome
}

Describe 'Drill settings of a policy' {
    It 'round-trips the drill interval and sample, one sample setting replacing the other' {
        $policy = Get-BackupPolicy drilled
        $policy.DrillInterval | Should -Be ([TimeSpan]'04:00:00')
        $policy.DrillSampleSize | Should -Be 10
        $policy.DrillSamplePercent | Should -BeNullOrEmpty
        $percent = Set-BackupPolicy drilled -DrillSamplePercent 50
        $percent.DrillSamplePercent | Should -Be 50
        $percent.DrillSampleSize | Should -BeNullOrEmpty
        $size = Set-BackupPolicy drilled -DrillSampleSize 10
        $size.DrillSampleSize | Should -Be 10
        $size.DrillSamplePercent | Should -BeNullOrEmpty
        $size.DrillInterval | Should -Be ([TimeSpan]'04:00:00')
    }

    It 'reads a bare -DrillInterval as days and turns drills off with 0' {
        (New-BackupPolicy -Name daily-drill -Vault main -Interval 1 -DrillInterval 2 -DrillSampleSize 3).DrillInterval | Should -Be ([TimeSpan]::FromDays(2))
        $off = Set-BackupPolicy daily-drill -DrillInterval 0
        $off.DrillInterval | Should -BeNullOrEmpty
        $off.DrillSampleSize | Should -BeNullOrEmpty
        (Get-BackupPolicy daily-drill).DrillInterval | Should -BeNullOrEmpty
        Remove-BackupPolicy daily-drill -Confirm:$false
    }

    It 'refuses sample settings without drills, both samples at once, and a drill interval under a minute' {
        { New-BackupPolicy -Name bad -Vault main -Interval 1 -DrillSampleSize 5 -ErrorAction Stop } | Should -Throw -ErrorId 'OssBackup.InvalidArgument,*' -ExpectedMessage '*need -DrillInterval*'
        { New-BackupPolicy -Name bad -Vault main -Interval 1 -DrillInterval 1 -DrillSampleSize 5 -DrillSamplePercent 5 -ErrorAction Stop } | Should -Throw -ExpectedMessage '*not both*'
        { New-BackupPolicy -Name bad -Vault main -Interval 1 -DrillInterval '00:00:10' -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-DrillInterval must be at least one minute*'
        Get-BackupPolicy bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'shows when a plan''s next drill is due, and none for a suspended plan' {
        (Get-BackupPlan drilled).NextDrillTime | Should -Be $start
        (Get-BackupPlan paused).NextDrillTime | Should -BeNullOrEmpty
    }
}

Describe 'A scheduled drill of a plan without a backup point' {
    BeforeAll {
        New-BackupPlan -Name nopoint -SourceBucket $source -Endpoint $endpoint -ForcePathStyle -Policy fresh -Credential $cred | Out-Null
        # No credentials at schedule time: the backup fails before it makes a point.
        Set-BackupPlan nopoint -ProfileName 'no-such-profile' | Out-Null
        $script:scheduleErrors = @()
        $run = Invoke-Schedule $freshStart.AddMinutes(1)
    }
    AfterAll {
        Remove-BackupPlan nopoint -Confirm:$false
    }

    It 'is recorded as failed with the reason, written as an error, and alerted' {
        $run.Jobs | Should -BeNullOrEmpty
        $run.Drills.Count | Should -Be 1
        $drill = $run.Drills[0]
        $drill.Plan | Should -Be 'nopoint'
        $drill.Passed | Should -BeFalse
        $drill.Status | Should -Be 'Failed'
        $drill.Message | Should -BeLike '*no backup point to test yet*'
        @($scheduleErrors | Where-Object FullyQualifiedErrorId -like 'DrillFailed.NotFound*').Count | Should -Be 1
        (Get-BackupDrill -Plan nopoint).Id | Should -Be $drill.Id
        $events = Get-AlertEvent 'nopoint'
        $events.Count | Should -Be 1
        $events[0].drillId | Should -Be $drill.Id
        $events[0].message | Should -BeLike '*no backup point*'
    }
}

Describe 'Scheduled drills' {
    BeforeAll {
        $script:drillIds = [System.Collections.Generic.List[long]]::new()
    }

    It 'runs nothing before the first slot' {
        (Invoke-Schedule $start.AddMinutes(-1)).All.Count | Should -Be 0
    }

    It 'backs up, then drills the new point, and runs nothing for a suspended plan' {
        $run = Invoke-Schedule $start.AddMinutes(5)
        $run.All.Count | Should -Be 2
        $run.All[0] | Should -BeOfType ([OssBackup.BackupJob])
        $run.All[1] | Should -BeOfType ([OssBackup.BackupTestResult])
        $job = $run.Jobs[0]
        $drill = $run.Drills[0]
        $job.Plan | Should -Be 'drilled'
        $drill.Plan | Should -Be 'drilled'
        $drill.BackupPointId | Should -Be $job.BackupPointId
        $drill.Trigger | Should -Be 'Scheduled'
        $drill.SampledObjects | Should -Be 10
        $drill.PassedObjects | Should -Be 10
        $drill.Passed | Should -BeTrue
        Get-BackupDrill -Plan paused | Should -BeNullOrEmpty
        $drillIds.Add($drill.Id)
    }

    It 'does not drill again within the same drill slot' {
        (Invoke-Schedule $start.AddMinutes(10)).All.Count | Should -Be 0
    }

    It 'drills at the next drill slot, with no backup when none is due' {
        $run = Invoke-Schedule $start.AddHours(4).AddMinutes(1)
        $run.Jobs | Should -BeNullOrEmpty
        $run.Drills.Count | Should -Be 1
        $run.Drills[0].Passed | Should -BeTrue
        $drillIds.Add($run.Drills[0].Id)
    }

    It 'coalesces missed drill slots into one drill' {
        $run = Invoke-Schedule $start.AddHours(14)
        $run.Drills.Count | Should -Be 1
        $drillIds.Add($run.Drills[0].Id)
        (Invoke-Schedule $start.AddHours(14).AddMinutes(1)).All.Count | Should -Be 0
        (Get-BackupPlan drilled -ErrorAction Stop).NextDrillTime | Should -Be $start.AddHours(16)
    }

    It 'keeps every drill, scheduled or by hand, for Get-BackupDrill, and alerts on none that passed' {
        $manual = Test-OssBackup -Plan drilled -SampleSize 5
        $manual.Trigger | Should -Be 'Manual'
        $history = @(Get-BackupDrill -Plan drilled)
        $history | Should -BeOfType ([OssBackup.BackupTestResult])
        $history.Id | Should -Be @($drillIds + $manual.Id)
        $history.Trigger | Should -Be @('Scheduled', 'Scheduled', 'Scheduled', 'Manual')
        (Get-BackupDrill -Plan drilled -Last 1).Id | Should -Be $manual.Id
        (Get-BackupDrill -Id $drillIds[0]).SampledObjects | Should -Be 10
        Get-BackupDrill -Plan drilled -Failed | Should -BeNullOrEmpty
        Get-AlertEvent 'drilled' | Should -BeNullOrEmpty
    }
}

Describe 'A scheduled drill of a damaged vault' {
    BeforeAll {
        Set-BackupPolicy drilled -DrillSamplePercent 100 | Out-Null
        # Damage object data only: the table segments (where the snapshot says they are) stay readable.
        $point = Get-BackupHistory -Plan drilled -Last 1
        $snapshot = Get-Content -Raw (Join-Path $testHome "vault/snapshots/$($point.Id)") | ConvertFrom-Json
        $pack = Get-ChildItem (Join-Path $testHome 'vault/data') -Recurse -File | Sort-Object Length -Descending | Select-Object -First 1
        $segmentStarts = @($snapshot.table | Where-Object pack -eq $pack.Name | ForEach-Object offset)
        $end = if ($segmentStarts) { ($segmentStarts | Measure-Object -Minimum).Minimum } else { $pack.Length - 4096 }
        $bytes = [IO.File]::ReadAllBytes($pack.FullName)
        for ($i = 0; $i -lt $end; $i += 97) { $bytes[$i] = $bytes[$i] -bxor 0xFF }
        [IO.File]::WriteAllBytes($pack.FullName, $bytes)
        $script:scheduleErrors = @()
        $run = Invoke-Schedule $start.AddHours(16).AddMinutes(1)
        $drill = $run.Drills[0]
    }

    It 'fails the drill, naming the damaged keys' {
        $run.Drills.Count | Should -Be 1
        $drill.Passed | Should -BeFalse
        $drill.Status | Should -Be 'Failed'
        $drill.FailedObjects | Should -BeGreaterThan 0
        $drill.FailedKeys.Count | Should -Be $drill.FailedObjects
        $drill.BackupPointId | Should -Be $point.Id
        ($scheduleErrors | Where-Object FullyQualifiedErrorId -like 'OssBackup.DrillFailed*').TargetObject.Id | Should -Be $drill.Id
        ($scheduleErrors | Where-Object FullyQualifiedErrorId -like 'ObjectFailed.*').TargetObject | Should -Contain $drill.FailedKeys[0]
    }

    It 'keeps the failed drill with its failed keys, each readable as a job item' {
        $stored = Get-BackupDrill -Plan drilled -Failed -Last 1
        $stored.Id | Should -Be $drill.Id
        @($stored.FailedKeys | Sort-Object) | Should -Be @($drill.FailedKeys | Sort-Object)
        $items = @($stored | Get-BackupJobItem -Status Failed)
        @($items.Key | Sort-Object) | Should -Be @($drill.FailedKeys | Sort-Object)
        $items.Code | Should -Contain 'IntegrityCheckFailed'
    }

    It 'posts exactly one DrillFailed alert for it' {
        $events = Get-AlertEvent 'drilled'
        $events.Count | Should -Be 1
        $events[0].drillId | Should -Be $drill.Id
        $events[0].status | Should -Be 'Failed'
        $events[0].backupPointId | Should -Be $point.Id
        $events[0].drillCounts.failed | Should -Be $drill.FailedObjects
        $events[0].jobId | Should -BeNullOrEmpty
    }
}
