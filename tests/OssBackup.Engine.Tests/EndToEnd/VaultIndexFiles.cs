using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.EndToEnd;

/// <summary>What a local vault's index files say, read straight from the folder, for tests that check what a backup indexed.</summary>
internal static class VaultIndexFiles
{
    /// <summary>The vault's index files (names relative to the vault, e.g. <c>index/…</c>) and their sizes.</summary>
    public static async Task<Dictionary<string, long>> ListAsync(string vaultLocation)
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var file in new FileBlobStore(vaultLocation).ListAsync("index/", CancellationToken.None))
        {
            files[file.Name] = file.Size;
        }
        return files;
    }

    /// <summary>The packs that <paramref name="indexFiles"/> list, each with its blobs.</summary>
    public static async Task<List<(PackId Pack, long Size, List<(BlobType Type, BlobLocation Location)> Blobs)>> DecodeAsync(string vaultLocation, IEnumerable<string> indexFiles)
    {
        var packs = new List<(PackId Pack, long Size, List<(BlobType Type, BlobLocation Location)> Blobs)>();
        foreach (var name in indexFiles)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(vaultLocation, name), CancellationToken.None);
            packs.AddRange(IndexFileCodec.Decode(bytes, name));
        }
        return packs;
    }

    /// <summary>How many data blobs <paramref name="indexFiles"/> list.</summary>
    public static async Task<int> DataBlobsAsync(string vaultLocation, IEnumerable<string> indexFiles) =>
        (await DecodeAsync(vaultLocation, indexFiles)).Sum(p => p.Blobs.Count(b => b.Type == BlobType.Data));
}
