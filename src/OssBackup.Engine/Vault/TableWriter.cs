using OssBackup.Engine.Util;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Streams a point's object table, in key order, into segments stored as blobs. Holds one segment in
/// memory at a time. Segments already in the vault (unchanged key ranges) are referenced, not rewritten.
/// </summary>
public sealed class TableWriter
{
    private readonly IBlobSink _pack;
    private readonly BlobIndex _index;
    private readonly List<TableSegmentRef> _segments = [];
    private readonly BinaryWriterBuffer _buffer = new(1 << 20);
    private string? _firstKey;
    private string? _lastKey;
    private int _count;

    /// <summary>
    /// The segment of an earlier table that the current one repeats so far: its entries, in order from its
    /// first, each carried over as read. Such a segment is that one's bytes, verified against its id when
    /// read, so it need not be hashed again.
    /// </summary>
    private TableSegmentRef? _repeating;

    public TableWriter(IBlobSink pack, BlobIndex index)
    {
        _pack = pack;
        _index = index;
    }

    public long EntryCount { get; private set; }

    public async Task AddAsync(ObjectEntry entry, CancellationToken cancellationToken)
    {
        if (_lastKey is not null && KeyOrder.Instance.Compare(_lastKey, entry.Key) >= 0)
        {
            throw new InvalidOperationException($"Object table keys must be strictly increasing: '{entry.Key}' came after '{_lastKey}'.");
        }
        var origin = entry.SegmentAsRead;
        if (_count == 0)
        {
            _buffer.Clear();
            _buffer.WriteBytes(TableSegmentCodec.Magic);
            _firstKey = entry.Key;
            _repeating = origin is { Index: 0 } ? origin.Value.Segment : null;
        }
        else if (_repeating is not null && (origin is not { } o || !ReferenceEquals(o.Segment, _repeating) || o.Index != _count))
        {
            _repeating = null;
        }
        var entryStart = _buffer.Length;
        TableSegmentCodec.WriteEntry(_buffer, entry);
        _lastKey = entry.Key;
        _count++;
        EntryCount++;
        if (TableSegmentCodec.IsBoundary(TableSegmentCodec.KeyBytes(_buffer.WrittenSpan[entryStart..]), _count, _buffer.Length))
        {
            await FlushSegmentAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<TableSegmentRef>> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushSegmentAsync(cancellationToken);
        return _segments;
    }

    private async Task FlushSegmentAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            return;
        }
        var plaintext = _buffer.WrittenMemory;
        var id = _repeating is { } repeated && repeated.Count == _count && repeated.Blob.RawLength == plaintext.Length
            ? repeated.Blob.Id
            : BlobId.Of(plaintext.Span);
        if (!_index.TryGet(id, out var location))
        {
            location = await _pack.AddAsync(BlobType.Table, id, plaintext, tryCompress: true, cancellationToken);
            _index.Add(location);
        }
        _segments.Add(new TableSegmentRef(location, _count, _firstKey!, _lastKey!));
        _count = 0;
    }
}
