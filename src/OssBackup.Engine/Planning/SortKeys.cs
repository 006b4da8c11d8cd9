using System.Buffers.Binary;

namespace OssBackup.Engine.Planning;

/// <summary>Byte-wise key comparison with an 8-byte big-endian prefix that settles most comparisons in one step.</summary>
internal static class SortKeys
{
    /// <summary>
    /// The first 8 key bytes as a big-endian number, zero-padded. Different prefixes order like their keys;
    /// equal prefixes say nothing (a key may end where another has a zero byte).
    /// </summary>
    public static ulong Prefix(ReadOnlySpan<byte> key)
    {
        if (key.Length >= sizeof(ulong))
        {
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        }
        ulong value = 0;
        for (var i = 0; i < key.Length; i++)
        {
            value |= (ulong)key[i] << (56 - 8 * i);
        }
        return value;
    }

    public static int Compare(ulong prefixA, ReadOnlySpan<byte> a, ulong prefixB, ReadOnlySpan<byte> b)
    {
        if (prefixA != prefixB)
        {
            return prefixA < prefixB ? -1 : 1;
        }
        // equal prefixes of keys that both have 8 bytes are equal bytes: compare only what follows them
        return a.Length >= sizeof(ulong) && b.Length >= sizeof(ulong)
            ? a[sizeof(ulong)..].SequenceCompareTo(b[sizeof(ulong)..])
            : a.SequenceCompareTo(b);
    }
}
