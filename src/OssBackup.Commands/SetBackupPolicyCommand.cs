using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Set, "BackupPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPolicy))]
public sealed class SetBackupPolicyCommand : PolicyCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter]
    [DaysToTimeSpan]
    public TimeSpan Interval { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var policy = Service.Catalog.GetPolicy(Name);
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Interval)))
            {
                policy.Interval = Interval;
            }
            ApplyBoundParameters(policy);
            if (ShouldProcess(Name, "Change backup policy"))
            {
                WriteObject(Service.UpdatePolicy(policy));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Name));
        }
    }
}
