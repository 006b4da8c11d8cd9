using System.Runtime.CompilerServices;
using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Operations;

/// <summary>What one backup scans: the source's objects under the plan's prefix, strictly in key order.</summary>
internal interface IBackupScan
{
    string Description { get; }

    /// <summary>The inventory run this scan reads, or null when it lists the bucket.</summary>
    string? InventoryFolder { get; }

    DateTimeOffset? InventoryCreatedAt { get; }

    IAsyncEnumerable<SourceObject> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Runs after the point is committed (e.g. inventory cleanup).</summary>
    Task CompleteAsync(SnapshotManifest committed, CancellationToken cancellationToken);
}

/// <summary>Lists the bucket: S3 returns keys in UTF-8 byte order, which is the table's order.</summary>
internal sealed class TraversalScan(IObjectSource source, string prefix) : IBackupScan
{
    public string Description => $"the listing of {source.Description}/{prefix}";
    public string? InventoryFolder => null;
    public DateTimeOffset? InventoryCreatedAt => null;

    public async IAsyncEnumerable<SourceObject> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in source.ListAsync(prefix, cancellationToken))
        {
            yield return item;
        }
    }

    public Task CompleteAsync(SnapshotManifest committed, CancellationToken cancellationToken) => Task.CompletedTask;
}
