using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Planning;

/// <summary>
/// An object reduced to what an incremental plan compares: a 128-bit hash of its key and a 64-bit hash of
/// its version (size, time, ETag ignoring case), the same whether it comes from an inventory row or a
/// table entry. Equal versions are what <see cref="ObjectEntry.SameVersionAs"/> calls the same; a hash that
/// differs only makes an object be read again, never skipped.
/// </summary>
internal readonly record struct ObjectDigest(ulong KeyHigh, ulong KeyLow, ulong Version)
{
    public const int Size = 24;

    public bool SameKeyAs(in ObjectDigest other) => KeyHigh == other.KeyHigh && KeyLow == other.KeyLow;

    public int CompareKeyTo(in ObjectDigest other)
    {
        var high = KeyHigh.CompareTo(other.KeyHigh);
        return high != 0 ? high : KeyLow.CompareTo(other.KeyLow);
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, KeyHigh);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], KeyLow);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], Version);
    }

    public static ObjectDigest Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[16..]));

    /// <summary>
    /// The digest of an object from its key's UTF-8, size, UTC ticks and ETag bytes. The seed is a secret of the
    /// digest file the result is compared with, so keys cannot be crafted to collide.
    /// </summary>
    public static ObjectDigest Of(ReadOnlySpan<byte> keyUtf8, long size, long utcTicks, ReadOnlySpan<byte> etagUtf8, long seed)
    {
        Span<byte> key = stackalloc byte[16];
        XxHash128.Hash(keyUtf8, key, seed);
        return new ObjectDigest(BinaryPrimitives.ReadUInt64BigEndian(key), BinaryPrimitives.ReadUInt64BigEndian(key[8..]), VersionHash(size, utcTicks, etagUtf8, seed));
    }

    /// <summary>The digest of a table entry; its key and ETag are read from its encoding when it has one.</summary>
    public static ObjectDigest Of(ObjectEntry entry, long seed)
    {
        var encoded = entry.EncodedAsRead;
        if (!encoded.IsEmpty)
        {
            return Of(TableSegmentCodec.KeyBytes(encoded), entry.Size, entry.LastModified.UtcTicks, entry.EncodedETag, seed);
        }
        var keyLength = Encoding.UTF8.GetMaxByteCount(entry.Key.Length);
        var etag = Encoding.UTF8.GetBytes(entry.ETag);
        byte[]? rented = null;
        var key = keyLength <= 1024 ? stackalloc byte[keyLength] : (rented = ArrayPool<byte>.Shared.Rent(keyLength));
        try
        {
            var written = Encoding.UTF8.GetBytes(entry.Key, key);
            return Of(key[..written], entry.Size, entry.LastModified.UtcTicks, etag, seed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>ETags compare ignoring case: ASCII ones (all real ones) are upper-cased byte by byte, others as strings.</summary>
    private static ulong VersionHash(long size, long utcTicks, ReadOnlySpan<byte> etagUtf8, long seed)
    {
        if (!Ascii.IsValid(etagUtf8))
        {
            return VersionHash(size, utcTicks, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(etagUtf8).ToUpperInvariant()), seed);
        }
        byte[]? rented = null;
        var length = 16 + etagUtf8.Length;
        var buffer = length <= 256 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, size);
            BinaryPrimitives.WriteInt64LittleEndian(buffer[8..], utcTicks);
            Ascii.ToUpper(etagUtf8, buffer.Slice(16, etagUtf8.Length), out _);
            return XxHash3.HashToUInt64(buffer[..length], seed);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
