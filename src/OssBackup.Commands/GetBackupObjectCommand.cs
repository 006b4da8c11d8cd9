using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupObject")]
[OutputType(typeof(BackupObject))]
public sealed class GetBackupObjectCommand : OssBackupCmdlet
{
    /// <summary>A backup point id or a BackupPoint (also from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object BackupPoint { get; set; } = "";

    [Parameter]
    public string? Prefix { get; set; }

    [Parameter]
    [SupportsWildcards]
    public string? Key { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var id = ArgumentResolver.BackupPointId(BackupPoint);
            var objects = Service.GetObjectsAsync(id, Prefix, Key, CancelToken).GetAsyncEnumerator(CancelToken);
            try
            {
                // Streamed: a point of any size is browsed one table segment at a time.
                while (objects.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    WriteObject(objects.Current);
                }
            }
            finally
            {
                objects.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, BackupPoint));
        }
    }
}
