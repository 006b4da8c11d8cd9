using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "RestoreJob")]
[OutputType(typeof(RestoreJob))]
public sealed class GetRestoreJobCommand : OssBackupCmdlet
{
    [Parameter(Position = 0)]
    public long? Id { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    protected override void EndProcessing() => WriteObject(Service.Catalog.GetRestoreJobs(Id, Last), enumerateCollection: true);
}
