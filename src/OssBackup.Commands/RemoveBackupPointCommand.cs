using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>Deletes backup points and the data only they needed; later points stay whole.</summary>
[Cmdlet(VerbsCommon.Remove, "BackupPoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BackupPointRemoval))]
public sealed class RemoveBackupPointCommand : OssBackupCmdlet
{
    private readonly List<string> _ids = [];

    /// <summary>Point ids or BackupPoints (also from the pipeline, e.g. from Get-BackupHistory).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object[] BackupPoint { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var point in BackupPoint)
        {
            try
            {
                var id = ArgumentResolver.BackupPointId(point);
                if (ShouldProcess(id, "Delete backup point and the data no other point needs"))
                {
                    _ids.Add(id);
                }
            }
            catch (ArgumentException e)
            {
                WriteError(ToErrorRecord(e, point));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_ids.Count == 0)
        {
            return;
        }
        try
        {
            var removals = RunEngine("Deleting backup points", (_, token) => Service.RemoveBackupPointsAsync(_ids, dryRun: false, token));
            WriteObject(removals, enumerateCollection: true);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, string.Join(", ", _ids));
        }
    }
}
