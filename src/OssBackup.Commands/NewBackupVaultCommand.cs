using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.New, "BackupVault", SupportsShouldProcess = true)]
[OutputType(typeof(BackupVault))]
public sealed class NewBackupVaultCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(path, $"Create backup vault '{Name}'"))
        {
            return;
        }
        try
        {
            WriteObject(Service.NewVaultAsync(Name, path, CancelToken).GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, Name);
        }
    }
}
