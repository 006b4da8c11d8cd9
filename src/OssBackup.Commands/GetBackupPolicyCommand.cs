using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupPolicy")]
[OutputType(typeof(BackupPolicy))]
public sealed class GetBackupPolicyCommand : OssBackupCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        var pattern = new WildcardPattern(Name ?? "*", WildcardOptions.IgnoreCase);
        var found = Service.Catalog.GetPolicies().Where(p => pattern.IsMatch(p.Name)).ToList();
        if (found.Count == 0 && Name is not null && !WildcardPattern.ContainsWildcardCharacters(Name))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No backup policy named '{Name}'."), "OssBackup.NotFound", ErrorCategory.ObjectNotFound, Name));
        }
        WriteObject(found, enumerateCollection: true);
    }
}
