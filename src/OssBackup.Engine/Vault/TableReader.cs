using System.Runtime.CompilerServices;

namespace OssBackup.Engine.Vault;

/// <summary>Streams a point's object table in key order, one segment in memory at a time.</summary>
public static class TableReader
{
    /// <summary>Entries in key order, starting at the first key not below <paramref name="fromKey"/>.</summary>
    public static async IAsyncEnumerable<ObjectEntry> ReadAsync(
        BlobReader reader,
        IReadOnlyList<TableSegmentRef> segments,
        string? fromKey,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var segment in segments)
        {
            if (fromKey is not null && KeyOrder.Instance.Compare(segment.LastKey, fromKey) < 0)
            {
                continue;
            }
            var plaintext = await reader.ReadAsync(segment.Blob, cancellationToken);
            foreach (var entry in TableSegmentCodec.ReadSegment(plaintext, segment.Blob.Id))
            {
                if (fromKey is null || KeyOrder.Instance.Compare(entry.Key, fromKey) >= 0)
                {
                    yield return entry;
                }
            }
        }
    }
}
