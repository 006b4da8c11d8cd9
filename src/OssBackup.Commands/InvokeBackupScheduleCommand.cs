using System.Management.Automation;
using OssBackup.Engine.Operations;

namespace OssBackup.Commands;

/// <summary>Runs every plan (and restore drill) that is due; safe to call every minute from cron, a systemd timer or Task Scheduler.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "BackupSchedule", SupportsShouldProcess = true)]
[OutputType(typeof(BackupJob), typeof(BackupTestResult))]
public sealed class InvokeBackupScheduleCommand : OssBackupCmdlet
{
    /// <summary>The time to evaluate the schedule at (default: now); for testing and catching up.</summary>
    [Parameter]
    public DateTimeOffset? Now { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void EndProcessing()
    {
        if (!ShouldProcess("due backup plans", "Run"))
        {
            return;
        }
        var now = Now ?? DateTimeOffset.UtcNow;
        var runs = RunEngine("Running due backup plans", (observer, token) => Service.RunScheduleAsync(now, ToS3Credentials(Credential), observer, token));
        foreach (var run in runs)
        {
            if (run.Drill is { } drill)
            {
                // As Test-OssBackup: a drill that did not pass is an error and still a result, so its history shows in the output.
                if (run.Error is not null)
                {
                    WriteError(ToErrorRecord(run.Error, drill));
                }
                else if (!drill.Passed)
                {
                    WriteError(DrillFailedRecord(drill));
                }
                WriteObject(drill);
            }
            else if (run.Error is not null)
            {
                WriteError(ToErrorRecord(run.Error, (object?)run.Job ?? run.Plan));
            }
            else
            {
                WriteObject(run.Job);
            }
        }
    }
}
