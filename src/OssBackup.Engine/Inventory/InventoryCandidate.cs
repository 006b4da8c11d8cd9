namespace OssBackup.Engine.Inventory;

/// <summary>
/// One run of an inventory rule as found in the inventory bucket, with what its manifest.json and
/// manifest.checksum say about it (data files are not touched to build it).
/// </summary>
/// <param name="Location">The inventory rule's location.</param>
/// <param name="Folder">The run folder's key prefix in the inventory bucket, ending in '/'.</param>
/// <param name="Timestamp">The time in the run folder's name (UTC).</param>
/// <param name="IsComplete">True when manifest.checksum exists (it is written last).</param>
/// <param name="Manifest">The parsed manifest.json, or null when it could not be read or parsed.</param>
/// <param name="Problem">Why this run cannot be used for a backup, or null when it can.</param>
public sealed record InventoryCandidate(InventoryLocation Location, string Folder, DateTimeOffset Timestamp, bool IsComplete, InventoryManifest? Manifest, string? Problem)
{
    public bool IsUsable => Problem is null && Manifest is not null;

    /// <summary>creationTimestamp of the manifest, when it parsed.</summary>
    public DateTimeOffset? CreationTime => Manifest?.CreationTime;

    /// <summary>The number of objects listed. Neither OSS nor S3 manifests state it, so it is null unless known cheaply.</summary>
    public long? ObjectCount { get; init; }

    /// <summary>The number of data files the manifest names (0 when it did not parse).</summary>
    public int DataFiles => Manifest?.Files.Count ?? 0;

    /// <summary>The compressed size of the data files the manifest names.</summary>
    public long DataBytes => Manifest?.DataBytes ?? 0;

    /// <summary>The manifest's fileSchema columns (empty when it did not parse).</summary>
    public IReadOnlyList<string> Schema => Manifest?.Schema ?? [];

    public string ManifestKey => Folder + "manifest.json";

    public string ChecksumKey => Folder + "manifest.checksum";
}
