using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.New, "BackupPlan", SupportsShouldProcess = true)]
[OutputType(typeof(BackupPlan))]
public sealed class NewBackupPlanCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string SourceBucket { get; set; } = "";

    [Parameter]
    public string SourcePrefix { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Endpoint { get; set; } = "";

    [Parameter]
    public string Region { get; set; } = "";

    /// <summary>Used to verify access now; never stored. Later runs use -ProfileName or the environment.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public string ProfileName { get; set; } = "";

    [Parameter]
    public SwitchParameter ForcePathStyle { get; set; }

    /// <summary>A vault for a plan run by hand; with -Policy the policy's vault is used.</summary>
    [Parameter]
    public string Vault { get; set; } = "";

    [Parameter]
    public string Policy { get; set; } = "";

    [Parameter]
    public string[] Include { get; set; } = [];

    [Parameter]
    public string[] Exclude { get; set; } = [];

    /// <summary>The bucket the inventory rule delivers to; given with -InventoryId, the plan reads inventories instead of listing the bucket.</summary>
    [Parameter]
    public string? InventoryBucket { get; set; }

    [Parameter]
    public string? InventoryId { get; set; }

    [Parameter]
    public string InventoryPrefix { get; set; } = "";

    /// <summary>A TimeSpan, or a number of days.</summary>
    [Parameter]
    [DaysToTimeSpan]
    public TimeSpan InventoryMaxAge { get; set; } = TimeSpan.FromDays(7);

    [Parameter]
    public InventoryCleanup InventoryCleanup { get; set; } = InventoryCleanup.DoNotDelete;

    protected override void EndProcessing()
    {
        if (!ShouldProcess($"{Endpoint}/{SourceBucket}/{SourcePrefix}", $"Create backup plan '{Name}'"))
        {
            return;
        }
        var plan = new BackupPlan
        {
            Name = Name,
            SourceBucket = SourceBucket,
            SourcePrefix = SourcePrefix,
            Endpoint = Endpoint,
            Region = Region,
            ProfileName = ProfileName,
            ForcePathStyle = ForcePathStyle.IsPresent,
            Vault = Vault,
            Policy = Policy,
            Include = Include,
            Exclude = Exclude,
            InventoryBucket = InventoryBucket ?? "",
            InventoryId = InventoryId ?? "",
            InventoryPrefix = InventoryPrefix.Trim('/'),
            InventoryMaxAge = InventoryMaxAge,
            InventoryCleanup = InventoryCleanup,
        };
        try
        {
            WriteObject(Service.NewPlanAsync(plan, ToS3Credentials(Credential), CancelToken).GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, Name);
        }
    }
}
