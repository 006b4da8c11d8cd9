using System.Text.Json;

namespace OssBackup.Engine.Vault;

/// <summary>The vault's <c>config</c> file: fixed at creation, read by every reader first.</summary>
public sealed class VaultConfig
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;
    public string Id { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Objects larger than this are split into chunks of this size; smaller ones are one blob.</summary>
    public int ChunkSize { get; set; } = 8 << 20;

    /// <summary>A pack is sealed once its blobs reach this size.</summary>
    public int PackSize { get; set; } = 16 << 20;

    public string Compression { get; set; } = "zstd";
    public int CompressionLevel { get; set; } = 3;
    public string Encryption { get; set; } = "none";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, SnapshotManifest.Json);

    public static VaultConfig FromJson(ReadOnlySpan<byte> json, string location)
    {
        var config = JsonSerializer.Deserialize<VaultConfig>(json, SnapshotManifest.Json)
            ?? throw new InvalidDataException($"The vault config at '{location}' is empty.");
        if (config.Version != CurrentVersion)
        {
            throw new InvalidDataException($"The vault at '{location}' has format version {config.Version}; this OssBackup reads version {CurrentVersion}.");
        }
        if (config.Encryption != "none")
        {
            throw new InvalidDataException($"The vault at '{location}' is encrypted with '{config.Encryption}', which this OssBackup cannot read.");
        }
        return config;
    }
}
