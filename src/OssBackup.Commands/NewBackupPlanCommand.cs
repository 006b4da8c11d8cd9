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

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Vault { get; set; } = "";

    [Parameter]
    public string[] Include { get; set; } = [];

    [Parameter]
    public string[] Exclude { get; set; } = [];

    protected override void EndProcessing()
    {
        if (!ShouldProcess($"{Endpoint}/{SourceBucket}/{SourcePrefix}", $"Create backup plan '{Name}' into vault '{Vault}'"))
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
            Include = Include,
            Exclude = Exclude,
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
