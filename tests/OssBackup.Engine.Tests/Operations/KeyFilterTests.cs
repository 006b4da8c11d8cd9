using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Tests.Operations;

/// <summary>A plan's -Include/-Exclude regular expressions.</summary>
public sealed class KeyFilterTests
{
    [Theory]
    [InlineData("docs/readme.txt")]
    [InlineData("")]
    [InlineData("日本/😀 + % = .bin")]
    public void Without_patterns_every_key_is_accepted(string key)
    {
        Assert.True(new KeyFilter([], []).Accepts(key));
    }

    [Theory]
    [InlineData("docs/readme.txt", true)]
    [InlineData("images/readme.txt", false)]
    [InlineData("logs/2025/app.log", true)]
    [InlineData("archive/docs/readme.txt", false)]
    public void With_include_patterns_only_keys_matching_one_of_them_are_accepted(string key, bool accepted)
    {
        var filter = new KeyFilter([@"^docs/", @"\.log$"], []);

        Assert.Equal(accepted, filter.Accepts(key));
    }

    [Theory]
    [InlineData("docs/readme.txt", true)]
    [InlineData("docs/draft.tmp", false)]
    [InlineData("cache/x", false)]
    public void With_exclude_patterns_only_keys_matching_none_of_them_are_accepted(string key, bool accepted)
    {
        var filter = new KeyFilter([], [@"\.tmp$", @"^cache/"]);

        Assert.Equal(accepted, filter.Accepts(key));
    }

    [Fact]
    public void A_key_matching_both_an_include_and_an_exclude_pattern_is_excluded()
    {
        var filter = new KeyFilter([@"^docs/"], [@"\.tmp$"]);

        Assert.False(filter.Accepts("docs/draft.tmp"));
        Assert.True(filter.Accepts("docs/final.txt"));
    }

    [Fact]
    public void Patterns_match_anywhere_in_the_key_unless_anchored()
    {
        var filter = new KeyFilter(["report"], []);

        Assert.True(filter.Accepts("2025/q3/report-final.pdf"));
    }

    [Theory]
    [InlineData("docs/[unclosed", "-Include")]
    [InlineData("(", "-Include")]
    [InlineData("*.tmp", "-Exclude")]
    [InlineData(@"\", "-Exclude")]
    public void An_invalid_pattern_is_refused_naming_the_parameter_and_the_pattern(string pattern, string parameter)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            parameter == "-Include" ? new KeyFilter([pattern], []) : new KeyFilter([], [pattern]));

        Assert.Contains(parameter, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{pattern}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(parameter, error.ParamName);
    }
}
