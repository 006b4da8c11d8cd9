using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using System.Text;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// Parses the values of inventory CSV fields straight from their UTF-8 bytes. Each method throws
/// <see cref="FormatException"/> with a message that says what was expected; the caller adds file, row and column.
/// </summary>
internal static class InventoryValues
{
    /// <summary>
    /// Decodes a key as a form value: '+' is a space, then each %XX is one byte, and the bytes are UTF-8.
    /// A literal '+' in a key is always written %2B. <paramref name="scratch"/> is reused between calls.
    /// </summary>
    public static string DecodeKey(ReadOnlySpan<byte> raw, ref byte[] scratch) => Encoding.UTF8.GetString(DecodeKeyBytes(raw, ref scratch));

    /// <summary>
    /// The UTF-8 bytes of the key <see cref="DecodeKey"/> would return, checked to be valid UTF-8: either
    /// <paramref name="raw"/> itself or a part of <paramref name="scratch"/>, valid until the next call.
    /// </summary>
    public static ReadOnlySpan<byte> DecodeKeyBytes(ReadOnlySpan<byte> raw, ref byte[] scratch)
    {
        if (raw.IndexOfAny((byte)'%', (byte)'+') < 0)
        {
            return ValidUtf8(raw, raw);
        }
        if (scratch.Length < raw.Length + Vector128<byte>.Count)
        {
            scratch = new byte[Math.Max(raw.Length + Vector128<byte>.Count, scratch.Length * 2)];
        }
        // Sixteen bytes at a time: a block without '%' or '+' is copied whole; otherwise the whole block is stored, the
        // output advances to the first escape, and the escape is decoded. Most keys are plain text between a few %2F, and a
        // byte-by-byte loop pays a mispredicted branch per escape and a few cycles per byte. The scratch has 16 bytes of
        // slack for the stores past the end, and the decoded key is never longer than the raw one.
        ref var source = ref MemoryMarshal.GetReference(raw);
        ref var target = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref var hex = ref MemoryMarshal.GetReference(HexDigits);
        var percent = Vector128.Create((byte)'%');
        var plus = Vector128.Create((byte)'+');
        var length = 0;
        var i = 0;
        while (true)
        {
            if (i + Vector128<byte>.Count <= raw.Length)
            {
                var block = Vector128.LoadUnsafe(ref source, (nuint)i);
                block.StoreUnsafe(ref target, (nuint)length);
                var escapes = (Vector128.Equals(block, percent) | Vector128.Equals(block, plus)).ExtractMostSignificantBits();
                if (escapes == 0)
                {
                    i += Vector128<byte>.Count;
                    length += Vector128<byte>.Count;
                    continue;
                }
                var plain = BitOperations.TrailingZeroCount(escapes);
                i += plain;
                length += plain;
            }
            else
            {
                // The tail, shorter than a block.
                while (i < raw.Length && Unsafe.Add(ref source, i) is not ((byte)'%' or (byte)'+'))
                {
                    Unsafe.Add(ref target, length++) = Unsafe.Add(ref source, i++);
                }
                if (i == raw.Length)
                {
                    break;
                }
            }
            if (Unsafe.Add(ref source, i) == (byte)'+')
            {
                Unsafe.Add(ref target, length++) = (byte)' ';
                i++;
                continue;
            }
            if (i + 2 >= raw.Length)
            {
                throw new FormatException($"'{Shown(raw)}' ends in an incomplete %-escape '{Encoding.UTF8.GetString(raw[i..])}'");
            }
            var high = Unsafe.Add(ref hex, Unsafe.Add(ref source, i + 1));
            var low = Unsafe.Add(ref hex, Unsafe.Add(ref source, i + 2));
            if ((high | low) > 0x0F)
            {
                throw new FormatException($"'{Shown(raw)}' has an invalid %-escape '{Encoding.UTF8.GetString(raw.Slice(i, 3))}' at position {i + 1}");
            }
            Unsafe.Add(ref target, length++) = (byte)((high << 4) | low);
            i += 3;
        }
        var decoded = scratch.AsSpan();
        return ValidUtf8(decoded[..length], raw);
    }

    /// <summary>A size: a non-negative decimal integer.</summary>
    public static long ParseSize(ReadOnlySpan<byte> raw)
    {
        // Up to 18 digits cannot overflow: summed directly (one per row); longer ones go through the framework's parser.
        if (raw.Length is > 0 and <= 18)
        {
            long size = 0;
            foreach (var b in raw)
            {
                var digit = (uint)(b - '0');
                if (digit > 9)
                {
                    throw new FormatException($"'{Shown(raw)}' is not a size in bytes");
                }
                size = (size * 10) + digit;
            }
            return size;
        }
        if (raw.Length > 0 && raw[0] is >= (byte)'0' and <= (byte)'9' && Utf8Parser.TryParse(raw, out long value, out var consumed) && consumed == raw.Length)
        {
            return value;
        }
        throw new FormatException($"'{Shown(raw)}' is not a size in bytes");
    }

    /// <summary><c>true</c>/<c>false</c> in any letter case.</summary>
    public static bool ParseBool(ReadOnlySpan<byte> raw)
    {
        if (Ascii.EqualsIgnoreCase(raw, "true"u8))
        {
            return true;
        }
        if (Ascii.EqualsIgnoreCase(raw, "false"u8))
        {
            return false;
        }
        throw new FormatException($"'{Shown(raw)}' is not true or false");
    }

    /// <summary>
    /// A UTC time as <c>2025-04-14T07-06-00Z</c> (newer OSS documentation) or ISO 8601
    /// <c>2023-10-26T08:00:00.000Z</c> with or without fractional seconds (English OSS documentation, S3).
    /// Other ISO 8601 forms with an offset are accepted through a slower path.
    /// </summary>
    public static DateTimeOffset ParseTimestamp(ReadOnlySpan<byte> raw)
    {
        if (TryParseFixed(raw, out var value))
        {
            return value;
        }
        Span<char> chars = stackalloc char[64];
        if (raw.Length <= chars.Length && Ascii.IsValid(raw))
        {
            var text = chars[..Encoding.ASCII.GetChars(raw, chars)];
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return parsed;
            }
        }
        throw new FormatException($"'{Shown(raw)}' is not a time such as 2025-04-14T07-06-00Z or 2025-04-14T07:06:00.000Z");
    }

    /// <summary>yyyy-MM-ddTHH?mm?ss[.f…]Z where ? is '-' or ':' (the same both times).</summary>
    private static bool TryParseFixed(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] is not ((byte)'T' or (byte)'t') || s[^1] is not ((byte)'Z' or (byte)'z'))
        {
            return false;
        }
        var separator = s[13];
        if (separator is not ((byte)'-' or (byte)':') || s[16] != separator)
        {
            return false;
        }
        var year = Digits(s, 0, 4);
        var month = Digits(s, 5, 2);
        var day = Digits(s, 8, 2);
        var hour = Digits(s, 11, 2);
        var minute = Digits(s, 14, 2);
        var second = Digits(s, 17, 2);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
        {
            return false;
        }
        long fractionTicks = 0;
        if (s.Length > 20)
        {
            if (s[19] != '.' || s.Length == 21)
            {
                return false;
            }
            var scale = (long)TimeSpan.TicksPerSecond;
            for (var i = 20; i < s.Length - 1; i++)
            {
                var d = s[i] - '0';
                if ((uint)d > 9)
                {
                    return false;
                }
                if (scale > 1)
                {
                    scale /= 10;
                    fractionTicks += d * scale;
                }
            }
        }
        var ticks = (DaysFromYearOne(year, month, day) * TimeSpan.TicksPerDay) + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute)
            + (second * TimeSpan.TicksPerSecond) + fractionTicks;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    /// <summary>Days from 0001-01-01 to a valid proleptic Gregorian date (what <see cref="DateTime"/> counts its ticks from).</summary>
    private static long DaysFromYearOne(int year, int month, int day)
    {
        // Years counted from March, so the leap day ends a year (the usual civil-date arithmetic).
        var y = month <= 2 ? year - 1 : year;
        var shiftedMonth = month <= 2 ? month + 9 : month - 3;
        var dayOfYear = ((153 * shiftedMonth) + 2) / 5 + day - 1;
        var days = (365L * y) + (y / 4) - (y / 100) + (y / 400) + dayOfYear;
        // 0001-01-01 is day 306 of year 0 counted from 0000-03-01.
        return days - 306;
    }

    private static int Digits(ReadOnlySpan<byte> s, int start, int count)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9)
            {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    /// <summary>The value of each byte as a hex digit, 0xFF when it is not one.</summary>
    private static ReadOnlySpan<byte> HexDigits =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    private static ReadOnlySpan<byte> ValidUtf8(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> raw) =>
        Ascii.IsValid(bytes) || System.Text.Unicode.Utf8.IsValid(bytes) ? bytes : throw new FormatException($"'{Shown(raw)}' does not decode to valid UTF-8");

    /// <summary>A field's bytes for an error message, shortened.</summary>
    private static string Shown(ReadOnlySpan<byte> raw)
    {
        const int Max = 200;
        return raw.Length <= Max ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..Max]) + "…";
    }
}
