using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Vault;

/// <summary>KeyOrder must sort keys exactly as S3 lists them: by the bytes of their UTF-8 form.</summary>
public sealed class KeyOrderTests
{
    [Fact]
    public void Sorting_awkward_keys_gives_the_same_order_as_their_UTF8_bytes()
    {
        var keys = AwkwardKeys.Distinct(5000, seed: 7);

        var byKeyOrder = keys.Order(KeyOrder.Instance).ToList();
        var byBytes = keys.Order(AwkwardKeys.Utf8ByteOrder).ToList();

        Assert.Equal(byBytes, byKeyOrder);
    }

    [Fact]
    public void Every_pair_of_awkward_keys_compares_with_the_sign_of_their_UTF8_byte_comparison()
    {
        var random = new Random(8);
        for (var i = 0; i < 20_000; i++)
        {
            var x = AwkwardKeys.Next(random, 4);
            var y = random.Next(4) == 0 ? x + AwkwardKeys.Next(random, 1) : AwkwardKeys.Next(random, 4);

            Assert.True(
                Math.Sign(KeyOrder.Instance.Compare(x, y)) == Math.Sign(AwkwardKeys.Utf8ByteOrder.Compare(x, y)),
                $"KeyOrder compares '{Escape(x)}' and '{Escape(y)}' as {KeyOrder.Instance.Compare(x, y)}, UTF-8 bytes as {AwkwardKeys.Utf8ByteOrder.Compare(x, y)}.");
        }
    }

    [Theory]
    [InlineData("\uE000", "😀")]
    [InlineData("\uFFFF", "\U00010000")]
    [InlineData("\uFF21", "\U0001F600")]
    [InlineData("\uD7FF", "\uE000")]
    [InlineData("a", "a ")]
    [InlineData("a b", "a+b")]
    [InlineData("a/b", "a0")]
    [InlineData("Z", "a")]
    [InlineData("", "a")]
    public void The_first_key_sorts_before_the_second(string first, string second)
    {
        Assert.True(KeyOrder.Instance.Compare(first, second) < 0);
        Assert.True(KeyOrder.Instance.Compare(second, first) > 0);
    }

    [Fact]
    public void Private_use_characters_sort_before_emoji_although_ordinal_comparison_says_otherwise()
    {
        Assert.True(string.CompareOrdinal("\uE000", "😀") > 0);

        Assert.True(KeyOrder.Instance.Compare("\uE000", "😀") < 0);
    }

    [Fact]
    public void Equal_keys_compare_as_zero_and_null_sorts_first()
    {
        Assert.Equal(0, KeyOrder.Instance.Compare("photos/😀.jpg", new string("photos/😀.jpg".ToCharArray())));
        Assert.True(KeyOrder.Instance.Compare(null, "") < 0);
        Assert.True(KeyOrder.Instance.Compare("", null) > 0);
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:X4}"));
}
