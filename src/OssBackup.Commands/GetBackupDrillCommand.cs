using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>The history of restore drills, scheduled and manual, oldest first.</summary>
[Cmdlet(VerbsCommon.Get, "BackupDrill")]
[OutputType(typeof(BackupTestResult))]
public sealed class GetBackupDrillCommand : OssBackupCmdlet
{
    /// <summary>A plan name or a BackupPlan (also from the pipeline); all plans when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public object? Plan { get; set; }

    [Parameter]
    public long? Id { get; set; }

    /// <summary>Only the N newest drills (of each plan given).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    /// <summary>Only drills that did not pass.</summary>
    [Parameter]
    public SwitchParameter Failed { get; set; }

    protected override void ProcessRecord()
    {
        string? plan;
        try
        {
            plan = Plan is null ? null : ArgumentResolver.PlanName(Plan);
        }
        catch (ArgumentException e)
        {
            WriteError(ToErrorRecord(e, Plan));
            return;
        }
        var drills = Service.Catalog.GetDrills(plan, Id, Failed ? null : Last).AsEnumerable();
        if (Failed)
        {
            // Filtered before -Last, so "-Failed -Last 1" is the newest failure, not the newest drill if it failed.
            drills = drills.Where(d => !d.Passed && d.Status != JobStatus.Running);
            if (Last is { } last)
            {
                drills = drills.TakeLast(last);
            }
        }
        WriteObject(drills, enumerateCollection: true);
    }
}
