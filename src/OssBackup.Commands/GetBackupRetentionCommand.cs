using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>Previews a plan's retention policy: each point with Keep or Remove and the reasons.</summary>
[Cmdlet(VerbsCommon.Get, "BackupRetention")]
[OutputType(typeof(BackupRetentionDecision))]
public sealed class GetBackupRetentionCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    /// <summary>The time to evaluate the policy at (default: now).</summary>
    [Parameter]
    public DateTimeOffset? Now { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(Service.PreviewRetention(ArgumentResolver.PlanName(Plan), Now ?? DateTimeOffset.UtcNow), enumerateCollection: true);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Plan));
        }
    }
}
