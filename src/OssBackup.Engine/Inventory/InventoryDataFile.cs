namespace OssBackup.Engine.Inventory;

/// <summary>One entry of manifest.json <c>files[]</c>: a gzip CSV data file, its size and the hex MD5 of its bytes.</summary>
/// <param name="Key">The full key in the inventory bucket.</param>
/// <param name="Size">The size of the compressed file in bytes.</param>
/// <param name="Md5">Hex MD5 of the compressed bytes as the manifest writes it (any case; compare case-insensitively).</param>
public sealed record InventoryDataFile(string Key, long Size, string Md5)
{
    public bool Md5Matches(ReadOnlySpan<byte> md5) => string.Equals(Convert.ToHexString(md5), Md5.Trim(), StringComparison.OrdinalIgnoreCase);
}
