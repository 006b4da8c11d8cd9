using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using OssBackup.Engine.Planning;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.PlanningBench;

/// <summary>
/// Writes a dataset (not timed in the comparison): the previous point through the engine's own
/// TableWriter into a FileBlobStore vault, the same objects as a parquet file for DuckDB, and the
/// current state as an OSS inventory run (shuffled rows in K csv.gz files, manifest.json, manifest.checksum).
/// </summary>
internal static class Generator
{
    public static async Task<Dataset> GenerateAsync(string folder, long rows, int files, ulong seed, TextWriter log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(folder);
        var data = new Synthetic(rows, seed);
        if (data.Universe > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), "At most 2^31 objects.");
        }

        // The truth, and the universe indexes of the inventory's rows (to shuffle).
        var current = new int[rows + rows / 100];
        long currentCount = 0, previousCount = 0, unchanged = 0, readNew = 0, readChanged = 0, skip = 0, deleted = 0;
        for (long i = 0; i < data.Universe; i++)
        {
            var fate = data.FateOf(i);
            var archive = data.StorageClass(i) == "Archive";
            switch (fate)
            {
                case Fate.Same:
                    unchanged++;
                    break;
                case Fate.Changed when archive:
                case Fate.New when archive:
                    skip++;
                    break;
                case Fate.Changed:
                    readChanged++;
                    break;
                case Fate.New:
                    readNew++;
                    break;
                default:
                    deleted++;
                    break;
            }
            if (fate != Fate.New)
            {
                previousCount++;
            }
            if (fate != Fate.Deleted)
            {
                if (currentCount == current.Length)
                {
                    Array.Resize(ref current, current.Length + current.Length / 10);
                }
                current[currentCount++] = (int)i;
            }
        }
        var truth = new PlanCounts(unchanged, readNew, readChanged, skip, deleted);
        log.WriteLine($"  truth: {truth}; inventory rows {currentCount:N0}, previous objects {previousCount:N0} ({clock.Elapsed.TotalSeconds:F1} s)");

        var inventoryRoot = Path.Combine(folder, "inventory-bucket");
        var vaultRoot = Path.Combine(folder, "vault");
        var scratch = Path.Combine(folder, "scratch");
        Directory.CreateDirectory(scratch);
        var previousCsv = Path.Combine(folder, "previous.csv.gz");

        var previousTask = Task.Run(() => WritePreviousAsync(data, vaultRoot, previousCsv, scratch, cancellationToken), cancellationToken);
        var inventoryTask = Task.Run(() => WriteInventoryAsync(data, current.AsMemory(0, (int)currentCount), inventoryRoot, files, seed, cancellationToken), cancellationToken);
        var (snapshotId, vaultBytes) = await previousTask;
        log.WriteLine($"  previous point written: vault {vaultBytes / 1048576.0:N0} MiB ({clock.Elapsed.TotalSeconds:F1} s)");
        var dataFiles = await inventoryTask;
        log.WriteLine($"  inventory written: {dataFiles.Count} files, {dataFiles.Sum(f => new FileInfo(f).Length) / 1048576.0:N0} MiB ({clock.Elapsed.TotalSeconds:F1} s)");
        current = [];

        var parquet = Path.Combine(folder, "previous.parquet");
        ToParquet(previousCsv, parquet, scratch);
        File.Delete(previousCsv);
        log.WriteLine($"  previous.parquet written: {new FileInfo(parquet).Length / 1048576.0:N0} MiB ({clock.Elapsed.TotalSeconds:F1} s)");

        var dataset = new Dataset
        {
            Folder = folder,
            Rows = rows,
            Seed = seed,
            SnapshotId = snapshotId,
            Truth = truth,
            InventoryRows = currentCount,
            PreviousObjects = previousCount,
            InventoryBytes = dataFiles.Sum(f => new FileInfo(f).Length),
            VaultBytes = vaultBytes,
            ParquetBytes = new FileInfo(parquet).Length,
            DataFiles = dataFiles,
        };
        dataset.Save();
        return dataset;
    }

    /// <summary>The previous point (in key order) into the vault, and the same rows into a csv.gz for DuckDB.</summary>
    private static async Task<(string SnapshotId, long VaultBytes)> WritePreviousAsync(Synthetic data, string vaultRoot, string previousCsv, string scratch, CancellationToken cancellationToken)
    {
        var store = new FileBlobStore(vaultRoot);
        var vault = await VaultRepository.CreateAsync(store, cancellationToken);
        var index = new BlobIndex();
        await using var sink = new SharedPackSink(vault, scratch);
        var table = new TableWriter(sink, index);
        // The digest the backup that wrote this point would have left on its machine (BackupRunner does the same per entry).
        using var digest = new PointDigestFile.Writer(Path.Combine(scratch, "digest"), PointDigestFile.NewSeed());
        var metadata = new Dictionary<string, KeyValuePair<string, string>[]>(StringComparer.Ordinal);

        await using var csvFile = new FileStream(previousCsv, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using var gzip = new GZipStream(csvFile, CompressionLevel.Fastest);
        await using var csv = new StreamWriter(gzip, new UTF8Encoding(false), 1 << 20);
        await csv.WriteLineAsync("k,size,etag,mtime");
        var line = new StringBuilder(256);

        long objects = 0, bytes = 0;
        for (long i = 0; i < data.Universe; i++)
        {
            if (data.FateOf(i) == Fate.New)
            {
                continue;
            }
            var key = data.Key(i);
            var version = data.Previous(i);
            var contentType = data.ContentType(i);
            if (!metadata.TryGetValue(contentType, out var headers))
            {
                headers = [new("Content-Type", contentType)];
                metadata.Add(contentType, headers);
            }
            var entry = new ObjectEntry(key, version.Size, version.ETag, version.Modified, data.StorageClass(i), headers, Chunks(data, i, version.Size));
            await table.AddAsync(entry, cancellationToken);
            digest.Add(ObjectDigest.Of(entry, digest.Seed));
            objects++;
            bytes += version.Size;

            line.Clear();
            OssKeyEncoding.Append(line, key);
            line.Append(',').Append(version.Size.ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(version.ETag)
                .Append(',').Append(version.Modified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            await csv.WriteLineAsync(line, cancellationToken);
        }
        var segments = await table.CompleteAsync(cancellationToken);
        var packs = await sink.CompleteAsync(cancellationToken);
        await vault.WriteIndexAsync(packs, cancellationToken);
        var snapshot = new SnapshotManifest
        {
            Id = VaultRepository.NewSnapshotId(),
            Plan = "planning-bench",
            CreatedAt = Dataset.CreationTime.AddDays(-1),
            SourceEndpoint = "https://oss-cn-hangzhou.aliyuncs.com",
            SourceBucket = Synthetic.SourceBucket,
            ScanMethod = "Inventory",
            Stats = new SnapshotStats { ObjectCount = objects, TotalBytes = bytes, NewObjects = objects },
            Table = segments.Select(SegmentDto.From).ToList(),
        };
        await vault.WriteSnapshotAsync(snapshot, cancellationToken);
        digest.Complete(snapshot.Id, PointDigestFile.PathFor(Path.Combine(Path.GetDirectoryName(vaultRoot)!, "cache", "digests"), vault.Config.Id, snapshot.Id));
        var vaultBytes = Directory.EnumerateFiles(vaultRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        return (snapshot.Id, vaultBytes);
    }

    /// <summary>Made-up but well-formed content references: one chunk per started 8 MiB, 400 objects to a pack.</summary>
    private static BlobLocation[] Chunks(Synthetic data, long i, long size)
    {
        var count = data.ChunkCount(size);
        var chunks = new BlobLocation[count];
        var pack = new PackId(new UInt128(data.Hash(i / 400, 30), data.Hash(i / 400, 31)));
        var offset = (long)(data.Hash(i, 32) % (16UL << 20));
        for (var c = 0; c < count; c++)
        {
            var raw = (int)Math.Min(8L << 20, size - (long)c * (8L << 20));
            var id = new BlobId(new UInt128(data.Hash(i, 40 + 4 * c), data.Hash(i, 41 + 4 * c)), new UInt128(data.Hash(i, 42 + 4 * c), data.Hash(i, 43 + 4 * c)));
            chunks[c] = new BlobLocation(id, pack, offset, raw, raw, BlobCompression.None);
        }
        return chunks;
    }

    /// <summary>The inventory run: rows shuffled over K gzip CSV files in OSS quoting, then manifest.json and manifest.checksum.</summary>
    private static async Task<List<string>> WriteInventoryAsync(Synthetic data, Memory<int> current, string inventoryRoot, int files, ulong seed, CancellationToken cancellationToken)
    {
        new Random(unchecked((int)seed)).Shuffle(current.Span);
        var ruleFolder = $"{Dataset.InventoryPrefix}/{Synthetic.SourceBucket}/{Dataset.InventoryId}/";
        var uuid = Guid.NewGuid().ToString("D");
        var perFile = (current.Length + files - 1) / files;
        var entries = new (string Key, long Size, string Md5)[files];
        await Parallel.ForEachAsync(Enumerable.Range(0, files), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (k, token) =>
        {
            var key = $"{ruleFolder}data/{uuid}{(k == 0 ? "" : "-" + k.ToString(CultureInfo.InvariantCulture))}.csv.gz";
            var path = Path.Combine(inventoryRoot, key.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var start = Math.Min(current.Length, k * perFile);
            var slice = current.Slice(start, Math.Min(perFile, current.Length - start));
            await WriteDataFileAsync(data, slice, path, token);
            byte[] md5;
            await using (var read = File.OpenRead(path))
            {
                md5 = await MD5.HashDataAsync(read, token);
            }
            entries[k] = (key, new FileInfo(path).Length, Convert.ToHexString(md5));
        });

        var runFolder = $"{ruleFolder}{Dataset.RunFolderName}/";
        var manifest = ManifestJson(entries);
        var runPath = Path.Combine(inventoryRoot, runFolder.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(runPath);
        await File.WriteAllBytesAsync(Path.Combine(runPath, "manifest.json"), manifest, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(runPath, "manifest.checksum"), Convert.ToHexString(MD5.HashData(manifest)), cancellationToken);
        return entries.Select(e => Path.Combine(inventoryRoot, e.Key.Replace('/', Path.DirectorySeparatorChar))).ToList();
    }

    private static async Task WriteDataFileAsync(Synthetic data, ReadOnlyMemory<int> rows, string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        await using var writer = new StreamWriter(gzip, new UTF8Encoding(false), 1 << 20);
        var line = new StringBuilder(1 << 16);
        for (var r = 0; r < rows.Length; r++)
        {
            long i = rows.Span[r];
            var version = data.Current(i);
            // Newer OSS documentation: bucket bare, every other field quoted, '/' as %2F, hyphens in the time.
            line.Append(Synthetic.SourceBucket).Append(",\"");
            OssKeyEncoding.Append(line, data.Key(i));
            line.Append("\",\"").Append(version.Size.ToString(CultureInfo.InvariantCulture))
                .Append("\",\"").Append(data.StorageClass(i))
                .Append("\",\"").Append(version.Modified.UtcDateTime.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture))
                .Append("\",\"").Append(version.ETag)
                .Append("\",\"").Append(version.ETag.Contains('-', StringComparison.Ordinal) ? "true" : "false")
                .Append("\",\"false\"\n");
            if (line.Length > 60_000)
            {
                await writer.WriteAsync(line, cancellationToken);
                line.Clear();
            }
        }
        await writer.WriteAsync(line, cancellationToken);
    }

    private static byte[] ManifestJson((string Key, long Size, string Md5)[] files)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("creationTimestamp", Dataset.CreationTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            json.WriteString("destinationBucket", Dataset.InventoryBucket);
            json.WriteString("fileFormat", "CSV");
            json.WriteString("fileSchema", string.Join(", ", Dataset.Schema));
            json.WriteStartArray("files");
            foreach (var (key, size, md5) in files)
            {
                json.WriteStartObject();
                json.WriteString("MD5checksum", md5);
                json.WriteString("key", key);
                json.WriteNumber("size", size);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("sourceBucket", Synthetic.SourceBucket);
            json.WriteString("version", "2019-09-01");
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>DuckDB converts the previous point's csv.gz to parquet (streaming), standing for a vault it cannot read.</summary>
    private static void ToParquet(string csv, string parquet, string scratch)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SET temp_directory = '{Sql(Path.Combine(scratch, "duckdb-tmp"))}'; SET preserve_insertion_order = false; " +
            $"COPY (SELECT * FROM read_csv('{Sql(csv)}', header = true, auto_detect = false, delim = ',', quote = '\"', " +
            "columns = {'k': 'VARCHAR', 'size': 'BIGINT', 'etag': 'VARCHAR', 'mtime': 'TIMESTAMP'})) " +
            $"TO '{Sql(parquet)}' (FORMAT parquet)";
        command.ExecuteNonQuery();
    }

    public static string Sql(string text) => text.Replace("'", "''", StringComparison.Ordinal);
}
