using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OssBackup.Engine.Storage;

namespace OssBackup.Engine.Vault.IndexCache;

/// <summary>
/// The local index cache of one vault (docs/architecture.md, "The index cache"): sorted blob files derived from the
/// vault's index files, plus a manifest naming those files and the index files they cover. Everything here can be
/// deleted at any time; the next load rebuilds it. Changes happen under a lock file, and every file is written
/// under a temporary name and renamed, so concurrent backups and crashes leave either the old or the new state.
/// </summary>
internal sealed class IndexCacheFolder
{
    public const int ManifestFormat = 1;
    private const string ManifestName = "manifest.json";
    private const string LockName = "lock";
    private const string ScratchName = "tmp";
    private const string LevelPrefix = "level-";
    private const string LevelSuffix = ".blobs";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly IBlobStore _store;
    private readonly string _vaultId;
    private readonly string _folder;
    private readonly IndexCacheOptions _options;

    private IndexCacheFolder(IBlobStore store, string vaultId, string folder, IndexCacheOptions options)
    {
        _store = store;
        _vaultId = vaultId;
        _folder = folder;
        _options = options;
    }

    private string ManifestPath => Path.Combine(_folder, ManifestName);

    private string ScratchFolder => Path.Combine(_folder, ScratchName);

    /// <summary>
    /// Brings the cache of a vault up to date with its index files and opens it. <paramref name="cacheRoot"/> holds
    /// one folder per vault id. When another process keeps the cache locked for longer than
    /// <see cref="IndexCacheOptions.LockWait"/>, a private cache is built beside it and deleted with the index.
    /// </summary>
    public static async Task<BlobIndex> LoadAsync(IBlobStore store, string vaultId, string cacheRoot, IndexCacheOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var shared = new IndexCacheFolder(store, vaultId, Path.Combine(cacheRoot, FolderNameOf(vaultId)), options);
        Directory.CreateDirectory(shared._folder);
        using (var held = await TryLockAsync(shared._folder, options.LockWait, cancellationToken))
        {
            if (held is not null)
            {
                return await shared.LoadLockedAsync(isPrivate: false, clock, cancellationToken);
            }
        }
        var own = new IndexCacheFolder(store, vaultId, $"{shared._folder}-private-{Environment.ProcessId}-{Guid.NewGuid():N}", options);
        Directory.CreateDirectory(own._folder);
        try
        {
            return await own.LoadLockedAsync(isPrivate: true, clock, cancellationToken);
        }
        catch
        {
            TryDeleteFolder(own._folder);
            throw;
        }
    }

    /// <summary>Ids are 32 hex digits; anything else (a hand-edited config) is hashed into a safe folder name.</summary>
    public static string FolderNameOf(string vaultId) =>
        vaultId.Length == 32 && vaultId.All(char.IsAsciiHexDigitLower)
            ? vaultId
            : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(vaultId)))[..32].ToLowerInvariant();

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process may still have the file mapped (Windows refuses then); the next update retries.
        }
    }

    private async Task<BlobIndex> LoadLockedAsync(bool isPrivate, Stopwatch clock, CancellationToken cancellationToken)
    {
        var listed = await ListIndexFilesAsync(cancellationToken);
        string? rebuildReason = "another process holds the shared cache";
        var manifest = isPrivate ? null : ReadManifest(out rebuildReason);
        var levels = new List<SortedBlobFile>();
        var report = new LoadCounters();
        try
        {
            if (manifest is not null)
            {
                rebuildReason = FindGoneIndexFile(manifest, listed) ?? OpenLevels(manifest, levels);
            }
            if (rebuildReason is null)
            {
                await ExtendAsync(manifest!, listed, levels, report, cancellationToken);
            }
            else
            {
                DisposeAll(levels);
                manifest = await RebuildAsync(listed, levels, report, cancellationToken);
            }
            WriteManifest(manifest!);
            DeleteUnreferencedFiles(manifest!);
        }
        catch
        {
            DisposeAll(levels);
            throw;
        }
        var outcome = rebuildReason is not null ? IndexCacheOutcome.Rebuilt
            : report.IndexFilesRead > 0 ? IndexCacheOutcome.Extended
            : IndexCacheOutcome.Reused;
        var load = new IndexCacheLoad(outcome, rebuildReason, report.IndexFilesRead, report.BlobsRead, levels.Count, report.FilesMerged, isPrivate, clock.Elapsed);
        return new BlobIndex(levels, load, isPrivate ? null : () => TryDelete(ManifestPath), isPrivate ? _folder : null);
    }

    private static string? FindGoneIndexFile(IndexCacheManifest manifest, IReadOnlyDictionary<string, long> listed)
    {
        foreach (var (name, size) in manifest.IndexFiles)
        {
            if (!listed.TryGetValue(name, out var listedSize) || listedSize != size)
            {
                return $"index file '{name}' it covers is gone (pruned) or changed";
            }
        }
        return null;
    }

    /// <summary>Opens the manifest's files; returns why the cache must be rebuilt when one cannot be used.</summary>
    private string? OpenLevels(IndexCacheManifest manifest, List<SortedBlobFile> levels)
    {
        foreach (var level in manifest.Levels)
        {
            try
            {
                var file = SortedBlobFile.Open(Path.Combine(_folder, level.File), _vaultId);
                levels.Add(file);
                if (file.Count != level.Count)
                {
                    return $"cache file '{level.File}' holds {file.Count} records, its manifest says {level.Count}";
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return $"cache file '{level.File}' is unusable: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>
    /// Adds index files the cache does not cover yet as one new sorted file, then merges the newest files into
    /// the one before them while that one is not much larger (see <see cref="IndexCacheOptions.MergeRatio"/>),
    /// so most backups write a file as large as what they read, and the file count grows with log n.
    /// </summary>
    private async Task ExtendAsync(IndexCacheManifest manifest, IReadOnlyDictionary<string, long> listed, List<SortedBlobFile> levels, LoadCounters report, CancellationToken cancellationToken)
    {
        var added = listed.Where(f => !manifest.IndexFiles.ContainsKey(f.Key)).ToList();
        if (added.Count == 0)
        {
            return;
        }
        var level = await BuildLevelAsync(added.Select(f => f.Key), report, cancellationToken);
        foreach (var (indexFile, size) in added)
        {
            manifest.IndexFiles[indexFile] = size;
        }
        if (level is null)
        {
            return;
        }
        manifest.Levels.Add(level);
        levels.Add(SortedBlobFile.Open(Path.Combine(_folder, level.File), _vaultId));

        var from = levels.Count - 1;
        var newer = levels[from].Count;
        while (from > 0 && levels[from - 1].Count <= _options.MergeRatio * newer)
        {
            from--;
            newer += levels[from].Count;
        }
        if (from == levels.Count - 1)
        {
            return;
        }
        var merged = levels.Skip(from).ToList();
        var inputs = merged.Select(l => l.Path).ToList();
        DisposeAll(merged);
        levels.RemoveRange(from, merged.Count);
        var name = NewLevelName();
        Directory.CreateDirectory(ScratchFolder);
        var count = SortedBlobFileMerger.Merge(inputs, Path.Combine(_folder, name), _vaultId, ScratchFolder);
        manifest.Levels.RemoveRange(from, merged.Count);
        manifest.Levels.Add(new IndexCacheLevel { File = name, Count = count });
        levels.Add(SortedBlobFile.Open(Path.Combine(_folder, name), _vaultId));
        report.FilesMerged += merged.Count;
    }

    private async Task<IndexCacheManifest> RebuildAsync(IReadOnlyDictionary<string, long> listed, List<SortedBlobFile> levels, LoadCounters report, CancellationToken cancellationToken)
    {
        TryDelete(ManifestPath);
        var manifest = new IndexCacheManifest { Format = ManifestFormat, VaultId = _vaultId, IndexFiles = new(listed, StringComparer.Ordinal) };
        var level = await BuildLevelAsync(listed.Keys, report, cancellationToken);
        if (level is not null)
        {
            manifest.Levels.Add(level);
            levels.Add(SortedBlobFile.Open(Path.Combine(_folder, level.File), _vaultId));
        }
        return manifest;
    }

    /// <summary>Reads index files, streaming, into one new sorted file; null when they list no blob.</summary>
    private async Task<IndexCacheLevel?> BuildLevelAsync(IEnumerable<string> indexFiles, LoadCounters report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(ScratchFolder);
        using var builder = new SortedBlobFileBuilder(_vaultId, ScratchFolder, _options.RunCapacity);
        foreach (var name in indexFiles.Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var stream = await _store.GetAsync(name, 0, null, cancellationToken);
            foreach (var blob in IndexFileCodec.ReadBlobs(stream, name))
            {
                builder.Add(blob);
            }
            report.IndexFilesRead++;
        }
        report.BlobsRead += builder.Added;
        if (builder.Added == 0)
        {
            return null;
        }
        var file = NewLevelName();
        var count = builder.Complete(Path.Combine(_folder, file));
        return new IndexCacheLevel { File = file, Count = count };
    }

    private async Task<Dictionary<string, long>> ListIndexFilesAsync(CancellationToken cancellationToken)
    {
        var listed = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var file in _store.ListAsync(VaultRepository.IndexFolder, cancellationToken))
        {
            listed[file.Name] = file.Size;
        }
        return listed;
    }

    /// <summary>The manifest, or null (with the reason) when there is none or it does not fit this vault.</summary>
    private IndexCacheManifest? ReadManifest(out string? problem)
    {
        IndexCacheManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<IndexCacheManifest>(File.ReadAllBytes(ManifestPath), Json);
        }
        catch (FileNotFoundException)
        {
            problem = "no cache yet";
            return null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            problem = $"its manifest is unreadable: {e.Message}";
            return null;
        }
        problem = manifest switch
        {
            null => "its manifest is empty",
            { Format: not ManifestFormat } => $"its manifest has format {manifest.Format}",
            _ when manifest.VaultId != _vaultId => "its manifest belongs to another vault",
            _ when manifest.Levels.Any(l => !IsLevelName(l.File)) => "its manifest names a file that is not a cache file",
            _ => null,
        };
        return problem is null ? manifest : null;
    }

    private void WriteManifest(IndexCacheManifest manifest)
    {
        var temporary = $"{ManifestPath}.{Guid.NewGuid():N}.partial";
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, manifest, Json);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, ManifestPath, overwrite: true);
    }

    /// <summary>Files of earlier merges or of interrupted builds: nobody needs them once the manifest is written.</summary>
    private void DeleteUnreferencedFiles(IndexCacheManifest manifest)
    {
        var referenced = manifest.Levels.Select(l => l.File).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(_folder))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".partial", StringComparison.Ordinal) || (IsLevelName(name) && !referenced.Contains(name)))
            {
                TryDelete(path);
            }
        }
        TryDeleteFolder(ScratchFolder);
    }

    private static bool IsLevelName(string name) =>
        name.StartsWith(LevelPrefix, StringComparison.Ordinal) && name.EndsWith(LevelSuffix, StringComparison.Ordinal) && Path.GetFileName(name) == name;

    private static string NewLevelName() => $"{LevelPrefix}{Guid.NewGuid():N}{LevelSuffix}";

    private static async Task<FileStream?> TryLockAsync(string folder, TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, LockName);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive lock between processes (LockFileEx on Windows, flock elsewhere).
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < wait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private static void DisposeAll(IEnumerable<SortedBlobFile> files)
    {
        foreach (var file in files)
        {
            file.Dispose();
        }
    }

    public static void TryDeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed class LoadCounters
    {
        public int IndexFilesRead;
        public long BlobsRead;
        public int FilesMerged;
    }
}

/// <summary>The cache's manifest.json: which sorted files make it up, oldest first, and which index files they cover.</summary>
internal sealed class IndexCacheManifest
{
    public int Format { get; set; }
    public string VaultId { get; set; } = "";
    public List<IndexCacheLevel> Levels { get; set; } = [];

    /// <summary>Vault index file name → its size; a covered file gone or of another size means a prune rewrote it.</summary>
    public Dictionary<string, long> IndexFiles { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class IndexCacheLevel
{
    public string File { get; set; } = "";
    public long Count { get; set; }
}
