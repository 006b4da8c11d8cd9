using System.Buffers.Text;
using System.Globalization;
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
        if (scratch.Length < raw.Length)
        {
            scratch = new byte[Math.Max(raw.Length, scratch.Length * 2)];
        }
        var decoded = scratch.AsSpan();
        var length = 0;
        var i = 0;
        while (true)
        {
            // Copy the plain run up to the next escape in one go: keys are mostly plain text between a few %2F.
            var run = raw[i..].IndexOfAny((byte)'%', (byte)'+');
            if (run < 0)
            {
                raw[i..].CopyTo(decoded[length..]);
                length += raw.Length - i;
                break;
            }
            raw.Slice(i, run).CopyTo(decoded[length..]);
            length += run;
            i += run;
            if (raw[i] == (byte)'+')
            {
                decoded[length++] = (byte)' ';
                i++;
                continue;
            }
            if (i + 2 >= raw.Length)
            {
                throw new FormatException($"'{Shown(raw)}' ends in an incomplete %-escape '{Encoding.UTF8.GetString(raw[i..])}'");
            }
            var high = HexValue(raw[i + 1]);
            var low = HexValue(raw[i + 2]);
            if (high < 0 || low < 0)
            {
                throw new FormatException($"'{Shown(raw)}' has an invalid %-escape '{Encoding.UTF8.GetString(raw.Slice(i, 3))}' at position {i + 1}");
            }
            decoded[length++] = (byte)((high << 4) | low);
            i += 3;
        }
        return ValidUtf8(decoded[..length], raw);
    }

    /// <summary>A size: a non-negative decimal integer.</summary>
    public static long ParseSize(ReadOnlySpan<byte> raw)
    {
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
        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
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

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static ReadOnlySpan<byte> ValidUtf8(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> raw) =>
        Ascii.IsValid(bytes) || System.Text.Unicode.Utf8.IsValid(bytes) ? bytes : throw new FormatException($"'{Shown(raw)}' does not decode to valid UTF-8");

    /// <summary>A field's bytes for an error message, shortened.</summary>
    private static string Shown(ReadOnlySpan<byte> raw)
    {
        const int Max = 200;
        return raw.Length <= Max ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..Max]) + "…";
    }
}
