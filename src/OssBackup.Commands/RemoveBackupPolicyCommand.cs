using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Remove, "BackupPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveBackupPolicyCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, "Remove backup policy"))
        {
            return;
        }
        try
        {
            Service.Catalog.RemovePolicy(Name);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Name));
        }
    }
}
