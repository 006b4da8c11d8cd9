using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Tests.Operations;

/// <summary>PowerShell-style wildcards used to select keys to restore or list: * ? [abc], the rest literal.</summary>
public sealed class WildcardTests
{
    [Theory]
    [InlineData("*.jpg", "photos/2025/cat.jpg", true)]
    [InlineData("*.jpg", "photos/2025/cat.jpg.bak", false)]
    [InlineData("photos/*", "photos/", true)]
    [InlineData("photos/*", "videos/photos/a", false)]
    [InlineData("*", "any/key with spaces/😀", true)]
    [InlineData("*", "", true)]
    [InlineData("line*end", "line\nbreak\nend", true)]
    public void A_star_matches_any_run_of_characters_including_slashes(string pattern, string key, bool matches)
    {
        Assert.Equal(matches, Wildcard.ToRegex(pattern).IsMatch(key));
    }

    [Theory]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file.txt", false)]
    [InlineData("file?.txt", "file12.txt", false)]
    [InlineData("??", "ab", true)]
    public void A_question_mark_matches_exactly_one_character(string pattern, string key, bool matches)
    {
        Assert.Equal(matches, Wildcard.ToRegex(pattern).IsMatch(key));
    }

    [Theory]
    [InlineData("log[abc].txt", "loga.txt", true)]
    [InlineData("log[abc].txt", "logc.txt", true)]
    [InlineData("log[abc].txt", "logd.txt", false)]
    [InlineData("log[abc].txt", "logab.txt", false)]
    [InlineData("v[0-9].bin", "v7.bin", true)]
    [InlineData("v[0-9].bin", "vx.bin", false)]
    public void Brackets_match_one_character_of_the_set_or_range(string pattern, string key, bool matches)
    {
        Assert.Equal(matches, Wildcard.ToRegex(pattern).IsMatch(key));
    }

    [Theory]
    [InlineData("a+b.txt", "a+b.txt", true)]
    [InlineData("a+b.txt", "aab.txt", false)]
    [InlineData("a+b.txt", "a+bxtxt", false)]
    [InlineData("report (1).pdf", "report (1).pdf", true)]
    [InlineData("report (1).pdf", "report 1.pdf", false)]
    [InlineData("price$5^2|x{3}", "price$5^2|x{3}", true)]
    [InlineData("100%.txt", "100%.txt", true)]
    [InlineData(@"back\slash", @"back\slash", true)]
    [InlineData("[unclosed", "[unclosed", true)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axxb", false)]
    public void Other_characters_including_regex_specials_match_themselves(string pattern, string key, bool matches)
    {
        Assert.Equal(matches, Wildcard.ToRegex(pattern).IsMatch(key));
    }

    [Theory]
    [InlineData("*.jpg", true)]
    [InlineData("file?.txt", true)]
    [InlineData("log[abc]", true)]
    [InlineData("plain/key (1)+x.txt", false)]
    public void HasWildcards_tells_patterns_from_literal_keys(string pattern, bool expected)
    {
        Assert.Equal(expected, Wildcard.HasWildcards(pattern));
    }
}
