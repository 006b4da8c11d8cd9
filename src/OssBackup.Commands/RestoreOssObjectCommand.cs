using System.Management.Automation;
using OssBackup.Engine.Operations;

namespace OssBackup.Commands;

[Cmdlet(VerbsData.Restore, "OssObject", SupportsShouldProcess = true, DefaultParameterSetName = "Point")]
[OutputType(typeof(RestoreJob))]
public sealed class RestoreOssObjectCommand : OssBackupCmdlet
{
    private readonly Dictionary<string, HashSet<string>> _pipedKeysByPoint = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Point")]
    [ValidateNotNull]
    public object BackupPoint { get; set; } = "";

    [Parameter(ParameterSetName = "Point")]
    [SupportsWildcards]
    public string[]? Key { get; set; }

    [Parameter(ParameterSetName = "Point")]
    public string? Prefix { get; set; }

    /// <summary>Objects from Get-BackupObject; each is restored from the point it came from.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Objects")]
    public BackupObject[] InputObject { get; set; } = [];

    [Parameter]
    public string? TargetBucket { get; set; }

    /// <summary>A local folder to restore into instead of a bucket.</summary>
    [Parameter]
    public string? TargetPath { get; set; }

    /// <summary>Replaces the plan's source prefix in every restored key.</summary>
    [Parameter]
    public string? TargetPrefix { get; set; }

    [Parameter]
    public string? Endpoint { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public ConflictAction Conflict { get; set; } = ConflictAction.Fail;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "Objects")
        {
            foreach (var obj in InputObject)
            {
                if (!_pipedKeysByPoint.TryGetValue(obj.BackupPointId, out var keys))
                {
                    _pipedKeysByPoint[obj.BackupPointId] = keys = new HashSet<string>(StringComparer.Ordinal);
                }
                keys.Add(obj.Key);
            }
        }
    }

    protected override void EndProcessing()
    {
        if (string.IsNullOrEmpty(TargetBucket) == string.IsNullOrEmpty(TargetPath))
        {
            Fail(new ArgumentException("Give exactly one of -TargetBucket (restore to a bucket) and -TargetPath (restore to a local folder)."), TargetBucket ?? TargetPath);
            return;
        }
        var targetPath = TargetPath is null ? null : GetUnresolvedProviderPathFromPSPath(TargetPath);
        var work = new List<(string PointId, RestoreSelection Selection, string What)>();
        if (ParameterSetName == "Objects")
        {
            work.AddRange(_pipedKeysByPoint.Select(p => (p.Key, new RestoreSelection(Keys: p.Value), $"{p.Value.Count} object(s) of point {p.Key}")));
        }
        else
        {
            string id;
            try
            {
                id = ArgumentResolver.BackupPointId(BackupPoint);
            }
            catch (ArgumentException e)
            {
                Fail(e, BackupPoint);
                return;
            }
            var what = Key is { Length: > 0 } ? string.Join(", ", Key) : Prefix is not null ? $"prefix '{Prefix}'" : "all objects";
            work.Add((id, new RestoreSelection(Prefix, Key), $"{what} of point {id}"));
        }

        foreach (var (pointId, selection, what) in work)
        {
            if (!ShouldProcess(targetPath ?? $"{TargetBucket}/{TargetPrefix}", $"Restore {what} (conflicts: {Conflict})"))
            {
                continue;
            }
            try
            {
                var job = RunEngine($"Restoring point {pointId}", (observer, token) => targetPath is not null
                    ? Service.RestoreToFolderAsync(pointId, selection, targetPath, TargetPrefix, Conflict, observer, token)
                    : Service.RestoreAsync(pointId, selection, TargetBucket!, TargetPrefix, Endpoint, ToS3Credentials(Credential), Conflict, observer, token));
                if (job.Status == JobStatus.Failed && job.Message is not null)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(job.Message), "RestoreFailed", ErrorCategory.OperationStopped, job));
                }
                WriteObject(job);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                Fail(e, pointId);
            }
        }
    }
}
