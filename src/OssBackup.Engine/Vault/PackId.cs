using System.Security.Cryptography;

namespace OssBackup.Engine.Vault;

/// <summary>A pack's name: 16 random bytes, unique per writer, so writers never coordinate.</summary>
public readonly record struct PackId(UInt128 Value)
{
    public const int Size = 16;

    public static PackId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    public static PackId Read(ReadOnlySpan<byte> bytes) => new(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes));

    public void Write(Span<byte> destination) => System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public static PackId Parse(string hex) => Read(Convert.FromHexString(hex));

    /// <summary>The pack's file name inside the vault: data/&lt;first two hex digits&gt;/&lt;hex&gt;.</summary>
    public string FileName
    {
        get
        {
            var hex = ToString();
            return $"data/{hex[..2]}/{hex}";
        }
    }

    public override string ToString() => Value.ToString("x32");
}
