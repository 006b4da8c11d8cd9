using OssBackup.Engine.Operations;

namespace OssBackup.Engine.Tests.Operations;

/// <summary>Where restored objects land (the restore itself runs against S3 in the end-to-end tests).</summary>
public sealed class RestoreRunnerTests
{
    [Theory]
    [InlineData("photos/2025/cat.jpg", "photos/", "restored/", "restored/2025/cat.jpg")]
    [InlineData("photos/2025/cat.jpg", "photos/", "", "2025/cat.jpg")]
    [InlineData("photos/2025/cat.jpg", "", "restored/", "restored/photos/2025/cat.jpg")]
    [InlineData("photos/日本/😀 + %.jpg", "photos/", "copy/", "copy/日本/😀 + %.jpg")]
    public void A_target_prefix_replaces_the_source_prefix(string key, string sourcePrefix, string targetPrefix, string expected)
    {
        Assert.Equal(expected, RestoreRunner.MapKey(key, sourcePrefix, targetPrefix));
    }

    [Theory]
    [InlineData("photos/2025/cat.jpg", "photos/")]
    [InlineData("a b+c=d%e", "")]
    public void Without_a_target_prefix_the_key_is_kept(string key, string sourcePrefix)
    {
        Assert.Equal(key, RestoreRunner.MapKey(key, sourcePrefix, null));
    }
}
