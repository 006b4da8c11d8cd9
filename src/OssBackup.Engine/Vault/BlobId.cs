using System.Security.Cryptography;

namespace OssBackup.Engine.Vault;

/// <summary>The SHA-256 of a blob's plaintext: its name in the vault and its integrity check.</summary>
public readonly record struct BlobId(UInt128 High, UInt128 Low)
{
    public const int Size = 32;

    public static BlobId Of(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(plaintext, hash);
        return Read(hash);
    }

    public static BlobId Read(ReadOnlySpan<byte> bytes) => new(
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes[16..]));

    public void Write(Span<byte> destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, High);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination[16..], Low);
    }

    public static BlobId Parse(string hex) => Read(Convert.FromHexString(hex));

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
