using System.Text.Json;
using System.Text.Json.Serialization;

namespace OssBackup.Engine.Vault;

/// <summary>What a lock protects against: shared locks (backups) exclude exclusive ones (prune), and an exclusive lock excludes every other lock.</summary>
public enum VaultLockKind
{
    Exclusive,
    Shared,
}

/// <summary>The content of one lock file, <c>locks/&lt;id&gt;</c> (JSON): who holds it and since when.</summary>
public sealed class VaultLockInfo
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>32 lowercase hex digits (16 random bytes); the file is <c>locks/&lt;id&gt;</c>.</summary>
    public string Id { get; set; } = "";

    public VaultLockKind Kind { get; set; }

    /// <summary>Host name of the holder's machine (<see cref="Environment.MachineName"/>).</summary>
    public string Host { get; set; } = "";

    public int ProcessId { get; set; }

    public DateTimeOffset Created { get; set; }

    /// <summary>Last time the holder proved it was alive; a lock not refreshed for the stale period may be broken.</summary>
    public DateTimeOffset Refreshed { get; set; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static VaultLockInfo FromJson(ReadOnlySpan<byte> json, string name)
    {
        var info = JsonSerializer.Deserialize<VaultLockInfo>(json, Json) ?? throw new InvalidDataException($"Lock file '{name}' is empty.");
        if (info.Id.Length == 0 || info.Host.Length == 0)
        {
            throw new InvalidDataException($"Lock file '{name}' does not name its id and host.");
        }
        return info;
    }

    /// <summary>For messages: "exclusive lock 0123… held by process 4242 on host 'nas' since … (last refreshed …)".</summary>
    public override string ToString() =>
        $"{(Kind == VaultLockKind.Exclusive ? "exclusive" : "shared")} lock {Id} held by process {ProcessId} on host '{Host}' since {Created.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (last refreshed {Refreshed.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)";
}
