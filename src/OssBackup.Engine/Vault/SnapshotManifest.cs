using System.Text.Json;
using System.Text.Json.Serialization;

namespace OssBackup.Engine.Vault;

/// <summary>A backup point as stored in snapshots/&lt;id&gt; (docs/vault-format.md, "Snapshots").</summary>
public sealed class SnapshotManifest
{
    public int Version { get; set; } = 1;
    public string Id { get; set; } = "";
    public string Plan { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string SourceEndpoint { get; set; } = "";
    public string SourceBucket { get; set; } = "";
    public string SourcePrefix { get; set; } = "";
    public string? Parent { get; set; }
    public string ScanMethod { get; set; } = "Traversal";
    /// <summary>The inventory run folder the point was planned from, for inventory plans.</summary>
    public string? Inventory { get; set; }

    /// <summary>That inventory's creation time; the next backup needs a newer one.</summary>
    public DateTimeOffset? InventoryCreatedAt { get; set; }
    public SnapshotStats Stats { get; set; } = new();
    public List<SegmentDto> Table { get; set; } = [];

    [JsonIgnore]
    public IReadOnlyList<TableSegmentRef> Segments => Table.Select(s => s.ToRef()).ToList();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static SnapshotManifest FromJson(ReadOnlySpan<byte> json, string name)
    {
        var snapshot = JsonSerializer.Deserialize<SnapshotManifest>(json, Json) ?? throw new InvalidDataException($"Snapshot '{name}' is empty.");
        if (snapshot.Version != 1)
        {
            throw new InvalidDataException($"Snapshot '{name}' has format version {snapshot.Version}; this OssBackup reads version 1.");
        }
        return snapshot;
    }
}

public sealed class SnapshotStats
{
    public long ObjectCount { get; set; }
    public long TotalBytes { get; set; }
    public long NewObjects { get; set; }
    public long ChangedObjects { get; set; }
    public long UnchangedObjects { get; set; }
    public long DeletedObjects { get; set; }
}

/// <summary>The JSON form of a <see cref="TableSegmentRef"/>: ids in lowercase hex.</summary>
public sealed class SegmentDto
{
    public string Blob { get; set; } = "";
    public string Pack { get; set; } = "";
    public long Offset { get; set; }
    public int Length { get; set; }
    public int RawLength { get; set; }
    public string Compression { get; set; } = "none";
    public long Count { get; set; }
    public string FirstKey { get; set; } = "";
    public string LastKey { get; set; } = "";

    public static SegmentDto From(TableSegmentRef segment) => new()
    {
        Blob = segment.Blob.Id.ToString(),
        Pack = segment.Blob.Pack.ToString(),
        Offset = segment.Blob.Offset,
        Length = segment.Blob.StoredLength,
        RawLength = segment.Blob.RawLength,
        Compression = segment.Blob.Compression == BlobCompression.Zstd ? "zstd" : "none",
        Count = segment.Count,
        FirstKey = segment.FirstKey,
        LastKey = segment.LastKey,
    };

    public TableSegmentRef ToRef() => new(
        new BlobLocation(BlobId.Parse(Blob), PackId.Parse(Pack), Offset, Length, RawLength,
            Compression == "zstd" ? BlobCompression.Zstd : BlobCompression.None),
        Count, FirstKey, LastKey);
}
