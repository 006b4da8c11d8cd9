using System.Collections.Concurrent;
using System.Management.Automation;
using OssBackup.Engine;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;

namespace OssBackup.Commands;

/// <summary>
/// What every OssBackup cmdlet shares: the engine service, running engine work off the pipeline thread
/// while its progress, warnings and per-object errors are written on it, Ctrl+C as cancellation, and
/// exceptions mapped to ErrorRecords with stable ids and categories.
/// </summary>
public abstract class OssBackupCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private OssBackupService? _service;

    protected OssBackupService Service => _service ??= OssBackupService.OpenDefault();

    internal OssBackupService ServiceForCommands => Service;

    protected CancellationToken CancelToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs engine work, pumping its events onto the pipeline thread until it ends.</summary>
    protected T RunEngine<T>(string activity, Func<IOperationObserver, CancellationToken, Task<T>> work)
    {
        using var observer = new PipelineObserver(activity);
        var task = Task.Run(() => work(observer, _stopping.Token));
        try
        {
            while (!task.IsCompleted)
            {
                observer.Pump(this, TimeSpan.FromMilliseconds(200));
            }
            observer.Pump(this, TimeSpan.Zero);
        }
        catch
        {
            // A written error turned terminating (-ErrorAction Stop) or the pipeline stopped: the engine
            // must stop too, not go on committing after the cmdlet has returned.
            _stopping.Cancel();
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
            }
            throw;
        }
        observer.Complete(this);
        return task.GetAwaiter().GetResult();
    }

    /// <summary>True under -WhatIf or $WhatIfPreference.</summary>
    protected bool IsWhatIf =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) ? ((SwitchParameter)whatIf).IsPresent
        : GetVariableValue("WhatIfPreference") is var preference && LanguagePrimitives.IsTrue(preference);

    /// <summary>
    /// ShouldProcess for an action of High impact in a cmdlet whose ConfirmImpact is lower (a restore only
    /// becomes High when it writes over its source or deletes): asks unless -Force, an explicit -Confirm or
    /// -Confirm:$false, or a $ConfirmPreference above High says not to.
    /// </summary>
    protected bool ConfirmHighImpact(string target, string action, bool force)
    {
        if (!ShouldProcess(target, action))
        {
            return false;
        }
        if (force || MyInvocation.BoundParameters.ContainsKey("Confirm"))
        {
            return true;
        }
        var preference = LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var value) ? value : ConfirmImpact.High;
        if (preference == ConfirmImpact.None || preference > ConfirmImpact.High)
        {
            return true;
        }
        return ShouldContinue($"{action}\non '{target}'.\nThis cannot be undone. Continue? (-Force or -Confirm:$false skips this question.)", "Confirm high-impact restore");
    }

    protected static S3Credentials? ToS3Credentials(PSCredential? credential) =>
        credential is null ? null : new S3Credentials(credential.UserName, credential.GetNetworkCredential().Password);

    /// <summary>Writes an engine failure as a terminating error with a stable id and the right category.</summary>
    protected void Fail(Exception error, object? target) => ThrowTerminatingError(ToErrorRecord(error, target));

    protected static ErrorRecord ToErrorRecord(Exception error, object? target)
    {
        var inner = error is BackupFailedException or DrillFailedException ? error.InnerException ?? error : error;
        var (id, category) = inner switch
        {
            CatalogNotFoundException => ("NotFound", ErrorCategory.ObjectNotFound),
            Engine.Inventory.InventoryException { Kind: Engine.Inventory.InventoryErrorKind.NotFound } => ("InventoryNotFound", ErrorCategory.ObjectNotFound),
            Engine.Inventory.InventoryException inventory => ($"Inventory{inventory.Kind}", ErrorCategory.InvalidData),
            CatalogConflictException => ("AlreadyExists", ErrorCategory.ResourceExists),
            PlanBusyException => ("PlanBusy", ErrorCategory.ResourceBusy),
            Engine.Vault.VaultLockedException => ("VaultLocked", ErrorCategory.ResourceBusy),
            CatalogInUseException => ("InUse", ErrorCategory.ResourceBusy),
            CredentialsNotFoundException => ("CredentialsNotFound", ErrorCategory.AuthenticationError),
            SourceAccessException { Problem: SourceProblem.AccessDenied } => ("AccessDenied", ErrorCategory.PermissionDenied),
            SourceAccessException { Problem: SourceProblem.BucketNotFound } => ("BucketNotFound", ErrorCategory.ObjectNotFound),
            SourceAccessException { Problem: SourceProblem.Unreachable } => ("EndpointUnreachable", ErrorCategory.ConnectionError),
            ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument),
            FileNotFoundException => ("NotFound", ErrorCategory.ObjectNotFound),
            InvalidDataException => ("InvalidData", ErrorCategory.InvalidData),
            OperationCanceledException => ("Cancelled", ErrorCategory.OperationStopped),
            _ => ("Failed", ErrorCategory.NotSpecified),
        };
        var prefix = error switch
        {
            BackupFailedException => "BackupFailed",
            DrillFailedException => "DrillFailed",
            _ => "OssBackup",
        };
        return new ErrorRecord(error, $"{prefix}.{id}", category, target);
    }

    /// <summary>A drill that ran but did not pass: some sampled object could not be restored or did not match.</summary>
    protected static ErrorRecord DrillFailedRecord(BackupTestResult drill) =>
        new(new InvalidDataException($"The restore drill {drill.Id} of plan '{drill.Plan}' did not pass: {drill.Message}"), "OssBackup.DrillFailed", ErrorCategory.InvalidResult, drill);

    /// <summary>Collects engine events from worker threads; only the pipeline thread writes them.</summary>
    private sealed class PipelineObserver(string activity) : IOperationObserver, IDisposable
    {
        private readonly BlockingCollection<Action<PSCmdlet>> _events = new();
        private readonly int _activityId = Random.Shared.Next(1, int.MaxValue);
        private OperationProgress? _latest;

        public void Progress(OperationProgress progress) => Interlocked.Exchange(ref _latest, progress);

        public void Warning(string message) => _events.Add(c => c.WriteWarning(message));

        public void ObjectFailed(string key, string errorCode, string message) =>
            _events.Add(c => c.WriteError(new ErrorRecord(new InvalidOperationException($"'{key}': {message}"), $"ObjectFailed.{errorCode}", ErrorCategory.ReadError, key)));

        public void Pump(PSCmdlet cmdlet, TimeSpan wait)
        {
            if (_events.TryTake(out var first, wait))
            {
                first(cmdlet);
                while (_events.TryTake(out var next))
                {
                    next(cmdlet);
                }
            }
            if (Interlocked.Exchange(ref _latest, null) is { } p)
            {
                var record = new ProgressRecord(_activityId, activity,
                    $"{p.Phase}: {p.ObjectsDone:N0} of {p.ObjectsFound:N0}{(p.ScanComplete ? "" : "+")} objects, {Bytes(p.BytesDone)} of {Bytes(p.BytesFound)}, {Bytes((long)p.BytesPerSecond)}/s");
                if (p.ScanComplete && p.BytesFound > 0)
                {
                    record.PercentComplete = (int)Math.Min(100, p.BytesDone * 100 / p.BytesFound);
                    if (p.BytesPerSecond > 0)
                    {
                        record.SecondsRemaining = (int)((p.BytesFound - p.BytesDone) / p.BytesPerSecond);
                    }
                }
                cmdlet.WriteProgress(record);
            }
        }

        public void Complete(PSCmdlet cmdlet) =>
            cmdlet.WriteProgress(new ProgressRecord(_activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });

        public void Dispose() => _events.Dispose();

        private static string Bytes(long bytes) => bytes switch
        {
            >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
            >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
            >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
            _ => $"{bytes} B",
        };
    }
}
