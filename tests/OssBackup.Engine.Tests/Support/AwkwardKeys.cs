using System.Text;

namespace OssBackup.Engine.Tests.Support;

/// <summary>
/// Random object keys from the characters that break naive orderings and encodings: ASCII punctuation
/// (space, '+', '%', '=', '/'), Latin-1, CJK, U+E000..U+FFFF (private use, fullwidth forms, U+FFFD..U+FFFF)
/// and supplementary characters written as surrogate pairs (emoji, U+10000, U+10FFFF). Always valid UTF-16.
/// </summary>
public static class AwkwardKeys
{
    private static readonly string[] Pieces =
    [
        "a", "b", "z", "A", "Z", "0", "9", " ", "+", "%", "%20", "=", "/", "-", "_", ".", "~", "!", "(", ")", "&",
        "é", "ß", "ÿ", "Ω", "ж", "中", "日本", "한", "\u07FF", "\u0800", "\uD7FF",
        "\uE000", "\uE001", "\uF8FF", "\uFB01", "\uFF21", "\uFF0E", "\uFFFD", "\uFFFE", "\uFFFF",
        "😀", "🎉", "\U00010000", "\U0001F600", "\U0010FFFF", "𝄞",
    ];

    public static string Next(Random random, int maxPieces = 8)
    {
        var key = new StringBuilder();
        var count = random.Next(1, maxPieces + 1);
        for (var i = 0; i < count; i++)
        {
            key.Append(Pieces[random.Next(Pieces.Length)]);
        }
        return key.ToString();
    }

    /// <summary>Distinct keys, in no particular order.</summary>
    public static List<string> Distinct(int count, int seed, int maxPieces = 8)
    {
        var random = new Random(seed);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (keys.Count < count)
        {
            keys.Add(Next(random, maxPieces));
        }
        return [.. keys];
    }

    /// <summary>Compares strings by their UTF-8 bytes: the order S3 lists keys in.</summary>
    public static readonly Comparer<string> Utf8ByteOrder = Comparer<string>.Create(
        (x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
}
