namespace OssBackup.Engine.Vault;

/// <summary>
/// Orders keys by Unicode code point, which is the byte order of their UTF-8 form and the order S3
/// lists in. .NET's ordinal comparison orders UTF-16 units instead and puts U+E000..U+FFFF after emoji.
/// </summary>
public sealed class KeyOrder : IComparer<string>
{
    public static readonly KeyOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null)
        {
            return -1;
        }
        if (y is null)
        {
            return 1;
        }
        var length = Math.Min(x.Length, y.Length);
        // Keys in one listing share long prefixes; skipping them vectorised is most of the work saved.
        var start = x.AsSpan(0, length).CommonPrefixLength(y.AsSpan(0, length));
        for (var i = start; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return Rank(a) - Rank(b);
            }
        }
        return x.Length - y.Length;
    }

    private static int Rank(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
