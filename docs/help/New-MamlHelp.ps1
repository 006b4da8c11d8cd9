#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the MAML help file of the OssBackup cmdlets from the help sources in docs/help.
.DESCRIPTION
    Each exported cmdlet has a source file <Verb-Noun>.psd1 in -SourceFolder with its synopsis, description,
    parameter descriptions, examples, inputs, outputs, notes and related links (see any of them for the keys).

    What the help says about the shape of each cmdlet (parameter sets, types, mandatory, position, pipeline
    input, wildcards, enum values, default values) is not written by hand: it is read from the built module.
    The module is imported in a separate pwsh process, exactly as a user imports it, so this script can run in
    a session (such as build.ps1) that must not load the module's assemblies itself.

    The result is a MAML file (<helpItems schema="maml">) that Get-Help reads for binary cmdlets. The output
    is deterministic: the same sources and module give the same bytes.

    Gaps in the sources (a cmdlet without a source file, a parameter without a description, fewer than two
    examples, a key the script does not know) are reported as warnings, or as an error with -Strict.
.EXAMPLE
    ./docs/help/New-MamlHelp.ps1 -SourceFolder docs/help -OutputFile module/en-US/OssBackup.Commands.dll-Help.xml
.EXAMPLE
    ./docs/help/New-MamlHelp.ps1 -SourceFolder docs/help -OutputFile out/OssBackup/en-US/OssBackup.Commands.dll-Help.xml -Strict
#>
[CmdletBinding()]
param(
    # The folder holding one <Verb-Noun>.psd1 help source per cmdlet.
    [Parameter(Mandatory)]
    [string] $SourceFolder,

    # The MAML file to write, normally <module>/en-US/OssBackup.Commands.dll-Help.xml.
    [Parameter(Mandatory)]
    [string] $OutputFile,

    # The manifest of the built module to read the cmdlets' metadata from.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/OssBackup/OssBackup.psd1'),

    # Fail instead of warning when the sources are incomplete or do not match the cmdlets.
    [switch] $Strict
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$SourceFolder = (Resolve-Path -LiteralPath $SourceFolder).ProviderPath
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$OutputFile = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($OutputFile)

$knownKeys = 'Synopsis', 'Description', 'Parameters', 'Inputs', 'Outputs', 'Examples', 'Notes', 'RelatedLinks'
$standardParameterHelp = @{
    WhatIf  = 'Shows what the cmdlet would do, without doing it.'
    Confirm = 'Asks for confirmation before the cmdlet does anything.'
}

#region Metadata from the built module, read in a fresh pwsh
function Get-PwshInvocation {
    # Under "dotnet pwsh" (a local tool) the process is dotnet itself, which needs pwsh.dll as its first argument.
    $exe = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @($exe, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($exe)
}

$extractMetadata = {
    param([string] $ModulePath, [string] $OutFile)
    $ErrorActionPreference = 'Stop'
    $module = Import-Module $ModulePath -PassThru
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $result = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
        $type = $command.ImplementingType
        $instance = try { [Activator]::CreateInstance($type) } catch { $null }
        $sets = @($command.ParameterSets | Sort-Object @{ e = { -not $_.IsDefault } }, Name)
        $parameters = [ordered]@{}
        $setInfo = foreach ($set in $sets) {
            $names = foreach ($p in $set.Parameters) {
                if ($p.Name -in $common) { continue }
                if (-not $parameters.Contains($p.Name)) {
                    $parameterType = $p.ParameterType
                    $element = if ($parameterType.IsArray) { $parameterType.GetElementType() } else { $parameterType }
                    $element = [Nullable]::GetUnderlyingType($element) ?? $element
                    $shortName = $element.Name + $(if ($parameterType.IsArray) { '[]' } else { '' })
                    $fullName = $element.FullName + $(if ($parameterType.IsArray) { '[]' } else { '' })
                    $attributes = $command.Parameters[$p.Name].Attributes
                    $values = @()
                    if ($element.IsEnum) { $values = [Enum]::GetNames($element) }
                    $validateSet = $attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
                    if ($validateSet) { $values = @($validateSet.ValidValues) }
                    $default = 'None'
                    if ($element -eq [System.Management.Automation.SwitchParameter]) { $default = 'False' }
                    $property = $type.GetProperty($p.Name)
                    if ($instance -and $property) {
                        $value = $property.GetValue($instance)
                        if ($value -is [System.Management.Automation.SwitchParameter]) { $default = [string]$value.IsPresent }
                        elseif ($value -is [Array]) { if ($value.Length -gt 0) { $default = ($value -join ', ') } }
                        elseif ($null -ne $value -and "$value" -ne '') { $default = [string]$value }
                    }
                    $parameters[$p.Name] = [ordered]@{
                        Name      = $p.Name
                        Type      = $shortName
                        FullType  = $fullName
                        IsSwitch  = $element -eq [System.Management.Automation.SwitchParameter]
                        IsArray   = $parameterType.IsArray
                        Globbing  = [bool]($attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                        Aliases   = @($command.Parameters[$p.Name].Aliases)
                        Values    = @($values)
                        Default   = $default
                        InSets    = @()
                    }
                }
                $parameters[$p.Name].InSets += , [ordered]@{
                    Set                 = $set.Name
                    Mandatory           = $p.IsMandatory
                    Position            = $p.Position
                    ByValue             = $p.ValueFromPipeline
                    ByPropertyName      = $p.ValueFromPipelineByPropertyName
                }
                $p.Name
            }
            [ordered]@{ Name = $set.Name; IsDefault = $set.IsDefault; Parameters = @($names) }
        }
        if ($instance -is [IDisposable]) { $instance.Dispose() }
        # The PARAMETERS section follows the order the properties are declared in; WhatIf and Confirm come last.
        $declared = @($type.GetProperties().Name)
        $ordered = $parameters.Values | Sort-Object -Stable { $i = $declared.IndexOf($_.Name); if ($i -lt 0) { [int]::MaxValue } else { $i } }
        [ordered]@{
            Name          = $command.Name
            Verb          = $command.Verb
            Noun          = $command.Noun
            OutputTypes   = @($command.OutputType | ForEach-Object Name)
            ParameterSets = @($setInfo)
            Parameters    = @($ordered)
        }
    }
    ConvertTo-Json -InputObject @($result) -Depth 10 | Set-Content -LiteralPath $OutFile -Encoding utf8NoBOM
}

function Get-CmdletMetadata([string] $ModulePath) {
    $json = [IO.Path]::GetTempFileName()
    try {
        $script = "& { $extractMetadata } '$($ModulePath -replace "'", "''")' '$($json -replace "'", "''")'"
        $pwsh = @(Get-PwshInvocation)
        $pwshArguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)
        & $pwsh[0] @pwshArguments
        if ($LASTEXITCODE -ne 0) { throw "Reading the cmdlets of $ModulePath failed (pwsh exit code $LASTEXITCODE)." }
        return @(Get-Content -LiteralPath $json -Raw | ConvertFrom-Json -AsHashtable)
    }
    finally {
        Remove-Item -LiteralPath $json -ErrorAction SilentlyContinue
    }
}
#endregion

#region Sources
$problems = [Collections.Generic.List[string]]::new()
function Add-Problem([string] $Message) { $problems.Add($Message) }

function ConvertTo-Text($Value) {
    if ($null -eq $Value) { return '' }
    return (($Value -join "`n") -replace "`r`n", "`n").Trim()
}

function Import-HelpSource($Command) {
    $path = Join-Path $SourceFolder "$($Command.Name).psd1"
    if (-not (Test-Path -LiteralPath $path)) {
        Add-Problem "$($Command.Name): no help source $path."
        return @{}
    }
    $source = Import-PowerShellDataFile -LiteralPath $path
    foreach ($key in $source.Keys) {
        if ($key -notin $knownKeys) { Add-Problem "$($Command.Name): unknown key '$key' in $path (known: $($knownKeys -join ', '))." }
    }
    foreach ($key in 'Synopsis', 'Description') {
        if (-not (ConvertTo-Text $source[$key])) { Add-Problem "$($Command.Name): no $key." }
    }
    $parameterHelp = if ($source['Parameters']) { $source['Parameters'] } else { @{} }
    foreach ($parameter in $Command.Parameters) {
        if (-not (ConvertTo-Text $parameterHelp[$parameter.Name]) -and -not $standardParameterHelp.ContainsKey($parameter.Name)) {
            Add-Problem "$($Command.Name): parameter -$($parameter.Name) has no description."
        }
    }
    foreach ($name in $parameterHelp.Keys) {
        if ($name -notin $Command.Parameters.Name) { Add-Problem "$($Command.Name): describes -$name, which the cmdlet does not have." }
    }
    $examples = @($source['Examples'] | Where-Object { $_ })
    if ($examples.Count -lt 2) { Add-Problem "$($Command.Name): $($examples.Count) example(s); at least 2 are needed." }
    for ($i = 0; $i -lt $examples.Count; $i++) {
        foreach ($key in 'Title', 'Code', 'Remarks') {
            if (-not ($examples[$i] -is [hashtable] -and (ConvertTo-Text $examples[$i][$key]))) { Add-Problem "$($Command.Name): example $($i + 1) has no $key." }
        }
    }
    $pipelineBound = @($Command.Parameters | Where-Object { $_.InSets | Where-Object { $_.ByValue -or $_.ByPropertyName } })
    if ($pipelineBound -and -not $source['Inputs']) { Add-Problem "$($Command.Name): takes pipeline input (-$($pipelineBound[0].Name)) but lists no Inputs." }
    if (-not $pipelineBound -and $source['Inputs']) { Add-Problem "$($Command.Name): lists Inputs but takes no pipeline input." }
    foreach ($type in $Command.OutputTypes) {
        if ($type -notin @($source['Outputs'] | ForEach-Object { $_['Type'] })) { Add-Problem "$($Command.Name): declares output type $type, which Outputs does not describe." }
    }
    return $source
}
#endregion

#region MAML
$ns = @{
    msh     = 'http://msh'
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

# Paragraphs are separated by blank lines. Inside a paragraph, hard-wrapped lines are joined, except list
# items ("- ", "* ", "1. ") and indented lines, which keep their own line.
function Split-Paragraph([string] $Text) {
    $text = ConvertTo-Text $Text
    if (-not $text) { return @() }
    $listItem = '^\s*([-*]|\d+\.)\s'
    foreach ($block in $text -split "\n[ \t]*\n") {
        $lines = [Collections.Generic.List[string]]::new()
        foreach ($line in $block -split "\n") {
            $newLine = $lines.Count -eq 0 -or $line -match $listItem -or ($line -match '^\s{2,}\S' -and $lines[-1] -notmatch $listItem)
            if ($newLine) { $lines.Add($line.TrimEnd()) }
            else { $lines[-1] = $lines[-1].TrimEnd() + ' ' + $line.Trim() }
        }
        $lines -join "`n"
    }
}

function Write-Paragraphs($Writer, [string] $Text) {
    foreach ($paragraph in Split-Paragraph $Text) {
        $Writer.WriteElementString('maml', 'para', $ns.maml, $paragraph)
    }
}

function Write-Description($Writer, [string] $Text) {
    $Writer.WriteStartElement('maml', 'description', $ns.maml)
    Write-Paragraphs $Writer $Text
    $Writer.WriteEndElement()
}

function Write-Type($Writer, [string] $Name) {
    $Writer.WriteStartElement('dev', 'type', $ns.dev)
    $Writer.WriteElementString('maml', 'name', $ns.maml, $Name)
    $Writer.WriteElementString('maml', 'uri', $ns.maml, '')
    $Writer.WriteEndElement()
}

function Get-PipelineInput($Usages) {
    $kinds = @()
    if ($Usages | Where-Object ByValue) { $kinds += 'ByValue' }
    if ($Usages | Where-Object ByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Get-PositionText([int] $Position) {
    if ($Position -lt 0) { 'named' } else { [string]$Position }
}

function Write-ParameterElement($Writer, $Parameter, $Usages, [string] $Description, [switch] $InSyntax) {
    $Writer.WriteStartElement('command', 'parameter', $ns.command)
    $required = @($Usages | Where-Object { -not $_.Mandatory }).Count -eq 0
    $positioned = @($Usages | Where-Object { $_.Position -ge 0 }) | Select-Object -First 1
    $Writer.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ([bool]$Parameter.IsArray).ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', ([bool]$Parameter.Globbing).ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $Usages))
    $Writer.WriteAttributeString('position', (Get-PositionText $(if ($positioned) { $positioned.Position } else { -1 })))
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $ns.maml, $Parameter.Name)
    if (-not $InSyntax) { Write-Description $Writer $Description }
    if ($InSyntax -and $Parameter.Values) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($value in $Parameter.Values) {
            $Writer.WriteStartElement('command', 'parameterValue', $ns.command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    elseif (-not ($InSyntax -and $Parameter.IsSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $Writer.WriteAttributeString('required', (-not $Parameter.IsSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', ([bool]$Parameter.IsArray).ToString().ToLowerInvariant())
        $Writer.WriteString($Parameter.Type)
        $Writer.WriteEndElement()
    }
    Write-Type $Writer $Parameter.FullType
    $Writer.WriteElementString('dev', 'defaultValue', $ns.dev, $Parameter.Default)
    $Writer.WriteEndElement()
}

function Write-Command($Writer, $Command, $Source) {
    $parameterHelp = if ($Source['Parameters']) { $Source['Parameters'] } else { @{} }
    $byName = @{}
    foreach ($p in $Command.Parameters) { $byName[$p.Name] = $p }

    $Writer.WriteStartElement('command', 'command', $ns.command)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $ns.command)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $ns.MSHelp)

    $Writer.WriteStartElement('command', 'details', $ns.command)
    $Writer.WriteElementString('command', 'name', $ns.command, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $ns.command, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $ns.command, $Command.Noun)
    Write-Description $Writer $Source['Synopsis']
    $Writer.WriteEndElement()

    Write-Description $Writer $Source['Description']

    # One syntax item per parameter set, the default set first; positional parameters first, by position.
    $Writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $Command.ParameterSets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $Writer.WriteElementString('maml', 'name', $ns.maml, $Command.Name)
        $entries = foreach ($name in $set.Parameters) {
            $usage = $byName[$name].InSets | Where-Object Set -eq $set.Name
            [pscustomobject]@{ Name = $name; Usage = $usage; Order = $(if ($usage.Position -ge 0) { $usage.Position } else { [int]::MaxValue }) }
        }
        foreach ($entry in $entries | Sort-Object Order -Stable) {
            Write-ParameterElement $Writer $byName[$entry.Name] @($entry.Usage) '' -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($parameter in $Command.Parameters) {
        $description = ConvertTo-Text $parameterHelp[$parameter.Name]
        if (-not $description) { $description = $standardParameterHelp[$parameter.Name] }
        Write-ParameterElement $Writer $parameter @($parameter.InSets) $description
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'inputTypes', $ns.command)
    $inputs = @($Source['Inputs'] | Where-Object { $_ })
    if (-not $inputs) { $inputs = @(@{ Type = 'None'; Description = 'This cmdlet does not take pipeline input.' }) }
    foreach ($item in $inputs) {
        $Writer.WriteStartElement('command', 'inputType', $ns.command)
        Write-Type $Writer $item['Type']
        Write-Description $Writer $item['Description']
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($item in @($Source['Outputs'] | Where-Object { $_ })) {
        $Writer.WriteStartElement('command', 'returnValue', $ns.command)
        Write-Type $Writer $item['Type']
        Write-Description $Writer $item['Description']
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('maml', 'alertSet', $ns.maml)
    $Writer.WriteStartElement('maml', 'alert', $ns.maml)
    Write-Paragraphs $Writer $Source['Notes']
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $ns.command)
    $number = 0
    foreach ($example in @($Source['Examples'] | Where-Object { $_ })) {
        $number++
        $Writer.WriteStartElement('command', 'example', $ns.command)
        $Writer.WriteElementString('maml', 'title', $ns.maml, "---------- Example $($number): $(ConvertTo-Text $example['Title']) ----------")
        $Writer.WriteElementString('dev', 'code', $ns.dev, (ConvertTo-Text $example['Code']))
        $Writer.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Paragraphs $Writer $example['Remarks']
        # An empty paragraph: Get-Help then leaves a blank line before the next example.
        $Writer.WriteElementString('maml', 'para', $ns.maml, '')
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in @($Source['RelatedLinks'] | Where-Object { $_ })) {
        $text, $uri = if ($link -is [hashtable]) { $link['Text'], $link['Uri'] } else { [string]$link, '' }
        $Writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $Writer.WriteElementString('maml', 'linkText', $ns.maml, $text)
        $Writer.WriteElementString('maml', 'uri', $ns.maml, [string]$uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}
#endregion

$commands = Get-CmdletMetadata $ModulePath
if (-not $commands) { throw "$ModulePath exports no cmdlets." }
$sources = [ordered]@{}
foreach ($command in $commands) { $sources[$command.Name] = Import-HelpSource $command }
foreach ($file in Get-ChildItem -LiteralPath $SourceFolder -Filter '*-*.psd1') {
    if ($file.BaseName -notin $commands.Name) { Add-Problem "$($file.Name): no exported cmdlet $($file.BaseName)." }
}
if ($problems.Count -gt 0) {
    $report = "Help sources in $SourceFolder are incomplete:`n  " + ($problems -join "`n  ")
    if ($Strict) { throw $report }
    Write-Warning $report
}

$settings = [Xml.XmlWriterSettings]@{
    Indent          = $true
    IndentChars     = '  '
    NewLineChars    = "`n"
    NewLineHandling = [Xml.NewLineHandling]::Replace
    Encoding        = [Text.UTF8Encoding]::new($false)
}
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $OutputFile) | Out-Null
$stream = [IO.MemoryStream]::new()
$writer = [Xml.XmlWriter]::Create($stream, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', $ns.msh)
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) { Write-Command $writer $command $sources[$command.Name] }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
$bytes = $stream.ToArray() + [byte[]][char[]]"`n"
[IO.File]::WriteAllBytes($OutputFile, $bytes)

# Read it back the way Get-Help does, so a malformed file fails here rather than in a user's session.
$check = [xml][IO.File]::ReadAllText($OutputFile)
$written = @($check.helpItems.ChildNodes | Where-Object LocalName -eq 'command').Count
if ($written -ne $commands.Count) { throw "$OutputFile holds $written commands instead of $($commands.Count)." }
Write-Host "Help for $written cmdlets written to $OutputFile"
