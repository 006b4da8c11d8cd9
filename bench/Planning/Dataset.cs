using System.Text.Json;

namespace OssBackup.PlanningBench;

/// <summary>The expected plan: what the generator knows about every object.</summary>
internal sealed record PlanCounts(long Unchanged, long ReadNew, long ReadChanged, long Skip, long Deleted)
{
    public long Rows => Unchanged + ReadNew + ReadChanged + Skip;

    public override string ToString() => $"unchanged {Unchanged:N0}, new {ReadNew:N0}, changed {ReadChanged:N0}, skip {Skip:N0}, deleted {Deleted:N0}";
}

/// <summary>
/// A generated dataset in one folder, described by dataset.json:
/// <c>inventory-bucket/</c> (a FileBlobStore root standing for the inventory bucket),
/// <c>vault/</c> (a FileBlobStore vault holding the previous point), <c>previous.parquet</c>
/// (the previous point's key, size, ETag and time, for DuckDB) and <c>scratch/</c> (sort runs).
/// </summary>
internal sealed record Dataset
{
    public const string InventoryBucket = "acme-inventory";
    public const string InventoryPrefix = "inv-reports";
    public const string InventoryId = "daily-full";
    public const string RunFolderName = "2025-04-14T16-00Z";
    public static readonly DateTimeOffset CreationTime = new(2025, 4, 14, 16, 0, 0, TimeSpan.Zero);

    /// <summary>Columns of the data files, in file order (the newer OSS documentation's example).</summary>
    public static readonly string[] Schema = ["Bucket", "Key", "Size", "StorageClass", "LastModifiedDate", "ETag", "IsMultipartUploaded", "EncryptionStatus"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public required string Folder { get; init; }
    public required long Rows { get; init; }
    public required ulong Seed { get; init; }
    public required string SnapshotId { get; init; }
    public required PlanCounts Truth { get; init; }
    public required long InventoryRows { get; init; }
    public required long PreviousObjects { get; init; }
    public required long InventoryBytes { get; init; }
    public required long VaultBytes { get; init; }
    public required long ParquetBytes { get; init; }

    /// <summary>Absolute paths of the inventory's csv.gz data files.</summary>
    public required IReadOnlyList<string> DataFiles { get; init; }

    public string InventoryRoot => Path.Combine(Folder, "inventory-bucket");
    public string VaultRoot => Path.Combine(Folder, "vault");
    public string ParquetPath => Path.Combine(Folder, "previous.parquet");
    public string ScratchFolder => Path.Combine(Folder, "scratch");

    /// <summary>This dataset's stand-in for OssBackupHome.DigestCacheRoot: the previous point's digest, as its backup left it.</summary>
    public string DigestCacheRoot => Path.Combine(Folder, "cache", "digests");

    public static string DescriptionPath(string folder) => Path.Combine(folder, "dataset.json");

    public void Save() => File.WriteAllText(DescriptionPath(Folder), JsonSerializer.Serialize(this, Json));

    public static Dataset Load(string folder) =>
        JsonSerializer.Deserialize<Dataset>(File.ReadAllText(DescriptionPath(folder)), Json)
        ?? throw new InvalidDataException($"{DescriptionPath(folder)} is empty.");
}
