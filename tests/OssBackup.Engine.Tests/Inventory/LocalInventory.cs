using OssBackup.Engine.Inventory;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Util;
using OssBackup.TestKit;

namespace OssBackup.Engine.Tests.Inventory;

/// <summary>
/// An inventory bucket on a local folder: the TestKit's <see cref="InventoryWriter"/> writes runs into it and the
/// product reads them through a <see cref="FileBlobStore"/>, so inventory tests need no S3 server.
/// </summary>
public sealed class LocalInventory : IDisposable
{
    public const string SourceBucket = "examplebucket";

    /// <summary>A fixed scan time (2025-04-14T16:00Z, the shared example's creationTimestamp).</summary>
    public static readonly DateTime T0 = new(2025, 4, 14, 16, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _folder = new("inventory");

    public LocalInventory()
    {
        Store = new FileBlobStore(_folder.Path);
        Writer = new InventoryWriter(_folder.Path);
        Reader = new InventoryReader(Store);
    }

    public string Root => _folder.Path;
    public FileBlobStore Store { get; }
    public InventoryWriter Writer { get; }
    public InventoryReader Reader { get; }

    /// <summary>The location the writer uses for <paramref name="options"/> (defaults: inventory-dest, no prefix, "daily").</summary>
    public static InventoryLocation LocationOf(InventoryOptions? options = null)
    {
        options ??= new InventoryOptions();
        return new InventoryLocation(options.DestinationBucket, options.DestinationPrefix, SourceBucket, options.InventoryId);
    }

    /// <summary>Writes a run of <paramref name="objects"/> (default: the TestKit's awkward objects); the run time defaults to <see cref="T0"/>.</summary>
    public InventoryRun Write(InventoryOptions options, IEnumerable<InventoryObject>? objects = null) =>
        Writer.Write(SourceBucket, objects ?? InventoryWriter.AwkwardObjects(T0.AddDays(-1)), options.RunTime is null ? options with { RunTime = T0 } : options);

    /// <summary>Every key in the folder, '/'-separated, sorted.</summary>
    public List<string> Keys() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public async Task<InventoryManifest> ManifestAsync(InventoryRun run)
    {
        await using var stream = await Store.GetAsync(run.ManifestKey, 0, null, CancellationToken.None);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return InventoryManifest.Parse(memory.ToArray(), run.RunFolder);
    }

    public async Task<List<InventoryRow>> ReadRowsAsync(InventoryManifest manifest, InventoryReadOptions? options = null)
    {
        var rows = new List<InventoryRow>();
        await foreach (var row in Reader.ReadRowsAsync(manifest, options, CancellationToken.None))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The rows as the scan reads them: straight into sort records, decoded back here.</summary>
    public async Task<List<SourceObject>> ReadSortRecordsAsync(InventoryManifest manifest, InventoryReadOptions? options = null)
    {
        var objects = new List<SourceObject>();
        await foreach (var record in Reader.ReadSortRecordsAsync(manifest, options, CancellationToken.None))
        {
            objects.Add(Decode(record.WrittenSpan));
        }
        return objects;
    }

    /// <summary>The rows as the scan reads them on <paramref name="lanes"/> threads, in batches, decoded back here.</summary>
    public async Task<List<SourceObject>> ReadSortRecordBatchesAsync(InventoryManifest manifest, int lanes, InventoryReadOptions? options = null)
    {
        var objects = new List<SourceObject>();
        await foreach (var batch in Reader.ReadSortRecordBatchesAsync(manifest, options, lanes, CancellationToken.None))
        {
            var position = 0;
            while (batch.Next(ref position, out var offset, out var length))
            {
                objects.Add(Decode(batch.Bytes.Slice(offset, length)));
            }
        }
        return objects;
    }

    private static SourceObject Decode(ReadOnlySpan<byte> record)
    {
        var reader = new BinarySpanReader(record);
        var item = SourceObjectCodec.Instance.Read(ref reader);
        Assert.True(reader.AtEnd);
        return item;
    }

    public async Task<List<InventoryCandidate>> ListAsync(InventoryLocation location)
    {
        var candidates = new List<InventoryCandidate>();
        await foreach (var candidate in Reader.ListAsync(location, CancellationToken.None))
        {
            candidates.Add(candidate);
        }
        return candidates;
    }

    /// <summary>The row the reader must produce for an object the writer listed.</summary>
    public static InventoryRow Expected(InventoryObject o) =>
        new(o.Key, o.Size, o.ETag, new DateTimeOffset(DateTime.SpecifyKind(o.LastModified, DateTimeKind.Utc)), o.StorageClass, o.IsLatest, o.IsDeleteMarker);

    public void Dispose() => _folder.Dispose();
}
