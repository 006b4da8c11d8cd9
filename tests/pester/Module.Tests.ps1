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

    It 'has help for every cmdlet: a synopsis, a description, 2+ examples and every parameter described' {
        Import-Module $ModulePath
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $text = { param($node) (@($node | ForEach-Object { $_.Text }) -join "`n").Trim() }
        $problems = foreach ($command in Get-Command -Module OssBackup -CommandType Cmdlet) {
            $help = Get-Help $command.Name -Full
            # Without a help file, Get-Help makes the synopsis up from the syntax and has no description.
            $synopsis = "$($help.Synopsis)".Trim()
            if (-not $synopsis -or $synopsis -like "$($command.Name) *") { "$($command.Name): no synopsis" }
            if (-not (& $text $help.description)) { "$($command.Name): no description" }
            $examples = @($help.examples | ForEach-Object { $_.example } | Where-Object { $_ })
            if ($examples.Count -lt 2) { "$($command.Name): $($examples.Count) example(s), at least 2 wanted" }
            foreach ($example in $examples) {
                if (-not "$($example.code)".Trim() -or -not (& $text $example.remarks)) { "$($command.Name): example '$($example.title)' has no code or no remarks" }
            }
            $documented = @($help.parameters | ForEach-Object { $_.parameter } | Where-Object { $_ })
            foreach ($name in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
                $parameter = $documented | Where-Object name -eq $name
                if (-not $parameter -or -not (& $text $parameter.description)) { "$($command.Name): -$name has no description" }
            }
        }
        $problems | Should -BeNullOrEmpty -Because 'docs/help/<Verb-Noun>.psd1 must cover every cmdlet and parameter (rebuild to regenerate the MAML)'
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
