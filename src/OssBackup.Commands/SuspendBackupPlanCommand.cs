using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsLifecycle.Suspend, "BackupPlan", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPlan))]
public sealed class SuspendBackupPlanCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    protected override void ProcessRecord() => SetSuspended(this, Plan, suspended: true);

    internal static void SetSuspended(OssBackupCmdlet cmdlet, object planArgument, bool suspended)
    {
        try
        {
            var name = ArgumentResolver.PlanName(planArgument);
            if (cmdlet.ShouldProcess(name, suspended ? "Suspend the plan's schedule" : "Resume the plan's schedule"))
            {
                cmdlet.WriteObject(cmdlet.ServiceForCommands.SetSuspended(name, suspended));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            cmdlet.WriteError(ToErrorRecord(e, planArgument));
        }
    }
}

[Cmdlet(VerbsLifecycle.Resume, "BackupPlan", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPlan))]
public sealed class ResumeBackupPlanCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    protected override void ProcessRecord() => SuspendBackupPlanCommand.SetSuspended(this, Plan, suspended: false);
}
