using System.Collections.Concurrent;
using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Tests.Support;

/// <summary>Keeps what an operation reported, for assertions (thread-safe, as operations report from workers).</summary>
public sealed class RecordingObserver : IOperationObserver
{
    private readonly ConcurrentQueue<(string Key, string Code, string Message)> _failures = new();
    private readonly ConcurrentQueue<string> _warnings = new();

    public IReadOnlyList<(string Key, string Code, string Message)> Failures => [.. _failures];

    public IReadOnlyList<string> Warnings => [.. _warnings];

    public void Progress(OperationProgress progress) { }

    public void Warning(string message) => _warnings.Enqueue(message);

    public void ObjectFailed(string key, string errorCode, string message) => _failures.Enqueue((key, errorCode, message));
}
