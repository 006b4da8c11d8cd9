# Loads the cmdlets into the module's own AssemblyLoadContext (see docs/architecture.md, "Module loading"):
# only OssBackup.dll (the context and the public output types) lives in PowerShell's default context.
$bin = Join-Path $PSScriptRoot 'bin'
if (-not ('OssBackup.ModuleLoadContext' -as [type])) {
    Add-Type -Path (Join-Path $bin 'OssBackup.dll')
}
$commands = [OssBackup.ModuleLoadContext]::LoadCommandAssembly((Join-Path $bin 'OssBackup.Commands.dll'))
$inner = Import-Module -Assembly $commands -Force -PassThru

# Export-ModuleMember -Cmdlet * loses the cmdlets when the module is re-imported with -Force in the same
# session (the assembly is already loaded, so the nested import adds nothing to this session state).
# Registering the nested module's cmdlets as this module's exports works on first and repeated imports.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
