using System.Management.Automation;
using OssBackup.Engine;

namespace OssBackup.Commands;

/// <summary>The restore drill: restores a random sample of a point to scratch space, verifies every byte, cleans up, records the outcome.</summary>
[Cmdlet(VerbsDiagnostic.Test, "OssBackup", DefaultParameterSetName = "Count")]
[OutputType(typeof(BackupTestResult))]
public sealed class TestOssBackupCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    /// <summary>A point of the plan to test instead of its latest.</summary>
    [Parameter]
    public object? BackupPoint { get; set; }

    [Parameter(ParameterSetName = "Count")]
    [ValidateRange(1, 1_000_000)]
    public int SampleSize { get; set; } = 100;

    [Parameter(Mandatory = true, ParameterSetName = "Percent")]
    [ValidateRange(0.0001, 100.0)]
    public double SamplePercent { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var plan = ArgumentResolver.PlanName(Plan);
            var point = BackupPoint is null ? null : ArgumentResolver.BackupPointId(BackupPoint);
            var result = RunEngine($"Testing the backup of plan '{plan}'", (observer, token) =>
                Service.TestBackupAsync(plan, point, ParameterSetName == "Percent" ? null : SampleSize, ParameterSetName == "Percent" ? SamplePercent : null, observer, token));
            if (!result.Passed)
            {
                WriteError(DrillFailedRecord(result));
            }
            WriteObject(result);
        }
        catch (DrillFailedException e)
        {
            // Recorded as a failed drill: say why, and still return it like any other drill.
            WriteError(ToErrorRecord(e, e.Drill));
            WriteObject(e.Drill);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Plan));
        }
    }
}
