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
    /// <summary>2: levels have pack lists and dead-pack lists. A cache of format 1 has neither and is rebuilt once.</summary>
    public const int ManifestFormat = 2;
    private const string ManifestName = "manifest.json";
    private const string LockName = "lock";
    private const string ScratchName = "tmp";
    private const string LevelPrefix = "level-";
    private const string LevelSuffix = ".blobs";
    private const string DeadPrefix = "dead-";
    private const string PackListSuffix = ".packs";

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
        var levels = new List<OpenLevel>();
        var report = new LoadCounters();
        try
        {
            if (manifest is not null)
            {
                rebuildReason = FindChangedIndexFile(manifest, listed)
                    ?? OpenLevels(manifest, levels)
                    ?? await UpdateAsync(manifest, listed, levels, report, cancellationToken);
            }
            if (rebuildReason is not null)
            {
                DisposeAll(levels);
                levels.Clear();
                report = new LoadCounters();
                manifest = await RebuildAsync(listed, levels, report, cancellationToken);
            }
            manifest!.Levels = levels.Select(l => l.Entry).ToList();
            WriteManifest(manifest);
            DeleteUnreferencedFiles(manifest);
        }
        catch
        {
            DisposeAll(levels);
            throw;
        }
        var deadPacks = DeadPacksOf(levels);
        var outcome = rebuildReason is not null ? IndexCacheOutcome.Rebuilt
            : report.IndexFilesRead > 0 || report.IndexFilesGone > 0 ? IndexCacheOutcome.Extended
            : IndexCacheOutcome.Reused;
        var load = new IndexCacheLoad(outcome, rebuildReason, report.IndexFilesRead, report.BlobsRead, levels.Count, report.FilesMerged,
            report.IndexFilesGone, deadPacks.Count, report.RecordsPurged, isPrivate, clock.Elapsed);
        return new BlobIndex(levels.Select(l => l.File).ToList(), deadPacks, load, isPrivate ? null : () => TryDelete(ManifestPath), isPrivate ? _folder : null);
    }

    /// <summary>Index files never change once written: one of another size means the cache does not describe this vault.</summary>
    private static string? FindChangedIndexFile(IndexCacheManifest manifest, IReadOnlyDictionary<string, long> listed)
    {
        foreach (var (name, size) in manifest.IndexFiles)
        {
            if (listed.TryGetValue(name, out var listedSize) && listedSize != size)
            {
                return $"index file '{name}' it covers has changed";
            }
        }
        return null;
    }

    /// <summary>Opens the manifest's files; returns why the cache must be rebuilt when one cannot be used.</summary>
    private string? OpenLevels(IndexCacheManifest manifest, List<OpenLevel> levels)
    {
        foreach (var entry in manifest.Levels)
        {
            try
            {
                var level = new OpenLevel(entry, SortedBlobFile.Open(Path.Combine(_folder, entry.File), _vaultId));
                levels.Add(level);
                if (level.File.Count != entry.Count)
                {
                    return $"cache file '{entry.File}' holds {level.File.Count} records, its manifest says {entry.Count}";
                }
                if (!File.Exists(PackListPathOf(entry)))
                {
                    return $"cache file '{entry.File}' has no pack list";
                }
                if (entry.DeadPacks is not null)
                {
                    level.Dead = PackListFile.Read(Path.Combine(_folder, entry.DeadPacks), _vaultId);
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return $"cache file '{entry.File}' is unusable: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>
    /// Brings an open cache up to date: index files written since the last load become one new level, index files
    /// gone (a prune rewrote or deleted them) turn the packs no current index file lists into dead packs, and the
    /// newest levels are merged while the one before them is not much larger. Returns why the cache must be rebuilt
    /// instead, when its bookkeeping cannot say which packs died.
    /// </summary>
    private async Task<string?> UpdateAsync(IndexCacheManifest manifest, IReadOnlyDictionary<string, long> listed, List<OpenLevel> levels, LoadCounters report, CancellationToken cancellationToken)
    {
        var gone = manifest.IndexFiles.Keys.Where(name => !listed.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        var added = listed.Where(f => !manifest.IndexFiles.ContainsKey(f.Key)).ToList();
        OpenLevel? built = null;
        List<IndexFilePacks> addedPacks = [];
        if (added.Count > 0)
        {
            (built, addedPacks) = await BuildLevelAsync(added, report, cancellationToken);
        }
        if (gone.Count > 0 && MarkDeadPacks(manifest, gone, addedPacks, levels, report) is { } problem)
        {
            built?.File.Dispose();
            return problem;
        }
        foreach (var (indexFile, size) in added)
        {
            manifest.IndexFiles[indexFile] = size;
        }
        if (built is null)
        {
            return null;
        }
        levels.Add(built);
        return MergeNewestLevels(levels, report);
    }

    /// <summary>
    /// The packs of <paramref name="gone"/> that no remaining or added index file lists are dead: each level whose
    /// pack list names one records it in a new dead-pack list, and lookups skip its records from then on. Work and
    /// memory are proportional to the packs of the vault, never to its blobs.
    /// </summary>
    private string? MarkDeadPacks(IndexCacheManifest manifest, List<string> gone, List<IndexFilePacks> addedPacks, List<OpenLevel> levels, LoadCounters report)
    {
        var goneNames = gone.ToHashSet(StringComparer.Ordinal);
        var packLists = new List<List<IndexFilePacks>>(levels.Count);
        foreach (var level in levels)
        {
            try
            {
                packLists.Add(PackListFile.Read(PackListPathOf(level.Entry), _vaultId));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return $"the pack list of cache file '{level.Entry.File}' is unusable: {e.Message}";
            }
        }
        var killedBy = new Dictionary<PackId, string>();
        var accounted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in packLists.SelectMany(list => list).Where(g => goneNames.Contains(g.IndexFile)))
        {
            accounted.Add(group.IndexFile);
            foreach (var pack in group.Packs)
            {
                killedBy.TryAdd(pack, group.IndexFile);
            }
        }
        if (gone.FirstOrDefault(name => !accounted.Contains(name)) is { } unaccounted)
        {
            return $"no pack list records the packs of index file '{unaccounted}', which is gone";
        }
        var stillListed = packLists.SelectMany(list => list)
            .Where(g => manifest.IndexFiles.ContainsKey(g.IndexFile) && !goneNames.Contains(g.IndexFile))
            .Concat(addedPacks);
        foreach (var group in stillListed)
        {
            foreach (var pack in group.Packs)
            {
                killedBy.Remove(pack);
            }
        }
        for (var i = 0; i < levels.Count && killedBy.Count > 0; i++)
        {
            var newlyDead = packLists[i].SelectMany(g => g.Packs).Where(killedBy.ContainsKey).Distinct()
                .GroupBy(pack => killedBy[pack], StringComparer.Ordinal)
                .Select(g => new IndexFilePacks(g.Key, manifest.IndexFiles[g.Key], SortedPacks(g)))
                .ToList();
            if (newlyDead.Count == 0)
            {
                continue;
            }
            var level = levels[i];
            level.Dead = [.. level.Dead, .. newlyDead];
            var name = NewFileName(DeadPrefix, PackListSuffix);
            PackListFile.Write(Path.Combine(_folder, name), _vaultId, level.Dead);
            level.Entry.DeadPacks = name;
        }
        foreach (var name in gone)
        {
            manifest.IndexFiles.Remove(name);
        }
        report.IndexFilesGone += gone.Count;
        return null;
    }

    /// <summary>
    /// Merges the newest levels into the one before them while that one holds at most
    /// <see cref="IndexCacheOptions.MergeRatio"/> times their records, so most backups write a level as large as what
    /// they read and the level count grows with log n. Records in dead packs are dropped on the way, which is what
    /// lets the dead-pack lists shrink.
    /// </summary>
    private string? MergeNewestLevels(List<OpenLevel> levels, LoadCounters report)
    {
        var from = levels.Count - 1;
        var newer = levels[from].File.Count;
        while (from > 0 && levels[from - 1].File.Count <= _options.MergeRatio * newer)
        {
            from--;
            newer += levels[from].File.Count;
        }
        if (from == levels.Count - 1)
        {
            return null;
        }
        var deadPacks = DeadPacksOf(levels);
        var merged = levels.Skip(from).ToList();
        var livePacks = new List<IndexFilePacks>();
        foreach (var level in merged)
        {
            try
            {
                foreach (var group in PackListFile.Read(PackListPathOf(level.Entry), _vaultId))
                {
                    var live = group.Packs.Where(p => !deadPacks.Contains(p)).ToArray();
                    if (live.Length > 0 || group.Packs.Length == 0)
                    {
                        livePacks.Add(group with { Packs = live });
                    }
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return $"the pack list of cache file '{level.Entry.File}' is unusable: {e.Message}";
            }
        }
        var inputs = merged.Select(l => l.File.Path).ToList();
        DisposeAll(merged);
        levels.RemoveRange(from, merged.Count);
        var entry = new IndexCacheLevel { File = NewFileName(LevelPrefix, LevelSuffix) };
        Directory.CreateDirectory(ScratchFolder);
        (entry.Count, var purged) = SortedBlobFileMerger.Merge(inputs, Path.Combine(_folder, entry.File), _vaultId, ScratchFolder, deadPacks);
        PackListFile.Write(PackListPathOf(entry), _vaultId, livePacks);
        levels.Add(new OpenLevel(entry, SortedBlobFile.Open(Path.Combine(_folder, entry.File), _vaultId)));
        report.FilesMerged += merged.Count;
        report.RecordsPurged += purged;
        return null;
    }

    private async Task<IndexCacheManifest> RebuildAsync(IReadOnlyDictionary<string, long> listed, List<OpenLevel> levels, LoadCounters report, CancellationToken cancellationToken)
    {
        TryDelete(ManifestPath);
        var manifest = new IndexCacheManifest
        {
            Format = ManifestFormat,
            VaultId = _vaultId,
            BuildId = Guid.NewGuid().ToString("N"),
            IndexFiles = new(listed, StringComparer.Ordinal),
        };
        var (level, _) = await BuildLevelAsync(listed, report, cancellationToken);
        if (level is not null)
        {
            levels.Add(level);
        }
        return manifest;
    }

    /// <summary>
    /// Reads index files, streaming, into one new level and its pack list. Returns the level (null when the files
    /// list no blob) and the packs each file lists.
    /// </summary>
    private async Task<(OpenLevel? Level, List<IndexFilePacks> Packs)> BuildLevelAsync(IEnumerable<KeyValuePair<string, long>> indexFiles, LoadCounters report, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(ScratchFolder);
        using var builder = new SortedBlobFileBuilder(_vaultId, ScratchFolder, _options.RunCapacity);
        var packLists = new List<IndexFilePacks>();
        var packs = new HashSet<PackId>();
        foreach (var (name, size) in indexFiles.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            packs.Clear();
            await using (var stream = await _store.GetAsync(name, 0, null, cancellationToken))
            {
                foreach (var blob in IndexFileCodec.ReadBlobs(stream, name))
                {
                    builder.Add(blob);
                    packs.Add(blob.Pack);
                }
            }
            packLists.Add(new IndexFilePacks(name, size, SortedPacks(packs)));
            report.IndexFilesRead++;
        }
        report.BlobsRead += builder.Added;
        if (builder.Added == 0)
        {
            return (null, packLists);
        }
        var entry = new IndexCacheLevel { File = NewFileName(LevelPrefix, LevelSuffix) };
        entry.Count = builder.Complete(Path.Combine(_folder, entry.File));
        PackListFile.Write(PackListPathOf(entry), _vaultId, packLists);
        return (new OpenLevel(entry, SortedBlobFile.Open(Path.Combine(_folder, entry.File), _vaultId)), packLists);
    }

    private static PackId[] SortedPacks(IEnumerable<PackId> packs) => packs.OrderBy(p => p.Value).ToArray();

    private static DeadPackSet DeadPacksOf(IEnumerable<OpenLevel> levels) => new(levels.SelectMany(l => l.Dead).SelectMany(g => g.Packs));

    /// <summary>A level's pack list sits beside it: level-&lt;id&gt;.blobs has level-&lt;id&gt;.packs.</summary>
    private string PackListPathOf(IndexCacheLevel level) => Path.Combine(_folder, PackListNameOf(level.File));

    private static string PackListNameOf(string levelFile) => levelFile[..^LevelSuffix.Length] + PackListSuffix;

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
            _ when manifest.Levels.Any(l => !IsCacheFileName(l.File, LevelPrefix, LevelSuffix)
                || (l.DeadPacks is not null && !IsCacheFileName(l.DeadPacks, DeadPrefix, PackListSuffix))) => "its manifest names a file that is not a cache file",
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
        var referenced = manifest.Levels
            .SelectMany(l => new[] { l.File, PackListNameOf(l.File), l.DeadPacks })
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(_folder))
        {
            var name = Path.GetFileName(path);
            var isCacheFile = IsCacheFileName(name, LevelPrefix, LevelSuffix) || IsCacheFileName(name, LevelPrefix, PackListSuffix) || IsCacheFileName(name, DeadPrefix, PackListSuffix);
            if (name.EndsWith(".partial", StringComparison.Ordinal) || (isCacheFile && !referenced.Contains(name)))
            {
                TryDelete(path);
            }
        }
        TryDeleteFolder(ScratchFolder);
    }

    private static bool IsCacheFileName(string name, string prefix, string suffix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(suffix, StringComparison.Ordinal) && Path.GetFileName(name) == name;

    private static string NewFileName(string prefix, string suffix) => $"{prefix}{Guid.NewGuid():N}{suffix}";

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

    private static void DisposeAll(IEnumerable<OpenLevel> levels)
    {
        foreach (var level in levels)
        {
            level.File.Dispose();
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
        public int IndexFilesGone;
        public long RecordsPurged;
    }

    /// <summary>A level of the manifest, its mapped file, and the dead packs its records may point into.</summary>
    private sealed class OpenLevel(IndexCacheLevel entry, SortedBlobFile file)
    {
        public IndexCacheLevel Entry { get; } = entry;
        public SortedBlobFile File { get; } = file;
        public List<IndexFilePacks> Dead { get; set; } = [];
    }
}

/// <summary>The cache's manifest.json: which sorted files make it up, oldest first, and which index files they cover.</summary>
internal sealed class IndexCacheManifest
{
    public int Format { get; set; }
    public string VaultId { get; set; } = "";

    /// <summary>A new id at each rebuild from every index file, kept by extends, prunes and merges: shows when a rebuild happened.</summary>
    public string BuildId { get; set; } = "";

    public List<IndexCacheLevel> Levels { get; set; } = [];

    /// <summary>Vault index file name → its size; a covered file gone means a prune rewrote or deleted it.</summary>
    public Dictionary<string, long> IndexFiles { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class IndexCacheLevel
{
    /// <summary>The sorted records, level-&lt;id&gt;.blobs; its pack list is level-&lt;id&gt;.packs.</summary>
    public string File { get; set; } = "";

    public long Count { get; set; }

    /// <summary>dead-&lt;id&gt;.packs: the dead packs this level's records may point into; null when there are none.</summary>
    public string? DeadPacks { get; set; }
}
