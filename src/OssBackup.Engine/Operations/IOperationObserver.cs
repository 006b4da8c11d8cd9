namespace OssBackup.Engine.Operations;

/// <summary>How an operation reports while it runs. Called from worker threads; implementations must be thread-safe.</summary>
public interface IOperationObserver
{
    void Progress(OperationProgress progress);

    void Warning(string message);

    /// <summary>One object could not be processed; the operation goes on with the others.</summary>
    void ObjectFailed(string key, string errorCode, string message);
}

public sealed record OperationProgress(string Phase, long ObjectsDone, long ObjectsFound, long BytesDone, long BytesFound, double BytesPerSecond, bool ScanComplete);

public sealed class NullObserver : IOperationObserver
{
    public static readonly NullObserver Instance = new();

    public void Progress(OperationProgress progress) { }

    public void Warning(string message) { }

    public void ObjectFailed(string key, string errorCode, string message) { }
}
