using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Set, "BackupPlan", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPlan))]
public sealed class SetBackupPlanCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    [Parameter]
    public string? SourcePrefix { get; set; }

    [Parameter]
    public string[]? Include { get; set; }

    [Parameter]
    public string[]? Exclude { get; set; }

    /// <summary>A policy name; an empty string detaches the plan from its policy (it then runs only by hand).</summary>
    [Parameter]
    public string? Policy { get; set; }

    [Parameter]
    public string? ProfileName { get; set; }

    [Parameter]
    public string? InventoryBucket { get; set; }

    [Parameter]
    public string? InventoryId { get; set; }

    [Parameter]
    public string? InventoryPrefix { get; set; }

    [Parameter]
    [DaysToTimeSpan]
    public TimeSpan InventoryMaxAge { get; set; }

    [Parameter]
    public InventoryCleanup InventoryCleanup { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var plan = Service.Catalog.GetPlan(ArgumentResolver.PlanName(Plan));
            var bound = MyInvocation.BoundParameters;
            if (SourcePrefix is not null) plan.SourcePrefix = SourcePrefix;
            if (Include is not null) plan.Include = Include;
            if (Exclude is not null) plan.Exclude = Exclude;
            if (Policy is not null) plan.Policy = Policy;
            if (ProfileName is not null) plan.ProfileName = ProfileName;
            if (InventoryBucket is not null) plan.InventoryBucket = InventoryBucket;
            if (InventoryId is not null) plan.InventoryId = InventoryId;
            if (InventoryPrefix is not null) plan.InventoryPrefix = InventoryPrefix.Trim('/');
            if (bound.ContainsKey(nameof(InventoryMaxAge))) plan.InventoryMaxAge = InventoryMaxAge;
            if (bound.ContainsKey(nameof(InventoryCleanup))) plan.InventoryCleanup = InventoryCleanup;
            if (ShouldProcess(plan.Name, "Change backup plan"))
            {
                WriteObject(Service.UpdatePlan(plan));
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, Plan));
        }
    }
}
