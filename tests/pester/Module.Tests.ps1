BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:ModulePath = Get-BuiltModulePath
}

Describe 'The built module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $manifest = Import-PowerShellDataFile $ModulePath
        $result = Invoke-FreshPwsh "Import-Module '$ModulePath'; (Get-Command -Module OssBackup).Name | Sort-Object | ConvertTo-Json"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        ($result.Output | ConvertFrom-Json) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'loads beside another version of Microsoft.Data.Sqlite already in the session and opens its catalog' {
        $otherSqlite = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/microsoft.data.sqlite.core/8.0.34/lib/net8.0/Microsoft.Data.Sqlite.dll'
        Test-Path $otherSqlite | Should -BeTrue -Because 'build.ps1 -Task Test restores it through tests/pester/PesterPackage.csproj'
        $testHome = Join-Path ([IO.Path]::GetTempPath()) ("ossbackup-alc-" + [guid]::NewGuid().ToString('N'))
        $vaultPath = Join-Path $testHome 'vault'
        $script = @"
`$ErrorActionPreference = 'Stop'
`$env:OSSBACKUP_HOME = '$testHome'
Add-Type -Path '$otherSqlite'
Import-Module '$ModulePath'
`$vault = New-BackupVault -Name isolated -Path '$vaultPath'
`$defaultContextSqlite = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Data.Sqlite' } |
    ForEach-Object { '{0}|{1}' -f `$_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name }
[pscustomobject]@{ Vault = (Get-BackupVault isolated).Name; IsShared = (`$vault -is [OssBackup.BackupVault]); Sqlite = @(`$defaultContextSqlite) } | ConvertTo-Json -Compress
"@
        try {
            $result = Invoke-FreshPwsh $script
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $facts = ($result.Output.Trim() -split "`n")[-1] | ConvertFrom-Json
            $facts.Vault | Should -Be 'isolated'
            $facts.IsShared | Should -BeTrue -Because 'output types live in the default context so users can test them with -is'
            $facts.Sqlite | Should -Contain '8.0.34.0|Default'
            ($facts.Sqlite | Where-Object { $_ -like '*|OssBackup' }) | Should -Not -BeNullOrEmpty -Because 'the module''s own SQLite loads in its own context'
            Test-Path (Join-Path $testHome 'catalog.db') | Should -BeTrue
        }
        finally {
            Remove-Item $testHome -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'ships only the files a user installs' {
        $folder = Split-Path $ModulePath
        Get-ChildItem $folder -Recurse -Filter *.pdb | Should -BeNullOrEmpty
        Test-Path (Join-Path $folder 'bin/OssBackup.Commands.deps.json') | Should -BeTrue
        Test-Path (Join-Path $folder 'bin/runtimes/linux-x64/native/libe_sqlite3.so') | Should -BeTrue
        Get-ChildItem (Join-Path $folder 'bin') -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }
}

Describe 'Importing the module again' {
    It 'keeps every cmdlet after Import-Module -Force in the same session' {
        $result = Invoke-FreshPwsh "Import-Module '$ModulePath'; Import-Module '$ModulePath' -Force; (Get-Command -Module OssBackup).Count"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        [int]($result.Output.Trim() -split "`n")[-1] | Should -Be (Import-PowerShellDataFile $ModulePath).CmdletsToExport.Count
    }
}
