using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.New, "BackupPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPolicy))]
public sealed class NewBackupPolicyCommand : PolicyCmdletBase
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Vault { get; set; } = "";

    /// <summary>A TimeSpan such as '01:00:00', or a number of days.</summary>
    [Parameter(Mandatory = true)]
    [DaysToTimeSpan]
    public TimeSpan Interval { get; set; }

    protected override void EndProcessing()
    {
        var policy = new BackupPolicy { Name = Name, Vault = Vault, Interval = Interval, StartTime = DateTimeOffset.UtcNow };
        ApplyBoundParameters(policy);
        if (!ShouldProcess(Name, $"Create backup policy (every {Interval} into vault '{Vault}')"))
        {
            return;
        }
        try
        {
            WriteObject(Service.NewPolicy(policy));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, Name);
        }
    }
}
