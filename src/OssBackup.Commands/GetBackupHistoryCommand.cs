using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupHistory")]
[OutputType(typeof(BackupPoint))]
public sealed class GetBackupHistoryCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var plan = Service.Catalog.GetPlan(ArgumentResolver.PlanName(Plan));
            WriteObject(Service.Catalog.GetBackupPoints(plan.Name, last: Last), enumerateCollection: true);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Plan));
        }
    }
}
