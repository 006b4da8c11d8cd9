using OssBackup.Engine.Source;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests.Source;

/// <summary>The product's S3 client (S3ClientFactory + S3Bucket) against the real test server.</summary>
[Collection(S3Collection.Name)]
public sealed class S3BucketTests(S3TestServer server, ScratchBucket bucket) : IClassFixture<ScratchBucket>
{
    private static readonly KeyValuePair<string, string>[] Metadata =
    [
        new("Content-Type", "text/plain; charset=utf-8"),
        new("Cache-Control", "max-age=3600"),
        new("x-amz-meta-owner", "backup-tests"),
        new("x-amz-meta-batch", "42"),
    ];

    [S3Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task A_single_put_reads_back_byte_identical_with_its_content_type_and_user_metadata(int size)
    {
        var content = TestData.RandomBytes(size, seed: size);
        var key = $"single/{size} bytes + é.bin";
        var s3 = server.OpenBucket(bucket.Name);

        await s3.PutAsync(key, content, new ObjectWrite(Metadata), CancellationToken.None);

        await using var read = await s3.OpenReadAsync(key, CancellationToken.None);
        Assert.Equal(TestData.Sha256(content), await TestData.Sha256Async(read.Content));
        Assert.Equal(size, read.Length);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.MD5.HashData(content)), read.ETag, ignoreCase: true);
        AssertMetadata(read.Metadata);
    }

    [S3Fact]
    public async Task A_multipart_upload_of_three_5_MiB_parts_and_a_tail_reads_back_byte_identical_with_its_metadata()
    {
        var parts = Enumerable.Range(1, 3).Select(i => TestData.RandomBytes(5 << 20, seed: 100 + i)).Append(TestData.RandomBytes(12_345, seed: 104)).ToList();
        var whole = parts.SelectMany(p => p).ToArray();
        const string key = "multipart/large object 😀.bin";
        var s3 = server.OpenBucket(bucket.Name);

        await using (var upload = await s3.StartMultipartAsync(key, new ObjectWrite(Metadata), CancellationToken.None))
        {
            for (var i = 0; i < parts.Count; i++)
            {
                await upload.UploadPartAsync(i + 1, parts[i], CancellationToken.None);
            }
            await upload.CompleteAsync(CancellationToken.None);
        }

        await using var read = await s3.OpenReadAsync(key, CancellationToken.None);
        Assert.Equal(whole.LongLength, read.Length);
        Assert.Equal(TestData.Sha256(whole), await TestData.Sha256Async(read.Content));
        Assert.EndsWith("-4", read.ETag, StringComparison.Ordinal);
        AssertMetadata(read.Metadata);
    }

    [S3Fact]
    public async Task An_abandoned_multipart_upload_leaves_no_object()
    {
        const string key = "multipart/abandoned.bin";
        var s3 = server.OpenBucket(bucket.Name);

        await using (var upload = await s3.StartMultipartAsync(key, new ObjectWrite([]), CancellationToken.None))
        {
            await upload.UploadPartAsync(1, TestData.RandomBytes(5 << 20, seed: 5), CancellationToken.None);
        }

        Assert.False(await s3.ExistsAsync(key, CancellationToken.None));
    }

    [S3Fact]
    public async Task Listing_returns_awkward_keys_verbatim_in_UTF8_byte_order_with_sizes_and_etags()
    {
        string[] keys = ["list/a b.txt", "list/a+b.txt", "list/a%2Fb.txt", "list/a=b&c.txt", "list/日本.txt", "list/\uE000.txt", "list/😀.txt", "list/\uFF21.txt", "list/z"];
        var s3 = server.OpenBucket(bucket.Name);
        foreach (var key in keys)
        {
            await s3.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(key), new ObjectWrite([]), CancellationToken.None);
        }

        var listed = new List<SourceObject>();
        await foreach (var item in s3.ListAsync("list/", CancellationToken.None))
        {
            listed.Add(item);
        }

        Assert.Equal(keys.Order(AwkwardKeys.Utf8ByteOrder), listed.Select(o => o.Key));
        Assert.Equal(listed.Select(o => o.Key).Order(KeyOrder.Instance), listed.Select(o => o.Key));
        Assert.All(listed, o => Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(o.Key), o.Size));
        Assert.All(listed, o => Assert.Matches("^[0-9a-f]{32}$", o.ETag));
    }

    [S3Fact]
    public async Task Pages_of_three_under_an_awkward_prefix_list_field_for_field_what_AWSSDK_lists()
    {
        const string prefix = "same as sdk/a+b %=&日本/";
        string[] names = ["a b.txt", "a+b", "%41%2F", "ctrl\u0001char", "tab\tand\nnewline", "😀", " ", "z/../y", "long " + new string('k', 200)];
        await PutKeysAsync(names.Select(name => prefix + name));
        using var sdk = server.NewClient();
        var expected = new List<SourceObject>();
        var request = new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket.Name, Prefix = prefix };
        Amazon.S3.Model.ListObjectsV2Response response;
        do
        {
            response = await sdk.ListObjectsV2Async(request);
            expected.AddRange((response.S3Objects ?? []).Select(o => new SourceObject(o.Key, o.Size ?? 0, SourceObject.NormalizeETag(o.ETag),
                new DateTimeOffset(DateTime.SpecifyKind(o.LastModified!.Value, DateTimeKind.Utc)), o.StorageClass?.Value ?? "STANDARD")));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        using var lean = new S3ObjectClient(server.Connection, bucket.Name);

        var listed = new List<SourceObject>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await lean.ListPageAsync(prefix, token, 3, CancellationToken.None);
            listed.AddRange(page.Objects);
            token = page.NextContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(names.Length, expected.Count);
        Assert.Equal(expected, listed);
        Assert.Equal(3, pages);
        Assert.Contains(listed, o => o.LastModified.Millisecond != 0);
    }

    [S3Fact]
    public async Task Keys_holding_characters_XML_cannot_carry_are_listed_verbatim()
    {
        string[] keys = ["nonxml/\uFFFE", "nonxml/a\uFFFF b", "nonxml/plain"];
        await PutKeysAsync(keys);

        var listed = new List<string>();
        await foreach (var item in server.OpenBucket(bucket.Name).ListAsync("nonxml/", CancellationToken.None))
        {
            listed.Add(item.Key);
        }

        Assert.Equal(keys.Order(AwkwardKeys.Utf8ByteOrder), listed);
    }

    private async Task PutKeysAsync(IEnumerable<string> keys)
    {
        var s3 = server.OpenBucket(bucket.Name);
        foreach (var key in keys)
        {
            await s3.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(key), new ObjectWrite([]), CancellationToken.None);
        }
    }

    [S3Fact]
    public async Task Hostile_keys_with_dot_segments_double_slashes_and_control_characters_list_and_read_back_verbatim()
    {
        string[] keys = ["hostile/../escape.txt", "hostile/a/../../b.txt", "hostile/./dot.txt", "hostile//double", "hostile/ctrl\u0001char", "hostile/tab\tand\nnewline", "hostile/back\\slash", "hostile/\uFF0E\uFF0E/fullwidth dots"];
        var s3 = server.OpenBucket(bucket.Name);
        foreach (var key in keys)
        {
            await s3.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(key), new ObjectWrite([]), CancellationToken.None);
        }

        var listed = new List<string>();
        await foreach (var item in s3.ListAsync("hostile/", CancellationToken.None))
        {
            listed.Add(item.Key);
        }

        Assert.Equal(keys.Order(AwkwardKeys.Utf8ByteOrder), listed);
        foreach (var key in keys)
        {
            await using var read = await s3.OpenReadAsync(key, CancellationToken.None);
            Assert.Equal(TestData.Sha256(System.Text.Encoding.UTF8.GetBytes(key)), await TestData.Sha256Async(read.Content));
        }
    }

    [S3Fact]
    public async Task Awkward_keys_read_back_byte_identical_through_the_signed_GET()
    {
        string[] keys = ["read/a b.txt", "read/a+b.txt", "read/a%2Fb.txt", "read/%41%2F", "read/a=b&c;d,e.txt", "read/~tilde!'()*", "read/日本 é.txt", "read/😀", "read/\uFF21", "read/q?x=1#frag", "read/trailing space ", "read/@:$"];
        var s3 = server.OpenBucket(bucket.Name);
        foreach (var key in keys)
        {
            await s3.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(key), new ObjectWrite([]), CancellationToken.None);
        }

        foreach (var key in keys)
        {
            await using var read = await s3.OpenReadAsync(key, CancellationToken.None);
            Assert.Equal(TestData.Sha256(System.Text.Encoding.UTF8.GetBytes(key)), await TestData.Sha256Async(read.Content));
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(key))), read.ETag, ignoreCase: true);
        }
    }

    [S3Fact]
    public async Task Reading_with_a_wrong_secret_is_reported_as_AccessDenied_without_the_secret()
    {
        await server.OpenBucket(bucket.Name).PutAsync("denied/k.txt", "x"u8.ToArray(), new ObjectWrite([]), CancellationToken.None);
        var s3 = server.OpenBucket(bucket.Name, new S3Credentials(server.Credentials.AccessKeyId, "not-the-secret"));

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => s3.OpenReadAsync("denied/k.txt", CancellationToken.None));

        Assert.Equal(SourceProblem.AccessDenied, error.Problem);
        Assert.DoesNotContain("not-the-secret", error.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task Reading_from_a_missing_bucket_is_reported_as_BucketNotFound()
    {
        var s3 = server.OpenBucket($"ossb-missing-{Guid.NewGuid():N}");

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => s3.OpenReadAsync("any.txt", CancellationToken.None));

        Assert.Equal(SourceProblem.BucketNotFound, error.Problem);
    }

    [S3Fact]
    public async Task Listing_follows_continuation_past_a_thousand_keys()
    {
        var s3 = server.OpenBucket(bucket.Name);
        await Parallel.ForEachAsync(Enumerable.Range(0, 1005), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, token) => await s3.PutAsync($"many/{i:D5}", new byte[] { (byte)i }, new ObjectWrite([]), token));

        var count = 0;
        await foreach (var _ in s3.ListAsync("many/", CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(1005, count);
    }

    [S3Fact]
    public async Task Listing_and_reading_report_the_last_modified_time_in_UTC_whatever_the_local_time_zone()
    {
        var s3 = server.OpenBucket(bucket.Name);
        var before = DateTimeOffset.UtcNow;
        await s3.PutAsync("time/now.txt", "now"u8.ToArray(), new ObjectWrite([]), CancellationToken.None);

        SourceObject? listed = null;
        await foreach (var item in s3.ListAsync("time/", CancellationToken.None))
        {
            listed = item;
        }
        await using var read = await s3.OpenReadAsync("time/now.txt", CancellationToken.None);

        Assert.NotNull(listed);
        Assert.InRange(listed.LastModified, before.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(2));
        Assert.InRange(read.LastModified, before.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(2));
    }

    [S3Fact]
    public async Task Reading_a_missing_object_throws_ObjectGoneException_naming_the_key()
    {
        var s3 = server.OpenBucket(bucket.Name);

        var error = await Assert.ThrowsAsync<ObjectGoneException>(() => s3.OpenReadAsync("missing/key.txt", CancellationToken.None));

        Assert.Equal("missing/key.txt", error.Key);
    }

    [S3Fact]
    public async Task Access_to_an_existing_bucket_with_the_right_credentials_is_verified()
    {
        await server.OpenBucket(bucket.Name).VerifyAccessAsync(CancellationToken.None);

        Assert.False(await server.OpenBucket(bucket.Name).ExistsAsync("nothing-here", CancellationToken.None));
    }

    [S3Fact]
    public async Task A_wrong_secret_is_reported_as_AccessDenied()
    {
        var s3 = server.OpenBucket(bucket.Name, new S3Credentials(server.Credentials.AccessKeyId, "not-the-secret"));

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => s3.VerifyAccessAsync(CancellationToken.None));

        Assert.Equal(SourceProblem.AccessDenied, error.Problem);
        Assert.DoesNotContain("not-the-secret", error.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task A_missing_bucket_is_reported_as_BucketNotFound_naming_it()
    {
        var name = $"ossb-missing-{Guid.NewGuid():N}";
        var s3 = server.OpenBucket(name);

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => s3.VerifyAccessAsync(CancellationToken.None));

        Assert.Equal(SourceProblem.BucketNotFound, error.Problem);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public async Task An_endpoint_nothing_listens_on_is_reported_as_Unreachable()
    {
        var connection = new S3Connection("http://127.0.0.1:1", "us-east-1", ForcePathStyle: true, server.Credentials);
        using var s3 = S3Bucket.Open(connection, "any-bucket");

        var error = await Assert.ThrowsAsync<SourceAccessException>(() => s3.VerifyAccessAsync(CancellationToken.None));

        Assert.Equal(SourceProblem.Unreachable, error.Problem);
    }

    private static void AssertMetadata(IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        Assert.Contains(new KeyValuePair<string, string>("Content-Type", "text/plain; charset=utf-8"), metadata);
        Assert.Contains(new KeyValuePair<string, string>("Cache-Control", "max-age=3600"), metadata);
        Assert.Contains(new KeyValuePair<string, string>("x-amz-meta-owner", "backup-tests"), metadata);
        Assert.Contains(new KeyValuePair<string, string>("x-amz-meta-batch", "42"), metadata);
    }
}
