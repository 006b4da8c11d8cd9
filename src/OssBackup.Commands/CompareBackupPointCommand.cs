using System.Management.Automation;

namespace OssBackup.Commands;

/// <summary>Streams the keys added, removed and changed between two backup points, or between a point and the live bucket.</summary>
[Cmdlet(VerbsData.Compare, "BackupPoint")]
[OutputType(typeof(BackupPointDifference))]
public sealed class CompareBackupPointCommand : OssBackupCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public object Reference { get; set; } = "";

    /// <summary>A later point (id or BackupPoint), or 'live' for the bucket as it is now.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNull]
    public object Difference { get; set; } = "";

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            var reference = ArgumentResolver.BackupPointId(Reference);
            var difference = ArgumentResolver.BackupPointId(Difference);
            var observer = new QueuedWarnings();
            var differences = Service.CompareAsync(reference, difference, ToS3Credentials(Credential), observer, CancelToken).GetAsyncEnumerator(CancelToken);
            try
            {
                // Streamed on the pipeline thread: both sides are read in key order, a segment at a time.
                while (differences.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    observer.WriteTo(this);
                    WriteObject(differences.Current);
                }
                observer.WriteTo(this);
            }
            finally
            {
                differences.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, Reference);
        }
    }

    private sealed class QueuedWarnings : Engine.Operations.IOperationObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _warnings = new();

        public void Progress(Engine.Operations.OperationProgress progress) { }

        public void Warning(string message) => _warnings.Enqueue(message);

        public void ObjectFailed(string key, string errorCode, string message) => _warnings.Enqueue($"'{key}': {message}");

        public void WriteTo(Cmdlet cmdlet)
        {
            while (_warnings.TryDequeue(out var message))
            {
                cmdlet.WriteWarning(message);
            }
        }
    }
}
