using System.Runtime.CompilerServices;
using OssBackup.Engine.Util;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Streams a point's object table in key order. Segments are fetched, verified and decoded on a
/// background task, a few small batches of entries ahead of the consumer, so a merge-join over a large
/// table overlaps the table's decompression, hashing and decoding with its own work while memory stays
/// bounded by one segment's plaintext and those batches.
/// </summary>
public static class TableReader
{
    /// <summary>
    /// Decoded batches waiting for the consumer, besides the one it is walking and the one being decoded.
    /// Few and small: entries that wait across a garbage collection survive it and cost a promotion.
    /// </summary>
    private const int BatchesAhead = 2;

    private const int EntriesPerBatch = 512;

    /// <summary>
    /// Entries in key order, starting at the first key not below <paramref name="fromKey"/>. The table is
    /// read through a reader of its own on <paramref name="reader"/>'s store, so <paramref name="reader"/>
    /// stays free for the caller.
    /// </summary>
    public static IAsyncEnumerable<ObjectEntry> ReadAsync(
        BlobReader reader,
        IReadOnlyList<TableSegmentRef> segments,
        string? fromKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(segments);
        var first = 0;
        if (fromKey is not null)
        {
            while (first < segments.Count && KeyOrder.Instance.Compare(segments[first].LastKey, fromKey) < 0)
            {
                first++;
            }
        }
        return first == segments.Count
            ? AsyncSequence.Empty<ObjectEntry>()
            : ReadAhead.InBackground(DecodeSegmentsAsync(reader, segments, first, fromKey, CancellationToken.None), EntriesPerBatch, BatchesAhead, cancellationToken);
    }

    /// <summary>The entries of the segments from <paramref name="first"/> on, less those of the first below <paramref name="fromKey"/>.</summary>
    private static async IAsyncEnumerable<ObjectEntry> DecodeSegmentsAsync(BlobReader reader, IReadOnlyList<TableSegmentRef> segments, int first, string? fromKey,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var segmentReader = reader.NewSibling();
        var strings = new Utf8StringCache();
        var slabs = new EntryBytesSlabs();
        var plaintext = Array.Empty<byte>();
        var entries = new List<ObjectEntry>(EntriesPerBatch);
        for (var i = first; i < segments.Count; i++)
        {
            var segment = segments[i];
            var location = segment.Blob;
            if (plaintext.Length < location.RawLength)
            {
                plaintext = new byte[Math.Max(location.RawLength, 2 * plaintext.Length)];
            }
            await segmentReader.ReadAsync(location, plaintext, cancellationToken);
            var position = TableSegmentCodec.FirstEntry(plaintext.AsSpan(0, location.RawLength), location.Id);
            var read = 0;
            while (position < location.RawLength)
            {
                entries.Clear();
                position = TableSegmentCodec.ReadEntries(plaintext.AsSpan(0, location.RawLength), position, EntriesPerBatch, strings, slabs, segment, read, entries);
                read += entries.Count;
                foreach (var entry in entries)
                {
                    if (fromKey is not null)
                    {
                        if (KeyOrder.Instance.Compare(entry.Key, fromKey) < 0)
                        {
                            continue;
                        }
                        fromKey = null;
                    }
                    yield return entry;
                }
            }
        }
    }
}
