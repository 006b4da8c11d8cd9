# Loads the cmdlets into the module's own AssemblyLoadContext (see docs/architecture.md, "Module loading"):
# only OssBackup.dll (the context and the public output types) lives in PowerShell's default context.
$bin = Join-Path $PSScriptRoot 'bin'
if (-not ('OssBackup.ModuleLoadContext' -as [type])) {
    Add-Type -Path (Join-Path $bin 'OssBackup.dll')
}
$commands = [OssBackup.ModuleLoadContext]::LoadCommandAssembly((Join-Path $bin 'OssBackup.Commands.dll'))
Import-Module -Assembly $commands -Force
Export-ModuleMember -Cmdlet *
