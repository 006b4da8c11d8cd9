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
    public string[]? Prefix { get; set; }

    /// <summary>Regexes a key must match (any of them) to be restored.</summary>
    [Parameter(ParameterSetName = "Point")]
    public string[]? Include { get; set; }

    /// <summary>Regexes that exclude a key, even one that matches -Include.</summary>
    [Parameter(ParameterSetName = "Point")]
    public string[]? Exclude { get; set; }

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

    /// <summary>The storage class to write; by default each object's class as backed up. BucketDefault: the target bucket's default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(StorageClassCompleter))]
    [ValidateNotNullOrEmpty]
    public string? StorageClass { get; set; }

    /// <summary>Also deletes the target's objects within the selection that the point does not hold.</summary>
    [Parameter]
    public SwitchParameter Rollback { get; set; }

    /// <summary>How many objects are restored at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int? Parallelism { get; set; }

    /// <summary>Skips the confirmation asked before writing over the source objects or deleting with -Rollback.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

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
        if (TargetBucket is not null && TargetPath is not null)
        {
            Fail(new ArgumentException("Give -TargetBucket (restore to a bucket) or -TargetPath (restore to a local folder), not both. Give neither to restore to the bucket the point was taken from."), TargetBucket);
            return;
        }
        if (TargetPath is not null && (Rollback || StorageClass is not null || Endpoint is not null))
        {
            Fail(new ArgumentException("-Rollback, -StorageClass and -Endpoint apply to bucket targets, not to -TargetPath. Restore into an empty folder instead of rolling one back."), TargetPath);
            return;
        }
        if (Rollback && ParameterSetName == "Objects")
        {
            Fail(new ArgumentException("-Rollback needs a point and a selection (-Prefix, -Key, -Include, -Exclude), not objects from the pipeline: it deletes what the selection does not hold."), null);
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
            RestoreSelection selection;
            try
            {
                id = ArgumentResolver.BackupPointId(BackupPoint);
                selection = new RestoreSelection(Prefix, Key, Include: Include, Exclude: Exclude);
                _ = selection.Compile();
            }
            catch (ArgumentException e)
            {
                Fail(e, BackupPoint);
                return;
            }
            var what = Key is { Length: > 0 } ? string.Join(", ", Key) : Prefix is { Length: > 0 } ? $"prefix {string.Join(", ", Prefix.Select(p => $"'{p}'"))}" : "all objects";
            if (Include is { Length: > 0 } || Exclude is { Length: > 0 })
            {
                what += " (filtered)";
            }
            work.Add((id, selection, $"{what} of point {id}"));
        }

        foreach (var (pointId, selection, what) in work)
        {
            var request = new BucketRestoreRequest(TargetBucket, TargetPrefix, Endpoint, ToS3Credentials(Credential), Conflict, StorageClass, Rollback, Parallelism);
            string target;
            bool writesOverSource;
            try
            {
                var point = Service.Catalog.GetBackupPoint(pointId);
                target = targetPath ?? $"{TargetBucket ?? point.SourceBucket}/{TargetPrefix ?? (TargetBucket is null ? point.SourcePrefix : "")}";
                writesOverSource = targetPath is null && Service.WritesOverSource(pointId, request);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                Fail(e, pointId);
                return;
            }
            var action = $"Restore {what} (conflicts: {Conflict}{(writesOverSource ? "; writes over the objects the point was taken from" : "")})";
            if (Rollback)
            {
                action += " and delete the target's objects within the selection that the point does not hold";
            }
            if (!(Rollback || writesOverSource ? ConfirmHighImpact(target, action, Force) : ShouldProcess(target, action)))
            {
                if (Rollback && IsWhatIf)
                {
                    ListRollbackDeletions(pointId, selection, request);
                }
                continue;
            }
            try
            {
                var job = RunEngine($"Restoring point {pointId}", (observer, token) => targetPath is not null
                    ? Service.RestoreToFolderAsync(pointId, selection, targetPath, TargetPrefix, Conflict, Parallelism, observer, token)
                    : Service.RestoreAsync(pointId, selection, request, observer, token));
                if (job.Status == JobStatus.Failed && job.Message is not null)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(job.Message), "RestoreFailed", ErrorCategory.OperationStopped, job));
                }
                else if (job.Message is not null)
                {
                    WriteWarning(job.Message);
                }
                WriteObject(job);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                Fail(e, pointId);
            }
        }
    }

    /// <summary>Under -WhatIf, names each object a -Rollback would delete.</summary>
    private void ListRollbackDeletions(string pointId, RestoreSelection selection, BucketRestoreRequest request)
    {
        var keys = RunEngine("Finding objects not in the point", async (_, token) =>
        {
            var found = new List<string>();
            await foreach (var key in Service.PreviewRollbackAsync(pointId, selection, request, token))
            {
                found.Add(key);
            }
            return found;
        });
        var bucket = request.TargetBucket ?? Service.Catalog.GetBackupPoint(pointId).SourceBucket;
        foreach (var key in keys)
        {
            ShouldProcess($"{bucket}/{key}", $"Delete (not in point {pointId})");
        }
    }
}
