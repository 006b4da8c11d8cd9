using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Tests.Operations;

public sealed class RestoreSelectionTests
{
    [Fact]
    public void Without_prefixes_the_whole_point_is_one_range()
    {
        Assert.Equal([null], new RestoreSelection().Ranges());
        Assert.Equal([null], new RestoreSelection(Prefixes: []).Ranges());
    }

    [Fact]
    public void Ranges_come_in_key_order_with_prefixes_inside_others_dropped()
    {
        var selection = new RestoreSelection(["photos/2024/", "docs/", "photos/", "docs/", "\uE000/", "😀/"]);

        // Key order is code point order: U+E000 sorts before the emoji U+1F600, unlike UTF-16 ordinal order.
        Assert.Equal(["docs/", "photos/", "\uE000/", "😀/"], selection.Ranges());
    }

    [Theory]
    [InlineData("b/x.txt", true)]
    [InlineData("b/x.log", false)]      // excluded even though it is under a prefix
    [InlineData("c/y.txt", true)]
    [InlineData("c/thumbs/y.txt", false)]
    [InlineData("a/x.txt", false)]      // under no prefix
    public void A_key_must_be_under_a_prefix_and_accepted_by_include_and_exclude(string key, bool accepted)
    {
        var accepts = new RestoreSelection(["b/", "c/"], Include: [@"\.(txt|log)$"], Exclude: [@"\.log$", "/thumbs/"]).Compile();

        Assert.Equal(accepted, accepts(key));
    }

    [Fact]
    public void An_invalid_regex_names_the_parameter_and_the_pattern()
    {
        var error = Assert.Throws<ArgumentException>(() => new RestoreSelection(Exclude: ["([unclosed"]).Compile());

        Assert.Contains("-Exclude pattern '([unclosed'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "STANDARD", "STANDARD")]
    [InlineData(null, "IA", "STANDARD_IA")]                 // an OSS inventory's name, written with the S3 API's
    [InlineData(null, "Standard", "STANDARD")]
    [InlineData(null, "", null)]                            // nothing recorded: the bucket's default
    [InlineData("STANDARD_IA", "STANDARD", "STANDARD_IA")]
    [InlineData("bucketdefault", "STANDARD_IA", null)]
    public void The_class_written_is_as_backed_up_unless_one_is_chosen(string? chosen, string backedUp, string? written)
    {
        var target = new RestoreTarget(null!, null, ConflictAction.Fail, chosen);
        var entry = new OssBackup.Engine.Vault.ObjectEntry("k", 1, "e", DateTimeOffset.UnixEpoch, backedUp, [], []);

        Assert.Equal(written, target.WriteClassFor(entry));
    }
}
