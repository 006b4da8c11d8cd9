using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupVault")]
[OutputType(typeof(BackupVault))]
public sealed class GetBackupVaultCommand : OssBackupCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        var pattern = new WildcardPattern(Name ?? "*", WildcardOptions.IgnoreCase);
        var found = Service.Catalog.GetVaults().Where(v => pattern.IsMatch(v.Name)).ToList();
        if (found.Count == 0 && Name is not null && !WildcardPattern.ContainsWildcardCharacters(Name))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No vault named '{Name}'."), "OssBackup.NotFound", ErrorCategory.ObjectNotFound, Name));
        }
        WriteObject(found, enumerateCollection: true);
    }
}
