using System.Text;

namespace OssBackup.Engine.Vault;

/// <summary>
/// One object of a backup point: what the source said of it and where its bytes are.
/// </summary>
/// <remarks>
/// An entry read from an object table keeps its encoded bytes (verified with the segment's SHA-256) and
/// decodes its ETag, metadata and chunk references only when first asked. Planning looks at the key, size,
/// ETag and time alone, and an unchanged entry goes into the next point's table as the same bytes, so most
/// entries of a large table are never decoded further. Decoding on first access is thread-safe: every
/// thread sees the same list. Replacing any property (<c>with</c>) makes the entry encode afresh.
/// </remarks>
public sealed record ObjectEntry(
    string Key,
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    string StorageClass,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    IReadOnlyList<BlobLocation> Chunks)
{
    /// <summary>Metadata names for user metadata carry this prefix; other names are HTTP headers.</summary>
    public const string UserMetadataPrefix = "x-amz-meta-";

    private readonly ReadOnlyMemory<byte> _encoded;
    private readonly int _etagAt;
    private readonly int _metadataAt;
    private readonly bool _encodedIsCurrent;
    private readonly TableSegmentRef? _segment;
    private readonly int _indexInSegment;
    private string? _etag = ETag;
    private IReadOnlyList<KeyValuePair<string, string>>? _metadata = Metadata;
    private IReadOnlyList<BlobLocation>? _chunks = Chunks;

    /// <summary>
    /// An entry decoded from a table segment: <paramref name="encoded"/> is its whole encoding, in which the
    /// ETag starts at <paramref name="etagAt"/> and the metadata count at <paramref name="metadataAt"/>; it is
    /// entry number <paramref name="indexInSegment"/> (from 0) of <paramref name="segment"/>, if that is known.
    /// </summary>
    internal ObjectEntry(string key, long size, DateTimeOffset lastModified, string storageClass, ReadOnlyMemory<byte> encoded, int etagAt, int metadataAt,
        TableSegmentRef? segment, int indexInSegment)
        : this(key, size, "", lastModified, storageClass, [], [])
    {
        _segment = segment;
        _indexInSegment = indexInSegment;
        _encoded = encoded;
        _etagAt = etagAt;
        _metadataAt = metadataAt;
        _encodedIsCurrent = true;
        _etag = null;
        _metadata = null;
        _chunks = null;
    }

    public string Key { get; init { field = value; _encodedIsCurrent = false; } } = Key;

    public long Size { get; init { field = value; _encodedIsCurrent = false; } } = Size;

    public string ETag
    {
        get
        {
            if (_etag is null)
            {
                Interlocked.CompareExchange(ref _etag, TableSegmentCodec.ReadStringAt(_encoded.Span, _etagAt), null);
            }
            return _etag;
        }
        init
        {
            _etag = value;
            _encodedIsCurrent = false;
        }
    }

    public DateTimeOffset LastModified { get; init { field = value; _encodedIsCurrent = false; } } = LastModified;

    public string StorageClass { get; init { field = value; _encodedIsCurrent = false; } } = StorageClass;

    public IReadOnlyList<KeyValuePair<string, string>> Metadata
    {
        get => DecodeOnce(ref _metadata, TableSegmentCodec.ReadMetadata);
        init
        {
            _metadata = value;
            _encodedIsCurrent = false;
        }
    }

    public IReadOnlyList<BlobLocation> Chunks
    {
        get => DecodeOnce(ref _chunks, TableSegmentCodec.ReadChunks);
        init
        {
            _chunks = value;
            _encodedIsCurrent = false;
        }
    }

    private delegate T TailDecoder<T>(ReadOnlySpan<byte> tail);

    /// <summary>
    /// Decodes a part of the encoded tail (from the metadata count on) the first time it is asked for. Threads
    /// racing on the first access may each decode it, but all of them get the one value that was stored first.
    /// </summary>
    private T DecodeOnce<T>(ref T? field, TailDecoder<T> decode)
        where T : class
    {
        if (field is null)
        {
            Interlocked.CompareExchange(ref field, decode(_encoded.Span[_metadataAt..]), null);
        }
        return field;
    }

    public string? ContentType => _metadata is null && !_encoded.IsEmpty
        ? TableSegmentCodec.FindMetadataValue(_encoded.Span[_metadataAt..], "Content-Type")
        : Metadata.FirstOrDefault(m => string.Equals(m.Key, "Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The entry's encoding as read from a table, while no property has been replaced since; else empty.</summary>
    internal ReadOnlySpan<byte> EncodedAsRead => _encodedIsCurrent ? _encoded.Span : default;

    /// <summary>The ETag's UTF-8 within <see cref="EncodedAsRead"/>; only while that is not empty.</summary>
    internal ReadOnlySpan<byte> EncodedETag => TableSegmentCodec.StringBytesAt(EncodedAsRead, _etagAt);

    /// <summary>The segment the entry was read from and its number there, while <see cref="EncodedAsRead"/> is its encoding.</summary>
    internal (TableSegmentRef Segment, int Index)? SegmentAsRead => _encodedIsCurrent && _segment is not null ? (_segment, _indexInSegment) : null;

    /// <summary>True when the source's description of the object is the same, so its bytes need not be read again.</summary>
    public bool SameVersionAs(long size, string etag, DateTimeOffset lastModified) =>
        Size == size && LastModified == lastModified && SameETag(etag);

    /// <summary>Compares against the encoded ETag when it was not decoded yet: ETags are ASCII, and most entries are only compared.</summary>
    private bool SameETag(string etag)
    {
        if (_etag is null)
        {
            var encoded = TableSegmentCodec.StringBytesAt(_encoded.Span, _etagAt);
            if (Ascii.IsValid(encoded) && Ascii.IsValid(etag))
            {
                return Ascii.EqualsIgnoreCase(encoded, etag);
            }
        }
        return string.Equals(ETag, etag, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Equal when every property is, metadata and chunks item by item, however each entry was made or decoded.</summary>
    public bool Equals(ObjectEntry? other) =>
        ReferenceEquals(this, other)
        || (other is not null && Key == other.Key && Size == other.Size && ETag == other.ETag && LastModified == other.LastModified
            && StorageClass == other.StorageClass && Metadata.SequenceEqual(other.Metadata) && Chunks.SequenceEqual(other.Chunks));

    public override int GetHashCode() => HashCode.Combine(Key, Size, LastModified);
}
