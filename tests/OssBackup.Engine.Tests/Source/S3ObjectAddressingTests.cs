using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.Source;

public sealed class S3ObjectAddressingTests
{
    [Fact]
    public void Path_style_puts_the_bucket_first_in_the_path_and_keeps_the_endpoint_host_and_port()
    {
        var addressing = new S3ObjectAddressing(new Uri("http://127.0.0.1:9000"), "my-bucket", forcePathStyle: true);

        Assert.False(addressing.IsVirtualHosted);
        Assert.Equal("127.0.0.1:9000", addressing.Host);
        Assert.Equal("/my-bucket/a%20b/c.txt", addressing.PathOf("a b/c.txt"));
        Assert.Equal("http://127.0.0.1:9000/my-bucket/a%20b/c.txt", addressing.UriOf("a b/c.txt").AbsoluteUri);
    }

    [Fact]
    public void Virtual_hosted_style_puts_the_bucket_in_the_host_name_without_the_default_port()
    {
        var addressing = new S3ObjectAddressing(new Uri("https://oss-cn-hangzhou.aliyuncs.com"), "my-bucket", forcePathStyle: false);

        Assert.True(addressing.IsVirtualHosted);
        Assert.Equal("my-bucket.oss-cn-hangzhou.aliyuncs.com", addressing.Host);
        Assert.Equal("/k%2B1", addressing.PathOf("k+1"));
        Assert.Equal("my-bucket.oss-cn-hangzhou.aliyuncs.com", addressing.UriOf("k+1").Host);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", "bucket")]
    [InlineData("https://s3.example.com", "with.dots")]
    [InlineData("https://s3.example.com", "Capitals")]
    [InlineData("https://s3.example.com", "under_score")]
    public void Buckets_that_cannot_be_a_host_name_and_IP_endpoints_fall_back_to_path_style(string endpoint, string bucket)
    {
        var addressing = new S3ObjectAddressing(new Uri(endpoint), bucket, forcePathStyle: false);

        Assert.False(addressing.IsVirtualHosted);
        Assert.StartsWith($"/{bucket}/", addressing.PathOf("k"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_in_the_endpoint_is_kept_in_front_of_the_bucket()
    {
        var addressing = new S3ObjectAddressing(new Uri("https://gateway.example.com/s3/"), "b", forcePathStyle: true);

        Assert.Equal("/s3/b/k", addressing.PathOf("k"));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../b.txt")]
    [InlineData("./dot.txt")]
    [InlineData("//double")]
    [InlineData("/leading")]
    [InlineData("%2e%2e/encoded dots")]
    public void The_URL_sent_keeps_dot_segments_and_slashes_exactly_as_signed(string key)
    {
        var addressing = new S3ObjectAddressing(new Uri("http://127.0.0.1:9000"), "b", forcePathStyle: true);

        var uri = addressing.UriOf(key);

        Assert.Equal(addressing.PathOf(key), uri.AbsolutePath);
        Assert.Equal(addressing.PathOf(key), uri.PathAndQuery);
    }
}
