# Shared by every Pester file: the built module, the test S3 server, the test kit, scratch homes.
$script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RepoRoot { $script:Root }

function Get-BuiltModulePath { Join-Path $script:Root 'out/OssBackup/OssBackup.psd1' }

function Get-TestS3 {
    if (-not $env:OSSBACKUP_TEST_S3_ENDPOINT) {
        throw 'OSSBACKUP_TEST_S3_ENDPOINT is not set: run the tests with build.ps1 -Task Test, which starts the S3 server.'
    }
    if (-not ('OssBackup.TestKit.TestS3' -as [type])) {
        Add-Type -Path (Join-Path $script:Root 'out/testkit/OssBackup.TestKit.dll')
    }
    [OssBackup.TestKit.TestS3]::FromEnvironment()
}

function Get-TestCredential {
    [pscredential]::new($env:OSSBACKUP_TEST_S3_ACCESS_KEY, (ConvertTo-SecureString $env:OSSBACKUP_TEST_S3_SECRET_KEY -AsPlainText -Force))
}

function New-TestBucketName([string] $Purpose) {
    # Bucket names: lowercase, 3-63 characters, unique per run.
    ('t-{0}-{1}' -f $Purpose, [guid]::NewGuid().ToString('N').Substring(0, 10)).ToLowerInvariant()
}

# A fresh OSSBACKUP_HOME and the environment credentials a scheduled run would have.
function Enter-TestHome {
    $testHome = Join-Path ([IO.Path]::GetTempPath()) ("ossbackup-test-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $testHome | Out-Null
    $env:OSSBACKUP_HOME = $testHome
    $env:OSS_ACCESS_KEY_ID = $env:OSSBACKUP_TEST_S3_ACCESS_KEY
    $env:OSS_ACCESS_KEY_SECRET = $env:OSSBACKUP_TEST_S3_SECRET_KEY
    $testHome
}

function Exit-TestHome([string] $Path) {
    Remove-Item env:OSS_ACCESS_KEY_ID, env:OSS_ACCESS_KEY_SECRET -ErrorAction SilentlyContinue
    if ($Path -and (Test-Path $Path)) { Remove-Item $Path -Recurse -Force }
}

# Runs a script in a fresh pwsh with the test environment and returns its output objects as deserialized JSON.
# The pwsh running these tests, started anew (under `dotnet pwsh` the process itself is the dotnet host).
function Invoke-Pwsh {
    $self = (Get-Process -Id $PID).Path
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { & $self (Join-Path $PSHOME 'pwsh.dll') @args } else { & $self @args }
}

function Invoke-FreshPwsh([string] $Script) {
    $output = Invoke-Pwsh -NoProfile -NonInteractive -Command $Script 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
}

Export-ModuleMember -Function *
