using System.Text;

namespace OssBackup.Engine.Util;

/// <summary>
/// Decodes short UTF-8 strings that repeat (storage classes, metadata names and common values) to one
/// shared instance each. Direct-mapped and fixed in size: a string that collides replaces the older
/// one, so memory stays bounded however many distinct values pass through. Not thread-safe.
/// </summary>
internal sealed class Utf8StringCache
{
    /// <summary>Longer strings are rarely shared (user metadata, ETags); decoding them is cheaper than looking them up.</summary>
    public const int MaxCachedLength = 64;

    private const int Slots = 256;

    private readonly byte[]?[] _bytes = new byte[Slots][];
    private readonly string?[] _strings = new string[Slots];
    private int _lastSlot = -1;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
        {
            return "";
        }
        if (utf8.Length > MaxCachedLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        // Neighbouring entries mostly repeat the last value (a storage class): no need to hash it.
        if (_lastSlot >= 0 && utf8.SequenceEqual(_bytes[_lastSlot]))
        {
            return _strings[_lastSlot]!;
        }
        var hash = new HashCode();
        hash.AddBytes(utf8);
        var slot = (int)((uint)hash.ToHashCode() % Slots);
        var cached = _bytes[slot];
        _lastSlot = slot;
        if (cached is not null && utf8.SequenceEqual(cached))
        {
            return _strings[slot]!;
        }
        var value = Encoding.UTF8.GetString(utf8);
        _bytes[slot] = utf8.ToArray();
        _strings[slot] = value;
        return value;
    }
}
