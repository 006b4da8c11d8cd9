using System.Management.Automation;
using OssBackup.Engine.Operations;

namespace OssBackup.Commands;

[Cmdlet(VerbsLifecycle.Start, "OssBackup", SupportsShouldProcess = true)]
[OutputType(typeof(BackupJob))]
public sealed class StartOssBackupCommand : OssBackupCmdlet
{
    /// <summary>A plan name or a BackupPlan (also from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>How many objects are read at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int? Parallelism { get; set; }

    protected override void ProcessRecord()
    {
        string name;
        try
        {
            name = ArgumentResolver.PlanName(Plan);
        }
        catch (ArgumentException e)
        {
            WriteError(ToErrorRecord(e, Plan));
            return;
        }
        if (!ShouldProcess(name, "Back up"))
        {
            return;
        }
        try
        {
            var job = RunEngine($"Backing up plan '{name}'", (observer, token) => Service.StartBackupAsync(name, ToS3Credentials(Credential), observer, token, Parallelism));
            WriteObject(job);
        }
        catch (BackupFailedException e)
        {
            // Non-terminating, so a pipeline of plans goes on; -ErrorAction Stop makes it terminate.
            WriteError(ToErrorRecord(e, e.Job));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, name));
        }
    }
}
