using System.Collections.Concurrent;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.Support;

/// <summary>Passes everything through to the real source and records which objects were read (GETs).</summary>
public sealed class CountingObjectSource(IObjectSource inner) : IObjectSource
{
    private readonly ConcurrentQueue<string> _reads = new();

    public string Description => inner.Description;

    public int Reads => _reads.Count;

    public IReadOnlyCollection<string> ReadKeys => _reads.ToArray();

    public IAsyncEnumerable<SourceObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task<SourceRead> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        _reads.Enqueue(key);
        return inner.OpenReadAsync(key, cancellationToken);
    }
}
