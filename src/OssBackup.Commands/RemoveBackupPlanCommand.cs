using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>Removes a plan; its backup points and vault data stay browsable and restorable.</summary>
[Cmdlet(VerbsCommon.Remove, "BackupPlan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveBackupPlanCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    protected override void ProcessRecord()
    {
        try
        {
            var name = ArgumentResolver.PlanName(Plan);
            if (ShouldProcess(name, "Remove backup plan (its backup points are kept)"))
            {
                Service.Catalog.RemovePlan(name);
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Plan));
        }
    }
}
