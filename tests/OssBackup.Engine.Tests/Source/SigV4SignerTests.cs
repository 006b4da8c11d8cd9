using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.Source;

/// <summary>The signer against the examples AWS publishes for Signature Version 4 (the values are AWS's).</summary>
public sealed class SigV4SignerTests
{
    // The AWS SigV4 test suite (get-vanilla and friends): service "service", 2015-08-30T12:36:00Z.
    private static readonly S3Credentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    // The S3 developer guide's header-signing examples: bucket examplebucket, 2013-05-24T00:00:00Z.
    private static readonly S3Credentials S3GuideCredentials = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    [Fact]
    public void The_test_suite_get_vanilla_request_gets_the_published_authorization_header()
    {
        var signer = new SigV4Signer(SuiteCredentials, "us-east-1", "service");

        var authorization = signer.Authorization("GET", "/", "", SuiteHeaders(), SigV4Signer.EmptyPayloadHash);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            authorization);
    }

    [Fact]
    public async Task One_signer_used_by_many_threads_at_once_and_across_days_gives_every_request_its_published_signature()
    {
        // Each day's HMAC contexts are reused from request to request: none may carry state into the next signature.
        var signer = new SigV4Signer(SuiteCredentials, "us-east-1", "service");
        KeyValuePair<string, string>[] nextDay = [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150831T123600Z")];
        var otherDaySignature = new SigV4Signer(SuiteCredentials, "us-east-1", "service").Authorization("GET", "/", "", nextDay, SigV4Signer.EmptyPayloadHash);

        var signatures = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
            Enumerable.Range(0, 200).Select(i => i % 7 == 3
                ? signer.Authorization("GET", "/", "", nextDay, SigV4Signer.EmptyPayloadHash) == otherDaySignature
                : signer.Authorization("GET", "/", "", SuiteHeaders(), SigV4Signer.EmptyPayloadHash).EndsWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", StringComparison.Ordinal))
            .ToList())));

        Assert.All(signatures.SelectMany(s => s), Assert.True);
    }

    [Fact]
    public void The_test_suite_query_order_request_is_signed_with_its_parameters_sorted()
    {
        var signer = new SigV4Signer(SuiteCredentials, "us-east-1", "service");
        var query = SigV4Signer.CanonicalQuery([new("Param2", "value2"), new("Param1", "value1")]);

        var authorization = signer.Authorization("GET", "/", query, SuiteHeaders(), SigV4Signer.EmptyPayloadHash);

        Assert.Equal("Param1=value1&Param2=value2", query);
        Assert.EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void The_S3_guide_GET_object_example_with_a_range_gets_the_published_signature()
    {
        var signer = new SigV4Signer(S3GuideCredentials, "us-east-1");
        // Header names in mixed case and in no order: the signer lowercases and sorts them.
        KeyValuePair<string, string>[] headers =
        [
            new("x-amz-date", "20130524T000000Z"),
            new("Range", "bytes=0-9"),
            new("Host", "examplebucket.s3.amazonaws.com"),
            new("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash),
        ];

        var authorization = signer.Authorization("GET", "/test.txt", "", headers, SigV4Signer.EmptyPayloadHash);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
    }

    [Fact]
    public void The_S3_guide_list_objects_example_gets_the_published_signature()
    {
        var signer = new SigV4Signer(S3GuideCredentials, "us-east-1");
        KeyValuePair<string, string>[] headers =
        [
            new("host", "examplebucket.s3.amazonaws.com"),
            new("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash),
            new("x-amz-date", "20130524T000000Z"),
        ];

        var authorization = signer.Authorization("GET", "/", SigV4Signer.CanonicalQuery([new("prefix", "J"), new("max-keys", "2")]), headers, SigV4Signer.EmptyPayloadHash);

        Assert.EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void The_signing_key_is_derived_again_when_the_day_changes()
    {
        var signer = new SigV4Signer(S3GuideCredentials, "us-east-1");

        var first = signer.KeyFor("20130524");
        var nextDay = signer.KeyFor("20130525");
        var firstAgain = signer.KeyFor("20130524");

        Assert.NotEqual(first, nextDay);
        Assert.Equal(first, firstAgain);
    }

    [Fact]
    public void Header_values_are_trimmed_and_inner_runs_of_spaces_collapsed_before_signing()
    {
        var signer = new SigV4Signer(S3GuideCredentials, "us-east-1");
        KeyValuePair<string, string>[] tidy = [new("host", "h"), new("x-amz-date", "20130524T000000Z"), new("x-amz-meta-a", "a b c")];
        KeyValuePair<string, string>[] untidy = [new("host", "h"), new("x-amz-date", "20130524T000000Z"), new("x-amz-meta-a", "  a   b c ")];

        Assert.Equal(
            signer.Authorization("GET", "/k", "", tidy, SigV4Signer.EmptyPayloadHash),
            signer.Authorization("GET", "/k", "", untidy, SigV4Signer.EmptyPayloadHash));
    }

    [Theory]
    [InlineData("plain/key.txt", "plain/key.txt")]
    [InlineData("a b+c=d&e", "a%20b%2Bc%3Dd%26e")]
    [InlineData("100%/~tilde_-.", "100%25/~tilde_-.")]
    [InlineData("日本/é", "%E6%97%A5%E6%9C%AC/%C3%A9")]
    [InlineData("😀", "%F0%9F%98%80")]
    [InlineData("../a/./b//c", "../a/./b//c")]
    [InlineData("ctrl\u0001\t\n\\", "ctrl%01%09%0A%5C")]
    [InlineData("%41%2F", "%2541%252F")]
    public void Object_keys_are_percent_encoded_byte_by_byte_keeping_slashes_and_unreserved_characters(string key, string encoded)
    {
        Assert.Equal(encoded, SigV4Signer.UriEncode(key, keepSlash: true));
    }

    [Fact]
    public void Query_values_encode_the_slash()
    {
        Assert.Equal("a%2Fb%20c", SigV4Signer.UriEncode("a/b c", keepSlash: false));
    }

    private static KeyValuePair<string, string>[] SuiteHeaders() =>
        [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z")];
}
