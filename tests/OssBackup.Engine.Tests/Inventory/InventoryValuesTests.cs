using System.Text;
using OssBackup.Engine.Inventory;

namespace OssBackup.Engine.Tests.Inventory;

public sealed class InventoryValuesTests
{
    [Theory]
    [InlineData("docs%2FMy+Report+final.pdf", "docs/My Report final.pdf")]
    [InlineData("docs/My%20Report%20final.pdf", "docs/My Report final.pdf")]
    [InlineData("C%2B%2B+notes%2Fx%2By%3Dz.txt", "C++ notes/x+y=z.txt")]
    [InlineData("reports%2F100%25.txt", "reports/100%.txt")]
    [InlineData("literal+%2520+stays", "literal %20 stays")]
    [InlineData("%E6%95%B0%E6%8D%AE%2F%E6%8A%A5%E5%91%8A+2024.xlsx", "数据/报告 2024.xlsx")]
    [InlineData("%e6%95%b0%e6%8d%ae", "数据")]
    [InlineData("media%2Femoji-%F0%9F%98%80+clip.mp4", "media/emoji-😀 clip.mp4")]
    [InlineData("quote%22name%27.txt", "quote\"name'.txt")]
    [InlineData("exports%2Fa%2Cb%2Cc.csv", "exports/a,b,c.csv")]
    [InlineData("logs%2F", "logs/")]
    [InlineData("plain/key.txt", "plain/key.txt")]
    [InlineData("数据/raw UTF-8", "数据/raw UTF-8")]
    public void Keys_decode_as_form_values(string raw, string key)
    {
        var scratch = new byte[4];

        Assert.Equal(key, InventoryValues.DecodeKey(Encoding.UTF8.GetBytes(raw), ref scratch));
    }

    [Fact]
    public void Times_and_sizes_parse_as_the_framework_parses_them()
    {
        var random = new Random(11);
        for (var n = 0; n < 20_000; n++)
        {
            var time = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            var dashed = time.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var iso = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(new DateTimeOffset(time), InventoryValues.ParseTimestamp(Encoding.ASCII.GetBytes(dashed)));
            Assert.Equal(new DateTimeOffset(time), InventoryValues.ParseTimestamp(Encoding.ASCII.GetBytes(iso)));

            var size = random.NextInt64(0, long.MaxValue) >> random.Next(63);
            Assert.Equal(size, InventoryValues.ParseSize(Encoding.ASCII.GetBytes(size.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        Assert.Equal(long.MaxValue, InventoryValues.ParseSize("9223372036854775807"u8));
        Assert.Throws<FormatException>(() => InventoryValues.ParseSize("9223372036854775808"u8));
        Assert.Throws<FormatException>(() => InventoryValues.ParseSize("12a4"u8));
        Assert.Throws<FormatException>(() => InventoryValues.ParseSize(""u8));
        Assert.Throws<FormatException>(() => InventoryValues.ParseSize("-1"u8));
    }

    [Fact]
    public void Long_keys_decode_the_same_wherever_their_escapes_fall()
    {
        // Keys of every length up to 100 with escapes and pluses at random places (across 16-byte blocks and in the tail),
        // against the framework's form decoding.
        var random = new Random(7);
        var pieces = new[] { "%2F", "%2f", "+", "%20", "%2B", "%25", "%E6%95%B0", "a", "b/c", "-", "0123456789abcdef" };
        var scratch = Array.Empty<byte>();
        for (var n = 0; n < 5000; n++)
        {
            var raw = new StringBuilder();
            var length = random.Next(0, 101);
            while (raw.Length < length)
            {
                raw.Append(pieces[random.Next(pieces.Length)]);
            }
            var bytes = Encoding.UTF8.GetBytes(raw.ToString());

            Assert.Equal(System.Net.WebUtility.UrlDecode(raw.ToString()), InventoryValues.DecodeKey(bytes, ref scratch));
        }
    }

    [Theory]
    [InlineData("bad%G1.txt", "%G1")]
    [InlineData("bad%2", "%2")]
    [InlineData("bad%", "%")]
    [InlineData("bad%FF%FE.txt", "UTF-8")]
    [InlineData("a-long-enough-prefix/bad%G1.txt", "%G1")]
    [InlineData("a-long-enough-prefix/bad%2", "%2")]
    [InlineData("half-emoji%F0%9F.txt", "UTF-8")]
    public void An_invalid_escape_or_invalid_UTF8_is_an_error_that_shows_the_key(string raw, string expected)
    {
        var scratch = Array.Empty<byte>();

        var error = Assert.Throws<FormatException>(() => InventoryValues.DecodeKey(Encoding.UTF8.GetBytes(raw), ref scratch));

        Assert.Contains(raw, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-04-14T07-06-00Z", 2025, 4, 14, 7, 6, 0, 0)]
    [InlineData("2023-10-26T08:00:00.000Z", 2023, 10, 26, 8, 0, 0, 0)]
    [InlineData("2023-10-26T08:00:00Z", 2023, 10, 26, 8, 0, 0, 0)]
    [InlineData("2023-10-26T08:00:00.123Z", 2023, 10, 26, 8, 0, 0, 1_230_000)]
    [InlineData("2023-10-26T08:00:00.1234567Z", 2023, 10, 26, 8, 0, 0, 1_234_567)]
    [InlineData("2023-10-26T08:00:00.123456789Z", 2023, 10, 26, 8, 0, 0, 1_234_567)]
    [InlineData("2024-02-29T23-59-59Z", 2024, 2, 29, 23, 59, 59, 0)]
    [InlineData("2023-10-26T16:00:00+08:00", 2023, 10, 26, 8, 0, 0, 0)]
    public void LastModifiedDate_accepts_the_hyphen_form_and_ISO_8601_and_is_UTC(string raw, int y, int mo, int d, int h, int mi, int s, long ticks)
    {
        var expected = new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero).AddTicks(ticks);

        var parsed = InventoryValues.ParseTimestamp(Encoding.UTF8.GetBytes(raw));

        Assert.Equal(expected, parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("2025-02-30T07-06-00Z")]
    [InlineData("2025-04-14T25-06-00Z")]
    [InlineData("2025-04-14T07-06:00Z")]
    [InlineData("yesterday")]
    public void A_time_that_is_no_time_is_an_error(string raw)
    {
        Assert.Throws<FormatException>(() => InventoryValues.ParseTimestamp(Encoding.UTF8.GetBytes(raw)));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    public void Booleans_are_true_or_false_in_any_case(string raw, bool expected)
    {
        Assert.Equal(expected, InventoryValues.ParseBool(Encoding.UTF8.GetBytes(raw)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yes")]
    [InlineData("1")]
    public void Other_booleans_are_errors(string raw)
    {
        Assert.Throws<FormatException>(() => InventoryValues.ParseBool(Encoding.UTF8.GetBytes(raw)));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("102400", 102400L)]
    [InlineData("5368709120", 5368709120L)]
    public void Sizes_are_decimal_integers(string raw, long expected)
    {
        Assert.Equal(expected, InventoryValues.ParseSize(Encoding.UTF8.GetBytes(raw)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1.5")]
    [InlineData("12 ")]
    [InlineData("99999999999999999999")]
    public void Other_sizes_are_errors(string raw)
    {
        Assert.Throws<FormatException>(() => InventoryValues.ParseSize(Encoding.UTF8.GetBytes(raw)));
    }
}
