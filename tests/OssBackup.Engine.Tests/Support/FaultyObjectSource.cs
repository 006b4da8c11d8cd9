using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.Support;

/// <summary>
/// Disturbs a real source the way the world does: listings that describe objects differently, reads
/// that fail or find the object gone, bytes corrupted in transit. Install with OssBackupService.WrapSource.
/// </summary>
public sealed class FaultyObjectSource(IObjectSource inner) : IObjectSource
{
    private readonly ConcurrentQueue<string> _reads = new();

    public string Description => inner.Description;

    /// <summary>Rewrites what the listing says of an object (e.g. its storage class).</summary>
    public Func<SourceObject, SourceObject> Listing { get; init; } = item => item;

    /// <summary>Runs before each read with the key; may throw (a failed or vanished read) or cancel the operation.</summary>
    public Func<string, Task> BeforeRead { get; init; } = _ => Task.CompletedTask;

    /// <summary>Keys whose content arrives with one byte flipped.</summary>
    public IReadOnlySet<string> Corrupt { get; init; } = new HashSet<string>();

    public IReadOnlyCollection<string> ReadKeys => _reads.ToArray();

    public async IAsyncEnumerable<SourceObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in inner.ListAsync(prefix, cancellationToken))
        {
            yield return Listing(item);
        }
    }

    public async Task<SourceRead> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        _reads.Enqueue(key);
        await BeforeRead(key);
        var read = await inner.OpenReadAsync(key, cancellationToken);
        if (!Corrupt.Contains(key))
        {
            return read;
        }
        var bytes = new MemoryStream();
        await read.Content.CopyToAsync(bytes, cancellationToken);
        var content = bytes.ToArray();
        content[content.Length / 2] ^= 0x01;
        var corrupted = new SourceRead(new MemoryStream(content), read.Length, read.ETag, read.LastModified, read.StorageClass, read.Metadata, owner: null);
        await read.DisposeAsync();
        return corrupted;
    }
}
