using System.Management.Automation;

namespace OssBackup.Commands;

[Cmdlet(VerbsCommon.Get, "BackupObject", DefaultParameterSetName = "Point")]
[OutputType(typeof(BackupObject))]
public sealed class GetBackupObjectCommand : OssBackupCmdlet
{
    /// <summary>A backup point id or a BackupPoint (also from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Point")]
    [ValidateNotNull]
    public object BackupPoint { get; set; } = "";

    [Parameter(ParameterSetName = "Point")]
    public string? Prefix { get; set; }

    [Parameter(ParameterSetName = "Point")]
    [Parameter(Mandatory = true, ParameterSetName = "Versions")]
    [SupportsWildcards]
    public string? Key { get; set; }

    [Parameter(ParameterSetName = "Point")]
    public string[]? Include { get; set; }

    [Parameter(ParameterSetName = "Point")]
    public string[]? Exclude { get; set; }

    /// <summary>Folds keys below the next delimiter (after -Prefix) into folder rows, like a directory listing.</summary>
    [Parameter(ParameterSetName = "Point")]
    public string? Delimiter { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Versions")]
    [ValidateNotNull]
    public object Plan { get; set; } = "";

    /// <summary>The key as it was in every point of the plan, oldest first.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Versions")]
    public SwitchParameter AllVersions { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var objects = ParameterSetName == "Versions"
                ? Service.GetVersionsAsync(ArgumentResolver.PlanName(Plan), Key!, CancelToken)
                : Service.BrowseAsync(ArgumentResolver.BackupPointId(BackupPoint), Prefix, Key, Include, Exclude, Delimiter, CancelToken);
            var enumerator = objects.GetAsyncEnumerator(CancelToken);
            try
            {
                // Streamed: a point of any size is browsed one table segment at a time.
                while (enumerator.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    WriteObject(enumerator.Current);
                }
            }
            finally
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, ParameterSetName == "Versions" ? Plan : BackupPoint));
        }
    }
}
