using System.Management.Automation;
using OssBackup.Engine.Inventory;
using OssBackup.Engine.Source;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "OssInventory", DefaultParameterSetName = "Plan")]
[OutputType(typeof(BucketInventory))]
public sealed class GetOssInventoryCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Plan")]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = "Explicit")]
    [ValidateNotNullOrEmpty]
    public string InventoryBucket { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = "Explicit")]
    [ValidateNotNullOrEmpty]
    public string InventoryId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = "Explicit")]
    [ValidateNotNullOrEmpty]
    public string SourceBucket { get; set; } = "";

    [Parameter(ParameterSetName = "Explicit")]
    public string InventoryPrefix { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = "Explicit")]
    [ValidateNotNullOrEmpty]
    public string Endpoint { get; set; } = "";

    [Parameter(ParameterSetName = "Explicit")]
    public string Region { get; set; } = "";

    [Parameter(ParameterSetName = "Explicit")]
    public SwitchParameter ForcePathStyle { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Counts the rows of every usable run (reads all its data files).</summary>
    [Parameter]
    public SwitchParameter CountObjects { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var (location, connection) = ParameterSetName == "Plan"
                ? Service.InventoryOf(ArgumentResolver.PlanName(Plan), ToS3Credentials(Credential))
                : (new InventoryLocation(InventoryBucket, InventoryPrefix.Trim('/'), SourceBucket, InventoryId),
                   new S3Connection(Endpoint, Region, ForcePathStyle.IsPresent, CredentialResolver.Resolve(ToS3Credentials(Credential), null, $"inventory bucket '{InventoryBucket}'")));
            var inventories = Service.GetInventoriesAsync(location, connection, CountObjects.IsPresent, CancelToken).GetAsyncEnumerator(CancelToken);
            try
            {
                var found = 0;
                while (inventories.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    WriteObject(inventories.Current);
                    found++;
                }
                if (found == 0)
                {
                    WriteWarning($"No inventory list is available under {location}.");
                }
            }
            finally
            {
                inventories.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, ParameterSetName == "Plan" ? Plan : InventoryBucket));
        }
    }
}
