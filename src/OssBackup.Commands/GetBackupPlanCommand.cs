using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupPlan")]
[OutputType(typeof(BackupPlan))]
public sealed class GetBackupPlanCommand : OssBackupCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        var pattern = new WildcardPattern(Name ?? "*", WildcardOptions.IgnoreCase);
        var found = Service.GetPlans().Where(p => pattern.IsMatch(p.Name)).ToList();
        if (found.Count == 0 && Name is not null && !WildcardPattern.ContainsWildcardCharacters(Name))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"No backup plan named '{Name}'."), "OssBackup.NotFound", ErrorCategory.ObjectNotFound, Name));
        }
        WriteObject(found, enumerateCollection: true);
    }
}
