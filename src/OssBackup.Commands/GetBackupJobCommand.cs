using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupJob")]
[OutputType(typeof(BackupJob))]
public sealed class GetBackupJobCommand : OssBackupCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public object? Plan { get; set; }

    [Parameter]
    public long? Id { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    protected override void ProcessRecord()
    {
        var plan = Plan is null ? null : ArgumentResolver.PlanName(Plan);
        WriteObject(Service.Catalog.GetBackupJobs(plan, Id, Last), enumerateCollection: true);
    }
}
